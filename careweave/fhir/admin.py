"""Read-only admin views over version snapshots and resources kept as received.

Both hold people's files (SSIN, contact details, confidential Communications): the lists show
only what a resource is (type, id, version, date), and opening one goes through the access
decision and is audited in the person's "who looked" (issue 11.1, see ``careweave.access.admin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from careweave.access.admin import NOT_PERSONAL, PersonalFileAdmin
from careweave.access.models import Level
from careweave.fhir.models import ResourceVersion, StoredResource
from careweave.fhir.registry import MAPPINGS


@admin.register(ResourceVersion)
class ResourceVersionAdmin(PersonalFileAdmin):
    list_display = ("resource_type", "resource_id", "version_id", "recorded_at")
    list_filter = ("resource_type",)
    search_fields = ("resource_id",)
    fields = ("resource_type", "resource_id", "version_id", "recorded_at", "author", "data")

    def audit_resource(self, obj: ResourceVersion) -> tuple[str, str]:
        return obj.resource_type, obj.resource_id

    def file_of(self, obj: ResourceVersion) -> Any:
        mapping = MAPPINGS.get(obj.resource_type)
        if mapping is not None and mapping.person_path is None:
            return NOT_PERSONAL  # professionals and organisations: a directory, nobody's file
        record = mapping.model.objects.filter(fhir_id=obj.resource_id).first() if mapping else None
        if record is None:
            return None, Level.FULL
        return mapping.person_of(record), mapping.needed_level(record)


@admin.register(StoredResource)
class StoredResourceAdmin(PersonalFileAdmin):
    list_display = ("resource_type", "source_id", "updated_at")
    list_filter = ("resource_type",)
    search_fields = ("source_id",)
    fields = ("resource_type", "source_id", "received_at", "updated_at", "bundle_hash", "data")

    def audit_resource(self, obj: StoredResource) -> tuple[str, str]:
        return obj.resource_type, str(obj.pk)

    def file_of(self, obj: StoredResource) -> Any:
        # Observations, Encounters, Claims... as received: medical detail about the person.
        return obj.patient, Level.FULL
