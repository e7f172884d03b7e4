"""Notifications (decision 0030): one event, fanned out to its recipients' inboxes, e-mails and phones.

Nothing here holds health detail: an event stores what happened (a kind code), on whose file, by whom,
and the link to the place; the reader's permission on that place is asked again whenever it is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.notifications.kinds import CHOICES


class Event(models.Model):
    """Something happened on a person's file (or to a user) that some people should notice."""

    kind = models.CharField(max_length=40, db_index=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    target_type = models.CharField(max_length=60, blank=True, help_text="app.model of the target, e.g. careplans.task")
    target_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="where the reader acts on it (a path)")
    medical = models.BooleanField(default=False, help_text="the target needs full access to the file")
    context = models.JSONField(default=dict, blank=True, help_text="short codes only, never free text")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_type}:{self.target_id}"

    @property
    def sentence(self) -> str:
        """What happened, in general terms, in the active language."""
        from careweave.notifications.kinds import KINDS

        spec = KINDS.get(self.kind)
        return str(spec.sentence) if spec else self.kind


class Notification(models.Model):
    """One event in one reader's inbox, with the e-mail choice that applied when it was fanned out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=CHOICES, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-event__created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["email", "digested_at"], name="notif_digest_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.event}"

    # The permission table resolves a target's person through these (access.permissions.person_of).
    @property
    def person(self):  # noqa: ANN201
        return self.event.person

    @property
    def is_medical(self) -> bool:
        return self.event.medical


class EmailChoice(models.Model):
    """A reader's choice for one kind: at once, in the daily digest, or never (else the kind's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    choice = models.CharField(max_length=10, choices=CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_one_choice_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.choice}"


class Delivery(models.Model):
    """One e-mail, digest or push message on its way: kept until sent, and kept when it failed."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        DIGEST = "digest", _("daily digest")
        PUSH = "push", _("web push")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (no address, or no longer visible)")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_id}: {self.status}"


class PushSubscription(models.Model):
    """A browser's push endpoint for one user (one per device); removed when the push service says 404/410."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
