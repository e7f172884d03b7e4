"""What the FHIR API keeps beside the domain models: the received copy of modelled records.

Version snapshots (``ResourceVersion``) and received records Careweave does not model
(``StoredResource``) belong to the integrated record (``careweave.records``, decision 0020); they are
re-exported here so older imports keep working.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.records.models import ResourceVersion, StoredResource, index_fields

__all__ = ["ResourceVersion", "SourceResource", "StoredResource", "index_fields"]


class SourceResource(models.Model):
    """The resource as last received for a record Careweave models (a Patient, a CarePlan...).

    The domain record keeps what Careweave works with; this keeps everything else the source sent
    (a Patient's marital status, extensions, extra identifiers, a CarePlan's period and activities),
    which the API merges back into what it serves, so an import loses nothing.
    """

    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64, help_text=_("Careweave's id of the record (its fhir_id)."))
    data = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("received resource")
        verbose_name_plural = _("received resources")
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_id"], name="fhir_source_resource_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id} (received)"
