"""What the FHIR API keeps beside the domain models: the received copy of modelled records.

Version snapshots (``ResourceVersion``) and received records Careweave does not model
(``StoredResource``) belong to the integrated record (``careweave.records``, decision 0020); they are
re-exported here so older imports keep working.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.records.models import ResourceVersion, StoredResource, index_fields

__all__ = ["ExportJob", "ResourceVersion", "SourceResource", "StoredResource", "index_fields"]


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


class Subscription(models.Model):
    """A topic-based subscription (FHIR R4 Subscriptions Backport): another system hears about changes.

    Owned by the user whose API token created it; it only ever hears about what that user may read at the
    moment of the change and again at delivery (decision 0022: the permission table decides).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACTIVE = "active", _("active")
        ERROR = "error", _("error")
        OFF = "off", _("off")

    class Payload(models.TextChoices):
        EMPTY = "empty", _("empty")
        ID_ONLY = "id-only", _("id only")

    fhir_id = models.UUIDField(unique=True, editable=False)
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="fhir_subscriptions")
    topic = models.URLField(max_length=200)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", help_text=_("Only changes of this person's file (filter)."))
    reason = models.CharField(max_length=200, blank=True)
    endpoint = models.URLField(max_length=500)
    base_url = models.URLField(max_length=300, help_text=_("This server's FHIR base as the subscriber used it."))
    headers = models.JSONField(default=list, blank=True)
    payload = models.CharField(max_length=10, choices=Payload.choices, default=Payload.ID_ONLY)
    heartbeat_seconds = models.PositiveIntegerField(null=True, blank=True)
    timeout_seconds = models.PositiveIntegerField(default=10)
    max_count = models.PositiveIntegerField(default=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    error = models.TextField(blank=True)
    end = models.DateTimeField(null=True, blank=True)
    events_since_start = models.PositiveBigIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text=_("Failed deliveries in a row."))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("FHIR subscription")
        verbose_name_plural = _("FHIR subscriptions")
        indexes = [models.Index(fields=["status", "topic"], name="fhir_subscription_live")]

    def __str__(self) -> str:
        return f"Subscription/{self.fhir_id} ({self.status})"


class SubscriptionEvent(models.Model):
    """One change a subscription heard of, numbered per subscription; kept until delivered (nothing lost)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    number = models.PositiveBigIntegerField()
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    person = models.ForeignKey("people.Person", null=True, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    withheld = models.BooleanField(default=False, help_text=_("Not sent: the owner could no longer read it."))

    class Meta:
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")
        ordering = ["subscription", "number"]
        constraints = [models.UniqueConstraint(fields=["subscription", "number"], name="fhir_subscription_event_no")]
        indexes = [models.Index(fields=["subscription", "delivered_at"], name="fhir_subscription_pending")]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.number} {self.resource_type}/{self.resource_id}"


class ExportJob(models.Model):
    """One FHIR Bulk Data ``$export`` request (issue 20, decision 0026): what was asked, by whom, how far it got.

    The kick-off action creates it and enqueues the job in the same transaction; the worker writes the
    ndjson files through the storage API under ``settings.EXPORT_ROOT`` and fills in the counts; the
    nightly clean-up removes the files and the row once ``expires_at`` has passed.
    """

    class Level(models.TextChoices):
        SYSTEM = "system", _("whole system")
        PATIENT = "patient", _("all patients")
        GROUP = "group", _("a group")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("ready")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    level = models.CharField(max_length=10, choices=Level.choices)
    group = models.CharField(max_length=100, blank=True, help_text=_("The Group's id, for a group-level export."))
    params = models.JSONField(default=dict, blank=True)
    request_url = models.TextField(blank=True)
    pseudonymised = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    counts = models.JSONField(default=dict, blank=True)
    output = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk export")
        verbose_name_plural = _("bulk exports")
        indexes = [models.Index(fields=["requester", "created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"$export {self.key} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def folder(self) -> str:
        """Where its files sit in the export storage."""
        return f"{self.key}"

    @property
    def total(self) -> int:
        return sum(int(v) for v in (self.counts or {}).values())
