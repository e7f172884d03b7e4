"""Appointments with the person and the secret token of each user's iCalendar feed.

An MDO stays a ``consultations.Consultation`` (its own rules, decision 0016); the calendar shows both. An
appointment's note follows the journal's label rule (decision 0004): marked medical, it needs full access.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class Appointment(VersionedModel):
    """A meeting with the person: a home visit, a consultation, a phone call (FHIR Appointment)."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("home visit")
        CONSULTATION = "consultation", _("consultation")
        PHONE_CALL = "phone_call", _("phone call")
        OTHER = "other", _("other appointment")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")
        DONE = "done", _("done")

    OPEN = (Status.PROPOSED, Status.BOOKED)

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOME_VISIT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_medical = models.BooleanField(_("medical detail"), default=False)
    members = models.ManyToManyField("careplans.TeamMember", blank=True, related_name="appointments",
                                     verbose_name=_("team members taking part"))
    with_person = models.BooleanField(_("the person takes part"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["person", "start"]), models.Index(fields=["start"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


def hash_token(token: str) -> str:
    """The feed token as stored: a SHA-256 of a 256-bit random value needs no salt or slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(models.Model):
    """The secret of one user's calendar feed URL; only its hash is kept, so a new one is the only way back."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    show_titles = models.BooleanField(
        _("show titles and names in my calendar app"), default=False,
        help_text=_("Off: events say only “Appointment”, “MDO” or “Task due” and the person's initials."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)
