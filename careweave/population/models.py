"""Which population dataset is loaded, and the permission to see person-level outreach lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
