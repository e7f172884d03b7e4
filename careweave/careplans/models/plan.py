"""The shared care and support plan (C3): life goals -> care/support goals -> tasks, and the journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class CarePlan(VersionedModel):
    """One shared plan per care situation. Goals take shape over time: no forced deadlines."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ON_HOLD = "on-hold", _("on hold")
        COMPLETED = "completed", _("completed")
        REVOKED = "revoked", _("stopped")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="care_plans")
    team = models.ForeignKey(
        "careplans.CareTeam", null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("summary of the situation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    review_date = models.DateField(_("next review"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("care and support plan")
        verbose_name_plural = _("care and support plans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class LifeGoal(VersionedModel):
    """What matters to the person, in their own words ("I want to keep walking to the market")."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="life_goals")
    text = models.TextField(_("life goal, in the person's own words"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("life goal")
        verbose_name_plural = _("life goals")

    def __str__(self) -> str:
        return self.text[:80]


class Goal(VersionedModel):
    """A care or support goal, derived from a life goal where there is one (FHIR Goal)."""

    class Kind(models.TextChoices):
        CARE = "care", _("care goal")
        SUPPORT = "support", _("support goal")

    class Domain(models.TextChoices):
        HEALTH = "health", _("physical health")
        MENTAL = "mental", _("mental wellbeing")
        DAILY_LIVING = "daily_living", _("daily living")
        SOCIAL = "social", _("social contacts and participation")
        HOUSING = "housing", _("housing")
        INCOME = "income", _("income and administration")
        WORK_SCHOOL = "work_school", _("work, school and daytime activity")
        CARER = "carer", _("support for the informal carer")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("being worked on")
        ON_HOLD = "on-hold", _("on hold")
        ACHIEVED = "completed", _("achieved")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    life_goal = models.ForeignKey(LifeGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals")
    description = models.TextField(_("goal"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CARE)
    domain = models.CharField(_("life domain"), max_length=20, choices=Domain.choices, default=Domain.HEALTH)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    target_date = models.DateField(_("target date (optional)"), null=True, blank=True)
    is_medical = models.BooleanField(
        _("medical detail"),
        default=False,
        help_text=_("Medical goals are hidden from welfare professionals unless the person allows it."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("care or support goal")
        verbose_name_plural = _("care and support goals")

    def __str__(self) -> str:
        return self.description[:80]


class Task(VersionedModel):
    """Who does what: a task assigned to a named member of the team (FHIR Task)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("to do")
        ACCEPTED = "accepted", _("accepted")
        IN_PROGRESS = "in-progress", _("in progress")
        COMPLETED = "completed", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS)

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    description = models.TextField(_("task"))
    assignee = models.ForeignKey(
        "careplans.TeamMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    assigned_to_person = models.BooleanField(_("assigned to the person themselves"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    completed_at = models.DateTimeField(_("done on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_medical = models.BooleanField(_("medical detail"), default=False)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "status"]), models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Agreement(models.Model):
    """An agreement the team and the person made ("the daughter calls every evening")."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="agreements")
    text = models.TextField(_("agreement"))
    agreed_on = models.DateField(_("agreed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-agreed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.text[:80]


class JournalEntry(VersionedModel):
    """A message in the shared journal ("zorgschrift"), visible to the team including the person."""

    class CarerFeeling(models.TextChoices):
        """How an informal carer says they are doing: a code, so every reader sees it in their language."""

        GOOD = "good", _("I am managing well")
        HEAVY = "heavy", _("It is getting heavy")
        TOO_MUCH = "too_much", _("It is too much, I need help")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="journal")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=200)
    text = models.TextField(_("message"))
    is_medical = models.BooleanField(_("medical detail"), default=False)
    is_carer_checkin = models.BooleanField(_("informal-carer check-in"), default=False)
    carer_feeling = models.CharField(
        _("how the carer is doing"), max_length=10, choices=CarerFeeling.choices, blank=True
    )
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return self.text[:80]


class PlanReview(models.Model):
    """A review of the plan with the person; sets the next review date."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.plan} — {self.reviewed_on}"
