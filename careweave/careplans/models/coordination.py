"""Care-and-welfare coordination and case management (C4).

The rules come from the consortium's final report, part B1 (``shared/seeds/001_…txt``):
coordination is a role inside the team (l. 19420-19430), started on request of the person, a
representative or the professionals (l. 19437-19442), with the person's or informal carer's
agreement on who holds it (l. 19492-19494); it ends when needs fade or the person/carer takes it
over, then non-reimbursable (l. 19505-19514). A case manager is external to the team (l. 19700,
19942-19944), called in via a central contact point (l. 19781-19785), "as short as possible, as
long as necessary", possibly several times (l. 19795-19805); both may coexist (l. 19631), but one
professional cannot be both for the same person (l. 19963-19970). The meso level registers who
is trained and the capacity (l. 19912-19916).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoordinationEpisode(models.Model):
    """One period in which a team member (or the person/carer) holds the coordinator role."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        REFUSED = "refused", _("refused by the person")
        ENDED = "ended", _("ended")

    class Initiator(models.TextChoices):
        PERSON = "person", _("the person")
        REPRESENTATIVE = "representative", _("the person's representative")
        TEAM = "team", _("the team (professional judgement)")
        CASE_MANAGER = "case_manager", _("the case manager")

    class EndReason(models.TextChoices):
        NEEDS_FADED = "needs_faded", _("the care needs have faded")
        TAKEN_OVER_BY_PERSON = "taken_over_by_person", _("the person takes coordination over")
        TAKEN_OVER_BY_CARER = "taken_over_by_carer", _("the informal carer takes coordination over")
        HANDED_BACK = "handed_back", _("the coordinator handed the role back")
        HANDED_OVER = "handed_over", _("another team member took the role on")
        LEFT_TEAM = "left_team", _("the coordinator left the care team")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("the person withdrew their agreement")
        DECEASED = "deceased", _("the person died")
        MDO_DECISION = "mdo_decision", _("a multidisciplinary consultation decided to stop it")

    team = models.ForeignKey("careplans.CareTeam", on_delete=models.CASCADE, related_name="coordination_episodes")
    coordinator = models.ForeignKey(
        "careplans.TeamMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordination_episodes",
        help_text=_("Empty when the person coordinates their own care."),
    )
    held_by_person = models.BooleanField(_("the person coordinates their own care"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    initiated_by = models.CharField(_("started on request of"), max_length=20, choices=Initiator.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested on"))
    reason = models.TextField(_("why coordination is needed"), blank=True)
    assessment = models.CharField(_("supporting assessment"), max_length=200, blank=True)
    accepted_by_coordinator_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed by the person on"), null=True, blank=True)
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason for ending"), max_length=30, choices=EndReason.choices, blank=True)
    reimbursable = models.BooleanField(
        _("reimbursable"),
        default=True,
        help_text=_("Coordination by the person or an informal carer is not reimbursable."),
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("coordination episode")
        verbose_name_plural = _("coordination episodes")
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        holder = self.coordinator or _("the person")
        return f"{holder} ({self.get_status_display()})"


class TrainingRecord(models.Model):
    """Meso-level registry: who is trained as coordinator or case manager, and for what caseload."""

    class Function(models.TextChoices):
        COORDINATOR = "coordinator", _("care-and-welfare coordinator")
        CASE_MANAGER = "case_manager", _("case manager")

    professional = models.ForeignKey("people.Professional", on_delete=models.CASCADE, related_name="trainings")
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    zone = models.ForeignKey("territory.Zone", on_delete=models.CASCADE, related_name="trained_professionals")
    trained_on = models.DateField(_("trained on"))
    capacity = models.PositiveSmallIntegerField(_("caseload capacity"), default=20)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        unique_together = [("professional", "function", "zone")]
        verbose_name = _("training record")
        verbose_name_plural = _("registry of trained professionals")

    def __str__(self) -> str:
        return f"{self.professional} — {self.get_function_display()} ({self.zone})"


class Trigger(models.TextChoices):
    """Why someone rings the bell for case management (report l. 19736-19772)."""

    UNSTABLE_COMPLEX = "unstable_complex", _("unstable or complex situation")
    NO_REPRESENTATION = "no_representation", _("nobody represents the person in the team")
    NO_COORDINATION = "no_coordination", _("coordination is absent and help is needed to start it")
    COORDINATION_FAILED = "coordination_failed", _("coordination went wrong and care is failing")
    CARE_REFUSAL = "care_refusal", _("the person refuses care and endangers themselves")
    OWN_REQUEST = "own_request", _("the person asks for it")


class CaseManagementRequest(models.Model):
    """Someone "rings the bell" at the zone's central contact point (meldpunt)."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for assessment")
        APPOINTED = "appointed", _("case manager appointed")
        DECLINED = "declined", _("not needed")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="case_management_requests")
    zone = models.ForeignKey(
        "territory.Zone", null=True, on_delete=models.SET_NULL, related_name="case_management_requests"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reporter_role = models.CharField(_("reported by"), max_length=100)
    triggers = models.JSONField(_("triggers"), default=list)
    description = models.TextField(_("situation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("reported on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case-management request")
        verbose_name_plural = _("case-management requests")

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"

    def trigger_labels(self) -> list[str]:
        return [str(Trigger(t).label) for t in self.triggers if t in Trigger.values]


class CaseManagementEpisode(models.Model):
    """A case manager appointed by a zone actor, external to the care team."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    class EndReason(models.TextChoices):
        STABILISED = "stabilised", _("the situation is stable again")
        COORDINATION_IN_PLACE = "coordination_in_place", _("coordination is in place")
        PERSON_REFUSED = "person_refused", _("the person no longer wants it")
        MOVED = "moved", _("the person moved")
        DECEASED = "deceased", _("the person died")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="case_management_episodes")
    request = models.ForeignKey(CaseManagementRequest, null=True, on_delete=models.SET_NULL, related_name="episodes")
    case_manager = models.ForeignKey(
        "people.Professional", on_delete=models.PROTECT, related_name="case_management_episodes"
    )
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    zone = models.ForeignKey("territory.Zone", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(_("started on"))
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason for ending"), max_length=30, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("case-management episode")
        verbose_name_plural = _("case-management episodes")
        indexes = [models.Index(fields=["person", "status"]), models.Index(fields=["case_manager", "status"])]

    def __str__(self) -> str:
        return f"{self.case_manager} → {self.person}"
