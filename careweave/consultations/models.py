"""Multidisciplinary consultation (MDO, C8): the meeting, who is invited and attends, minutes, decisions.

Rules from the seeds (``shared/seeds/001_…txt``): the coordinator organises consultation with the
professionals, the person and their informal network "minstens bij de scharniermomenten"
(l. 19370-19376), e.g. a change of care setting (l. 19479-19485); the reimbursement frame
("verplichte aanwezigheid van de huisarts, maximaal 4 professionals worden vergoed", l. 5218-5224,
l. 6114-6116) is data with a validity period because it is under revision (l. 21062-21064);
informal carers never get a fee (l. 15223-15227).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class ReimbursementRule(models.Model):
    """One version of the MDO reimbursement frame, valid from one day until (excluding) another.

    The rule of an MDO is the one valid on the day it is held; periods may not overlap.
    """

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (excluded)"), null=True, blank=True)
    gp_required = models.BooleanField(_("the general practitioner must attend"), default=True)
    max_paid_professionals = models.PositiveSmallIntegerField(
        _("maximum number of professionals paid"), null=True, blank=True, help_text=_("Empty: no maximum.")
    )
    min_professionals = models.PositiveSmallIntegerField(
        _("minimum number of professionals attending"), default=0,
        help_text=_("Not in the current frame (0); kept so that a revised frame can set one."),
    )
    min_other_professionals = models.PositiveSmallIntegerField(
        _("minimum number of professionals attending besides the general practitioner"), default=0,
        help_text=_("The person and informal carers do not count: a consultation between professionals."),
    )
    informal_carers_paid = models.BooleanField(_("informal carers are paid"), default=False)
    pseudocode = models.CharField(
        _("billing (pseudo)code"), max_length=20, blank=True, help_text=_("Carried on the fee line of the export.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("MDO reimbursement rule")
        verbose_name_plural = _("MDO reimbursement rules")

    def __str__(self) -> str:
        return self.name

    def description(self) -> str:
        """The frame in the reader's language, made from the rule's data (the ``name`` is the administrator's
        label, in whatever language it was typed: issue 18.25)."""
        from django.utils.translation import gettext, ngettext

        terms = []
        if self.gp_required:
            terms.append(gettext("the general practitioner attends"))
        if self.min_other_professionals:
            terms.append(ngettext("at least %(n)s other professional attends",
                                  "at least %(n)s other professionals attend",
                                  self.min_other_professionals) % {"n": self.min_other_professionals})
        if self.min_professionals:
            terms.append(ngettext("at least %(n)s professional attends", "at least %(n)s professionals attend",
                                  self.min_professionals) % {"n": self.min_professionals})
        if self.max_paid_professionals is not None:
            terms.append(ngettext("at most %(n)s professional is paid", "at most %(n)s professionals are paid",
                                  self.max_paid_professionals) % {"n": self.max_paid_professionals})
        if not self.informal_carers_paid:
            terms.append(gettext("informal carers get no fee"))
        return gettext("MDO frame: %(terms)s") % {"terms": "; ".join(terms)}

    def clean(self) -> None:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end of the validity must come after its start.")})
        others = ReimbursementRule.objects.exclude(pk=self.pk)
        overlap = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from))
        if self.valid_until is not None:
            overlap = overlap.filter(valid_from__lt=self.valid_until)
        clash = overlap.first()
        if clash is not None:
            raise ValidationError(
                _("This period overlaps with the rule “%(name)s”; end that one first.") % {"name": clash.name}
            )

    @classmethod
    def valid_on(cls, day: date) -> ReimbursementRule | None:
        return (
            cls.objects.filter(valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
            .order_by("-valid_from")
            .first()
        )


class Consultation(VersionedModel):
    """One multidisciplinary consultation about one person (FHIR Appointment; held = fulfilled)."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid (in person and online)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("to organise")
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held, minutes open")
        CONCLUDED = "concluded", _("concluded")
        CANCELLED = "cancelled", _("cancelled")

    OPEN = (Status.PROPOSED, Status.SCHEDULED, Status.HELD)

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consultations")
    plan = models.ForeignKey(
        "careplans.CarePlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="consultations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    location = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link to the online meeting"), max_length=500, blank=True)
    start = models.DateTimeField(_("starts"), null=True, blank=True)
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    reason = models.TextField(_("why this consultation"), blank=True)
    transition_kind = models.CharField(_("transition point"), max_length=40, blank=True)
    transition_label = models.CharField(_("transition"), max_length=300, blank=True)
    transition_on = models.DateField(_("transition on"), null=True, blank=True)
    transition_key = models.CharField(max_length=200, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("convened by"),
    )
    held_at = models.DateTimeField(_("attendance recorded on"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded on"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reimbursable = models.BooleanField(_("reimbursable"), null=True, blank=True)
    rule = models.ForeignKey(
        ReimbursementRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reimbursement rule"),
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    # The transition sentence the system generated (careweave.generated), rendered for each reader (issue 18.25);
    # ``reason`` stays empty until someone types one.
    message_code = models.CharField(max_length=60, blank=True, editable=False)
    message_params = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-start", "-created_at"]
        verbose_name = _("multidisciplinary consultation")
        verbose_name_plural = _("multidisciplinary consultations")
        indexes = [models.Index(fields=["person", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "transition_key"],
                condition=Q(status="proposed") & ~Q(transition_key=""),
                name="one_open_proposal_per_transition",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.start).strftime("%Y-%m-%d %H:%M") if self.start else ""
        return f"MDO {self.person} {when}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def reason_text(self) -> str:
        """Why: as typed, or the generated transition sentence in the reader's language."""
        from careweave.generated import render

        if self.reason or not self.message_code:
            return self.reason
        return render(self.message_code, self.message_params)

    @property
    def transition_text(self) -> str:
        """The transition point, in the reader's language when the system generated it."""
        from careweave.generated import render

        if self.message_code and self.transition_label:
            return render(self.message_code, self.message_params)
        return self.transition_label

    @property
    def day(self) -> date | None:
        return timezone.localdate(self.start) if self.start else None


class Participant(models.Model):
    """An invitation to the meeting, the answer, and whether the invitee attended.

    Invitees are members of the person's team, or the person themselves (``member`` empty).
    """

    class Response(models.TextChoices):
        PENDING = "pending", _("no answer yet")
        ACCEPTED = "accepted", _("will come")
        DECLINED = "declined", _("cannot come")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(
        "careplans.TeamMember", null=True, blank=True, on_delete=models.PROTECT, related_name="mdo_invitations"
    )
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["invited_at", "pk"]
        verbose_name = _("MDO participant")
        verbose_name_plural = _("MDO participants")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "member"], name="invited_once"),
            models.UniqueConstraint(
                fields=["consultation"], condition=Q(member__isnull=True), name="person_invited_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.member.member) if self.member_id else str(self.consultation.person)

    @property
    def is_person(self) -> bool:
        return self.member_id is None

    @property
    def professional(self):  # noqa: ANN201 - people.Professional or None
        return self.member.professional if self.member_id and self.member.professional_id else None

    @property
    def is_informal(self) -> bool:
        return self.member_id is not None and self.member.related_person_id is not None


class Minutes(VersionedModel):
    """What was discussed; several people may edit, so edits carry the version they started from."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return self.text[:80]


class Decision(models.Model):
    """A decision of the meeting; it becomes a task in the plan for a named team member (C8-R16)."""

    class Coordination(models.TextChoices):
        """The evaluation asked at a transition point (001 l. 19485-19489)."""

        NONE = "", _("not about coordination")
        CONTINUE = "continue", _("coordination continues, reimbursable")
        CONTINUE_UNPAID = "continue_unpaid", _("coordination continues, not reimbursable")
        STOP = "stop", _("coordination stops")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    coordination = models.CharField(
        _("about coordination"), max_length=20, choices=Coordination.choices, blank=True, default=""
    )
    episode = models.ForeignKey(
        "careplans.CoordinationEpisode", null=True, blank=True, on_delete=models.SET_NULL, related_name="mdo_decisions",
        verbose_name=_("coordination it is about"),
    )
    task = models.OneToOneField(
        "careplans.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="mdo_decision"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("MDO decision")
        verbose_name_plural = _("MDO decisions")

    def __str__(self) -> str:
        return self.text[:80]
