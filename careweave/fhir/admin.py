"""Read-only admin views: version snapshots and the resources kept as received."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from careweave.fhir.models import ResourceVersion, StoredResource


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ResourceVersion)
class ResourceVersionAdmin(ReadOnly):
    list_display = ("resource_type", "resource_id", "version_id", "recorded_at", "author")
    list_filter = ("resource_type",)
    search_fields = ("resource_id",)


@admin.register(StoredResource)
class StoredResourceAdmin(ReadOnly):
    list_display = ("resource_type", "source_id", "patient", "updated_at")
    list_filter = ("resource_type",)
    search_fields = ("source_id",)
    raw_id_fields = ("patient",)
