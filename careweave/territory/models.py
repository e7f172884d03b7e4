"""Territories: zones of several kinds that overlap. A person is never locked to one zone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.Model):
    """A geographic unit at meso level: a primary-care zone (ELZ), a zorgraad, a Brussels bassin..."""

    class Kind(models.TextChoices):
        ELZ = "elz", _("primary-care zone (ELZ)")
        ZORGRAAD = "zorgraad", _("care council (zorgraad)")
        BRUSSELS_BASSIN = "bassin", _("Brussels care basin")
        WALLOON_ZONE = "zone_wal", _("Walloon primary-care zone")
        MUNICIPALITY = "municipality", _("municipality")
        HOSPITAL_NETWORK = "hospital_network", _("hospital network")

    class Region(models.TextChoices):
        FLANDERS = "flanders", _("Flanders")
        BRUSSELS = "brussels", _("Brussels")
        WALLONIA = "wallonia", _("Wallonia")
        GERMAN_COMMUNITY = "german", _("German-speaking Community")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ELZ)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name=_("part of")
    )
    population = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class ZoneStaff(models.Model):
    """A user acting for a zone at meso level (e.g. the meldpunt that appoints case managers)."""

    class Role(models.TextChoices):
        STAFF = "staff", _("zone staff")
        CONTACT_POINT = "contact_point", _("central contact point (meldpunt)")
        POLICY = "policy", _("policy maker")

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="zone_roles")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)

    class Meta:
        unique_together = [("user", "zone", "role")]
        verbose_name = _("zone staff member")
        verbose_name_plural = _("zone staff")

    def __str__(self) -> str:
        return f"{self.user} — {self.zone} ({self.get_role_display()})"
