"""The pathway registry (001 l.19150-19199) and enrolments in programmes (C7).

A :class:`Pathway` has an owner and versions; each :class:`PathwayVersion` goes through the eight
steps of the lifecycle and carries its plan template (data, see ``template.py``). Only a version
that has passed validation (rolled out or being monitored) is used to enrol. An
:class:`Enrolment` instantiates the template in the person's one plan: its :class:`EnrolmentItem`
rows remember which goal or task each template item became, so enrolling or recomputing twice
never duplicates anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from careweave.programmes.template import text_in
from careweave.versioning import VersionedModel


class Step(models.TextChoices):
    """The eight steps of a pathway's lifecycle (001 l.19155-19199)."""

    REQUEST = "request", _("1. Request and intake")
    CO_CREATION = "co_creation", _("2. Co-creation")
    FEEDBACK = "feedback", _("3. Feedback from experts and the field")
    CONCEPTUAL_CHECK = "conceptual_check", _("4. Conceptual check, incl. compatibility")
    FINANCING = "financing", _("5. Financing agreement")
    VALIDATION = "validation", _("6. Validation by a formal body")
    ROLL_OUT = "roll_out", _("7. Roll-out")
    MONITORING = "monitoring", _("8. Monitoring, evaluation and adjustment")


STEP_ORDER = list(Step.values)
USABLE_STEPS = (Step.ROLL_OUT, Step.MONITORING)


class Pathway(models.Model):
    """A care pathway (zorgpad) in the registry, with the one responsible for it (001 l.19088-19094)."""

    class Scope(models.TextChoices):
        MACRO = "macro", _("interfederal / national")
        MESO = "meso", _("zone")
        LOCAL = "local", _("local")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.JSONField(_("title"), default=dict, help_text=_("Per language: nl, fr, de, en."))
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Who is responsible for the pathway."))
    owner_texts = models.JSONField(
        _("owner, per language"), default=dict, blank=True,
        help_text=_("For a shipped pathway: the owner in nl, fr, de, en (shown in the reader's language)."),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_pathways",
        verbose_name=_("owner's account"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.MESO)
    zone = models.ForeignKey(
        "territory.Zone", null=True, blank=True, on_delete=models.PROTECT, related_name="pathways",
        verbose_name=_("zone that keeps it in its inventory"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("care pathway")
        verbose_name_plural = _("care pathways")

    def __str__(self) -> str:
        return self.display_title()

    def display_title(self, language: str | None = None) -> str:
        return text_in(self.title, language or get_language() or "en") or self.code

    def display_owner(self, language: str | None = None) -> str:
        """The owner in the reader's language when the pathway file names it per language, else as typed."""
        return text_in(self.owner_texts, language or get_language() or "en") or self.owner


class PathwayVersion(VersionedModel):
    """One version of a pathway: its lifecycle step and its plan template (a FHIR PlanDefinition)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version"), max_length=30, help_text=_("e.g. 1.0.0 (PlanDefinition.version)"))
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.REQUEST)
    template = models.JSONField(_("plan template"), default=dict)
    source_file = models.CharField(max_length=100, blank=True, help_text=_("Shipped file it was loaded from."))

    class Meta:
        ordering = ["pathway__code", "-created_at"]
        verbose_name = _("pathway version")
        verbose_name_plural = _("pathway versions")
        constraints = [models.UniqueConstraint(fields=["pathway", "label"], name="programmes_pathway_version")]

    def __str__(self) -> str:
        return f"{self.pathway} {self.label}"

    @property
    def usable(self) -> bool:
        """Validated and rolled out: only such a version enrols persons."""
        return self.step in USABLE_STEPS

    @property
    def step_number(self) -> int:
        return STEP_ORDER.index(self.step) + 1


class StepChange(models.Model):
    """Who moved a pathway version from which step to which, when and why (the history)."""

    pathway_version = models.ForeignKey(PathwayVersion, on_delete=models.CASCADE, related_name="history")
    from_step = models.CharField(_("from"), max_length=20, choices=Step.choices, blank=True)
    to_step = models.CharField(_("to"), max_length=20, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_display = models.CharField(_("by"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("step change")
        verbose_name_plural = _("step changes")

    def __str__(self) -> str:
        return f"{self.pathway_version}: {self.from_step or '-'} -> {self.to_step}"

    @property
    def is_rework(self) -> bool:
        return bool(self.from_step) and STEP_ORDER.index(self.to_step) < STEP_ORDER.index(self.from_step)


class Enrolment(VersionedModel):
    """A person in a programme: the version used, the dates, the reference person and the phase."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("in the programme")
        COMPLETED = "completed", _("programme completed")
        ENDED = "ended", _("left the programme")

    class Agreement(models.TextChoices):
        """How the person agreed to the enrolment (issue 17): empty for enrolments made before this was asked."""

        OWN = "own", _("enrolled by the person or their representative")
        RECORDED = "recorded", _("the person's agreement recorded by the professional who enrolled them")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="enrolments")
    plan = models.ForeignKey("careplans.CarePlan", on_delete=models.PROTECT, related_name="enrolments")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="enrolments")
    pathway_version = models.ForeignKey(PathwayVersion, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("in the programme since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=500, blank=True)
    expected_birth = models.DateField(_("expected date of birth"), null=True, blank=True)
    birth_date = models.DateField(_("date of birth of the child"), null=True, blank=True)
    reference_member = models.ForeignKey(
        "careplans.TeamMember", null=True, on_delete=models.PROTECT, related_name="reference_for",
        verbose_name=_("reference person"),
    )
    phase = models.CharField(_("phase"), max_length=40)
    phase_since = models.DateField(_("in this phase since"))
    flags = models.JSONField(
        default=list, blank=True, help_text=_("Compatibility with the person's other programmes, with the reason.")
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreement = models.CharField(_("the person's agreement"), max_length=10, choices=Agreement.choices, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("enrolment in a programme")
        verbose_name_plural = _("enrolments in programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "pathway"], condition=models.Q(status="active"), name="programmes_one_active"
            )
        ]
        indexes = [models.Index(fields=["status", "pathway"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.pathway}"


class PhaseChange(models.Model):
    """The phase history of an enrolment: enrolment, each transition, completion or leaving."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=40, blank=True)
    to_phase = models.CharField(max_length=40)
    on = models.DateField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.from_phase or '-'} -> {self.to_phase} ({self.on})"


class EnrolmentItem(models.Model):
    """Which goal or task of the plan one template item became (the key of idempotence)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=80)
    phase = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    instrument = models.CharField(max_length=60, blank=True)
    goal = models.ForeignKey("careplans.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.ForeignKey("careplans.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "key"], name="programmes_item_once")]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.key}"
