"""Which population dataset is loaded, and the permission to see person-level outreach lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class PopulationDataset(models.Model):
    """A generated or imported dataset (Parquet directory) that the dashboard reads."""

    path = models.CharField(_("path"), max_length=500, unique=True)
    source = models.CharField(_("source"), max_length=20, default="synthetic")
    persons = models.PositiveIntegerField(_("persons"), default=0)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    zone = models.CharField(_("zone"), max_length=40, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("population dataset")
        verbose_name_plural = _("population datasets")
        permissions = [("view_outreach_list", _("Can view the person-level outreach list"))]

    def __str__(self) -> str:
        return f"{self.path} ({self.persons} persons)"


class WorkIndicatorRun(models.Model):
    """One run of the zone's population pipeline (issue #20, decision 0027): its progress, then its results.

    ``results`` holds only what a meso user may see: per indicator the suppressed numbers (hidden cells carry
    none) and the coverage; never a pseudonym or a row per person. The dashboard reads the zone's latest
    finished run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly")
        ASKED = "asked", _("asked by zone staff")

    zone = models.CharField(_("zone"), max_length=40, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("asked by"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.ASKED)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=20, blank=True)
    engine = models.CharField(_("engine"), max_length=10, default="duckdb")
    as_of = models.DateField(_("reference day"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("population pipeline run")
        verbose_name_plural = _("population pipeline runs")

    def __str__(self) -> str:
        return f"{self.zone} {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


# --------------------------------------------------------------------------- outreach that reaches someone (#20)


class OutreachList(VersionedModel):
    """A pseudonymous outreach list zone staff sent "to the GPs" (issue #20).

    The filters say which list (reason, level, municipality); ``size`` is how many pseudonyms it held
    and ``matched`` how many lead to a person Careweave holds. Only the matched ones are kept, as
    items; every GP then sees, named, those who are their own patients.
    """

    zone = models.ForeignKey("territory.Zone", on_delete=models.PROTECT, related_name="outreach_lists")
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    level = models.PositiveSmallIntegerField(_("pyramid level"), null=True, blank=True)
    municipality = models.PositiveIntegerField(_("municipality (NIS)"), null=True, blank=True)
    note = models.CharField(_("note for the GPs"), max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("sent on"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("outreach list")
        verbose_name_plural = _("outreach lists")

    def __str__(self) -> str:
        return f"{self.zone.code} {self.reason or '*'} {self.sent_at:%Y-%m-%d}"


class OutreachItem(VersionedModel):
    """One person of a sent list whom Careweave holds; the GP records the follow-up."""

    class State(models.TextChoices):
        OPEN = "open", _("to follow up")
        FOLLOWED_UP = "followed_up", _("followed up")
        NOT_RELEVANT = "not_relevant", _("not relevant")

    outreach_list = models.ForeignKey(OutreachList, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="outreach_items")
    level = models.PositiveSmallIntegerField(default=0)
    reasons = models.CharField(max_length=200, blank=True)  # outreach rule ids, ";"-separated (codes)
    state = models.CharField(_("follow-up"), max_length=14, choices=State.choices, default=State.OPEN)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["outreach_list", "pk"]
        verbose_name = _("outreach list item")
        verbose_name_plural = _("outreach list items")
        constraints = [models.UniqueConstraint(fields=["outreach_list", "person"], name="population_item_once")]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self) -> str:
        return f"{self.outreach_list_id}:{self.person_id} {self.state}"

    @property
    def zone(self):  # noqa: ANN201 - the list's zone (the permission table asks for it)
        return self.outreach_list.zone


# --------------------------------------------------------------------------- PDCA: learning, not sanctioning (#20)


class PdcaTarget(VersionedModel):
    """A zone's target for one indicator (plan), with actions (do), reviews (check/act) and the trend."""

    zone = models.ForeignKey("territory.Zone", on_delete=models.PROTECT, related_name="pdca_targets")
    indicator = models.CharField(_("indicator"), max_length=60)
    target_value = models.FloatField(_("target value"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    rationale = models.TextField(_("why this target"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["zone", "indicator"]
        verbose_name = _("zone target")
        verbose_name_plural = _("zone targets")
        constraints = [models.UniqueConstraint(fields=["zone", "indicator"], name="population_target_once")]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.indicator} {self.target_value}"


class PdcaAction(VersionedModel):
    """A planned improvement action with its owner and date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    target = models.ForeignKey(PdcaTarget, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    owner_name = models.CharField(_("owner"), max_length=120)
    due_date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def zone(self):  # noqa: ANN201
        return self.target.zone


class PdcaReview(VersionedModel):
    """A review moment: planned on a date; afterwards, what was learned and what changes."""

    target = models.ForeignKey(PdcaTarget, on_delete=models.CASCADE, related_name="reviews")
    planned_on = models.DateField(_("review on"))
    held = models.BooleanField(_("held"), default=False)
    learned = models.TextField(_("what we learned and what we change"), blank=True)

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("review moment")
        verbose_name_plural = _("review moments")

    def __str__(self) -> str:
        return f"{self.target} {self.planned_on}"

    @property
    def zone(self):  # noqa: ANN201
        return self.target.zone
