"""Which population dataset is loaded, and the permission to see person-level outreach lists."""

from __future__ import annotations

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
