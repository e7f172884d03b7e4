"""The integrated record: what other systems sent about a person, and the versions of FHIR-served records.

Why its own app: received clinical data (a GP system's Conditions, a lab's Observations, Careweave's
own score Observations and referrals) is part of the person's file, with its own rules (one owner,
never moved, read with full access only). The FHIR API is one door to it (``fhir/bundles.py``,
``fhir/mapping/stored.py``); the rules live in :mod:`careweave.records.actions`. The tables are the
ones the FHIR app created (``db_table``), so moving the models lost no data (decision 0020).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


class ResourceVersion(models.Model):
    """The FHIR representation of one version of a resource, for ``_history`` and ``vread``.

    Written whenever a versioned domain record is saved (whichever door the change came through:
    the API, the web app or an action called from the CLI), and when a received record is replaced.
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
        db_table = "fhir_resourceversion"
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
    """A received record Careweave does not model (a Condition, an Observation, an Encounter...).

    Kept exactly as received, in one person's file (``patient``, its owner; only types that describe
    no person, such as a Medication, have none). A record never changes owner: a copy that arrives
    for another person with the same source id is a separate record of that person. Served read-only
    by the API under its own ``fhir_id``, with a version that goes up each time a different copy
    arrives. ``codes`` and ``clinical_date`` are search indexes derived from ``data`` on every save.
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
        db_table = "fhir_storedresource"
        ordering = ["resource_type", "source_id"]
        verbose_name = _("stored resource")
        verbose_name_plural = _("stored resources")
        constraints = [
            # Matching by source id happens within one owner only (issue #17): two persons' systems may
            # use the same ids, and an import for one person must never touch another's record.
            models.UniqueConstraint(fields=["resource_type", "source_id", "patient"],
                                    condition=Q(patient__isnull=False), name="records_stored_owner_unique"),
            models.UniqueConstraint(fields=["resource_type", "source_id"], condition=Q(patient__isnull=True),
                                    name="records_stored_unowned_unique"),
        ]
        indexes = [models.Index(fields=["patient", "resource_type"], name="fhir_stored_patient_c2e9a2_idx")]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.source_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the search indexes in step; a different copy saved over a row is a new version, and the
        replaced one stays readable (vread, ``_history``) — so writers elsewhere (an assessment's score
        Observation) need not manage versions themselves. The owner never changes."""
        self.codes, self.clinical_date = index_fields(self.data)
        if self.pk is not None and not self._state.adding:
            old = StoredResource.objects.filter(pk=self.pk).first()
            if old is not None and old.patient_id is not None and old.patient_id != self.patient_id:
                raise ValueError("a received record never changes owner")
            if old is not None and old.data != self.data and old.version == self.version:
                from careweave.records.representation import keep_earlier

                keep_earlier([old])
                self.version = old.version + 1
                self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = list({*kwargs["update_fields"], "codes", "clinical_date", "version",
                                            "updated_at"})
        super().save(*args, **kwargs)


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
