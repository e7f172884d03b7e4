"""The care team around a person (C2): who is in it, in which role, and since when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class CareTeam(VersionedModel):
    """Everyone who helps one person: professionals and the informal network. The person decides."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="care_teams")
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("care team")
        verbose_name_plural = _("care teams")

    def __str__(self) -> str:
        return self.name or _("Care team of %(person)s") % {"person": self.person}

    def active_members(self) -> models.QuerySet[TeamMember]:
        return self.members.filter(status=TeamMember.Status.ACTIVE).select_related("professional", "related_person")


class TeamMember(models.Model):
    """One membership period. Never deleted: ending it keeps the history of who was in the team when."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed, awaiting the person's agreement")
        ACTIVE = "active", _("member")
        DECLINED = "declined", _("declined by the person")
        ENDED = "ended", _("no longer a member")

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="members")
    professional = models.ForeignKey(
        "people.Professional", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    related_person = models.ForeignKey(
        "people.RelatedPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role in the team"), max_length=100, blank=True)
    is_reference_person = models.BooleanField(
        _("reference person"), default=False, help_text=_("The first point of contact for the person.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start = models.DateTimeField(_("member since"), default=timezone.now)
    end = models.DateTimeField(_("member until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A reason the system generated (e.g. "referred: …", careweave.generated), shown in the reader's language
    # while ``reason`` is empty (issue 18.25).
    message_code = models.CharField(max_length=60, blank=True, editable=False)
    message_params = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(professional__isnull=False, related_person__isnull=True)
                    | models.Q(professional__isnull=True, related_person__isnull=False)
                ),
                name="member_is_professional_xor_related_person",
            ),
        ]
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def member(self):  # noqa: ANN201 - a Professional or a RelatedPerson
        return self.professional or self.related_person

    @property
    def user(self):  # noqa: ANN201
        return self.member.user if self.member else None

    @property
    def is_informal(self) -> bool:
        return self.related_person_id is not None

    @property
    def display_role(self) -> str:
        """The role in the reader's language: a stored code (``people.roles``) is rendered, a typed role kept."""
        if self.role:
            from careweave.people.roles import role_label

            return role_label(self.role)
        if self.professional_id:
            return self.professional.get_discipline_display()
        return self.related_person.get_relationship_display()
