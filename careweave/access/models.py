"""Consent, access and audit (C5).

Access to a person's data rests on a care relationship (team membership, an appointed case
manager), the person's own consent, or a recorded break-the-glass reason. The person can make
the default access matrix stricter or looser with :class:`AccessRule`. Every read and write of
personal data leaves an :class:`AuditEvent` that the person can see.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class Level(models.IntegerChoices):
    """How much of a person's file someone sees. Ordered: a higher level includes the lower."""

    NONE = 0, _("no access")
    PLAN = 1, _("the shared plan without medical detail")
    FULL = 2, _("the full plan including medical detail")


class AccessRule(VersionedModel):
    """The person's own choice, stricter or looser than the default matrix (FHIR Consent).

    Applies to one professional, one informal-network member, or a whole sector
    (e.g. "welfare professionals in my team may see medical detail").
    """

    class Sector(models.TextChoices):
        CARE = "care", _("care professionals")
        WELFARE = "welfare", _("welfare professionals")
        INFORMAL = "informal", _("informal carers")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="access_rules")
    professional = models.ForeignKey(
        "people.Professional", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    related_person = models.ForeignKey(
        "people.RelatedPerson", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sector = models.CharField(_("everyone in"), max_length=10, choices=Sector.choices, blank=True)
    level = models.IntegerField(_("may see"), choices=Level.choices)
    valid_from = models.DateTimeField(_("from"), default=timezone.now)
    valid_until = models.DateTimeField(_("until"), null=True, blank=True)
    active = models.BooleanField(default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access choice")
        verbose_name_plural = _("access choices")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(professional__isnull=False, related_person__isnull=True, sector="")
                    | models.Q(professional__isnull=True, related_person__isnull=False, sector="")
                    | (models.Q(professional__isnull=True, related_person__isnull=True) & ~models.Q(sector=""))
                ),
                name="access_rule_has_one_grantee",
            )
        ]

    def __str__(self) -> str:
        grantee = self.professional or self.related_person or self.get_sector_display()
        return f"{grantee}: {self.get_level_display()}"

    def is_current(self, at=None) -> bool:  # noqa: ANN001
        at = at or timezone.now()
        return self.active and self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


class BreakGlass(models.Model):
    """Emergency access without a relationship: allowed, time-limited, with a reason, always shown."""

    DURATION_HOURS = 12

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass_events")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"{self.user} → {self.person} ({self.started_at:%Y-%m-%d %H:%M})"


class AuditEvent(models.Model):
    """Who did what with whose data, when and on what basis (FHIR AuditEvent)."""

    class Action(models.TextChoices):
        READ = "R", _("read")
        CREATE = "C", _("create")
        UPDATE = "U", _("update")
        DELETE = "D", _("delete")
        EXECUTE = "E", _("search or other operation")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("allowed")
        DENIED = "denied", _("refused")

    fhir_id = models.UUIDField(unique=True, editable=False, null=True)
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_display = models.CharField(max_length=200)
    user_role = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=1, choices=Action.choices)
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    basis = models.CharField(_("basis"), max_length=30, blank=True)
    reason = models.TextField(blank=True)
    channel = models.CharField(max_length=10, default="web")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["person", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M} {self.user_display} {self.get_action_display()} {self.resource_type}"


class ApiToken(models.Model):
    """A bearer token for the FHIR API. Only a hash is stored; the token is shown once.

    Every token expires (``API_TOKEN_DAYS`` by default) and can be revoked by its owner; all of a
    user's tokens are revoked when the password changes or the account is deactivated
    (``careweave.access.receivers``). Create and revoke through ``careweave.access.actions``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="cli")
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        # A token is 32 random bytes: a fast hash is enough (no dictionary to guess from), and it lets
        # every API request find its token with one indexed lookup.
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def default_lifetime() -> timedelta:
        return timedelta(days=settings.API_TOKEN_DAYS)

    @classmethod
    def issue(cls, user, name: str = "cli", days: int | None = None) -> str:  # noqa: ANN001
        """Store a new token for ``user`` and return its secret (the only time it is known).

        Low level: pages and the CLI go through ``actions.create_api_token`` (checked, audited).
        """
        return cls.issue_token(user, name, days)[1]

    @classmethod
    def issue_token(cls, user, name: str = "cli", days: int | None = None) -> tuple[ApiToken, str]:  # noqa: ANN001
        token = "cw_" + secrets.token_urlsafe(32)
        now = timezone.now()
        lifetime = timedelta(days=days) if days else cls.default_lifetime()
        obj = cls.objects.create(
            user=user, name=name, prefix=token[:8], digest=cls.hash(token), created_at=now, expires_at=now + lifetime
        )
        return obj, token

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.is_expired

    @classmethod
    def find(cls, token: str) -> ApiToken | None:
        """The stored token for a secret, whatever its state (revoked, expired), or None."""
        return cls.objects.select_related("user").filter(digest=cls.hash(token)).first()

    @classmethod
    def authenticate(cls, token: str):  # noqa: ANN206
        """The token's user if the token is usable now, else None; notes when it was last used."""
        obj = cls.find(token)
        if obj is None or not obj.is_usable or not obj.user.is_active:
            return None
        obj.touch()
        return obj.user

    def touch(self) -> None:
        """Record use, at most once a minute (no write on every API request)."""
        now = timezone.now()
        if not self.last_used_at or (now - self.last_used_at).total_seconds() > 60:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
