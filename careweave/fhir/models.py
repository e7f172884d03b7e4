"""What the FHIR API keeps beside the domain models: version snapshots and resources we do not model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResourceVersion(models.Model):
    """The FHIR representation of one version of a resource, for ``_history`` and ``vread``.

    Written whenever a versioned domain record is saved (whichever door the change came through:
    the API, the web app or an action called from the CLI).
    """

    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    version_id = models.PositiveIntegerField()
    data = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["resource_type", "resource_id", "-version_id"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id", "version_id"], name="fhir_resource_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version_id}"


class StoredResource(models.Model):
    """A resource Careweave does not model (Observation, Encounter, Claim...), kept as it was received.

    Imports never drop data: what we cannot map is stored unchanged, linked to the person it is
    about, so it can be shown, exported or mapped later ("data stays at its source").
    """

    resource_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=200, help_text=_("The id (or fullUrl) the resource had at its source."))
    patient = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="stored_resources"
    )
    data = models.JSONField()
    bundle_hash = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the bundle it came in."))
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource_type", "source_id"]
        verbose_name = _("stored resource")
        verbose_name_plural = _("stored resources")
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "source_id"], name="fhir_stored_resource_unique")
        ]
        indexes = [models.Index(fields=["patient", "resource_type"])]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.source_id}"
