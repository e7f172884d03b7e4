"""What the FHIR API keeps beside the domain models: version snapshots and resources we do not model."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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
    about, and served read-only by the API (``mapping/stored.py``) under its own ``fhir_id``, with a
    version that goes up each time a different copy arrives. ``codes`` and ``clinical_date`` are
    search indexes derived from ``data`` on every save (see :func:`index_fields`).
    """

    resource_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=200, help_text=_("The id (or fullUrl) the resource had at its source."))
    fhir_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    patient = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="stored_resources"
    )
    data = models.JSONField()
    codes = models.TextField(blank=True, default="", help_text=_("Search index: ' system|code ' per coding."))
    clinical_date = models.DateTimeField(null=True, blank=True, help_text=_("Search index: when it happened."))
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the search indexes in step; a different copy saved over a row is a new version, and the
        replaced one stays readable (vread, ``_history``) — so writers elsewhere (an assessment's score
        Observation) need not manage versions themselves."""
        self.codes, self.clinical_date = index_fields(self.data)
        if self.pk is not None and not self._state.adding:
            old = StoredResource.objects.filter(pk=self.pk).first()
            if old is not None and old.data != self.data and old.version == self.version:
                from careweave.fhir.registry import is_served, mapping_for

                if is_served(old.resource_type):
                    ResourceVersion.objects.get_or_create(
                        resource_type=old.resource_type, resource_id=str(old.fhir_id), version_id=old.version,
                        defaults={"data": mapping_for(old.resource_type).serve(old), "recorded_at": old.updated_at})
                self.version = old.version + 1
                self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = list({*kwargs["update_fields"], "codes", "clinical_date", "version",
                                            "updated_at"})
        super().save(*args, **kwargs)


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


CODE_KEYS = ("code", "vaccineCode", "medicationCodeableConcept", "type", "category")
DATE_KEYS = ("effectiveDateTime", "effectivePeriod", "onsetDateTime", "recordedDate", "performedDateTime",
             "performedPeriod", "occurrenceDateTime", "authoredOn", "issued", "period", "billablePeriod",
             "started", "created", "date", "authored")


def index_fields(data: Any) -> tuple[str, datetime | None]:
    """The codes (`` system|code `` each) and the clinical date of a resource, for searching."""
    if not isinstance(data, dict):
        return "", None
    tokens: list[str] = []
    for key in CODE_KEYS:
        concepts = data.get(key)
        for concept in concepts if isinstance(concepts, list) else [concepts]:
            if isinstance(concept, dict):
                for coding in concept.get("coding") or []:
                    if isinstance(coding, dict) and coding.get("code"):
                        tokens.append(f"{coding.get('system') or ''}|{coding['code']}")
    codes = (" " + " ".join(dict.fromkeys(tokens)) + " ") if tokens else ""
    moment = None
    for key in DATE_KEYS:
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        if isinstance(value, str) and value:
            moment = _moment(value)
            if moment is not None:
                break
    return codes, moment


def _moment(value: str) -> datetime | None:
    parsed = parse_datetime(value.replace("Z", "+00:00")) if "T" in value else None
    if parsed is None:
        try:
            parsed = datetime.combine(date.fromisoformat((value + "-01-01")[:10]), time.min)
        except ValueError:
            return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
