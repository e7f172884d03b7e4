"""Territories: zones of several kinds that overlap, and the social map ("sociale kaart") on them.

A person is never locked to one zone (001 l.3050-3056): zones describe where services are and
who plans for which population; they never decide where someone may seek care.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.people.models import Discipline, Language, Sector
from careweave.versioning import VersionedModel


class Zone(models.Model):
    """A geographic unit at meso level: a primary-care zone (ELZ), a zorgraad, a Brussels bassin..."""

    class Kind(models.TextChoices):
        ELZ = "elz", _("primary-care zone (ELZ)")
        ZORGRAAD = "zorgraad", _("care council (zorgraad)")
        BRUSSELS_BASSIN = "bassin", _("Brussels care basin")
        WALLOON_ZONE = "zone_wal", _("Walloon primary-care zone")
        MUNICIPALITY = "municipality", _("municipality")
        HOSPITAL_NETWORK = "hospital_network", _("hospital network")
        # C10-R01/R02/R04/R07 (001 l.2863-2877, l.2917-2927, l.20048-20052): more layers that overlap.
        REGIONAL_CARE_ZONE = "regional_zone", _("regional care zone")
        BRUSSELS_GROUPEMENT = "groupement", _("Brussels groupement de quartiers")
        BRUSSELS_QUARTIER = "quartier", _("Brussels quartier")
        STATISTICAL_SECTOR = "stat_sector", _("statistical sector")
        MENTAL_HEALTH_NETWORK = "ggz_network", _("mental-health network")

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
    postal_codes = models.CharField(
        _("postal codes"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Postal codes (separated by spaces) whose addresses fall in this zone; used to derive membership."),
    )
    overlaps = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("overlaps with"),
        help_text=_("Zones of another kind that cover part of the same area (crosswalk)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    def ancestors(self) -> list[Zone]:
        """The zones this one is part of (a quartier in its groupement in its bassin), nearest first."""
        out: list[Zone] = []
        current = self.parent
        while current is not None and current not in out:
            out.append(current)
            current = current.parent
        return out


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


# --------------------------------------------------------------------------- the social map


class Location(VersionedModel):
    """Where a service is offered: an address with coordinates (FHIR Location).

    One location can host several disciplines (a multidisciplinary practice, 001 l.6781-6785).
    """

    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10)
    municipality = models.CharField(_("municipality"), max_length=100)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    wheelchair_access = models.BooleanField(_("wheelchair accessible"), default=False)
    zones = models.ManyToManyField(Zone, blank=True, related_name="locations", verbose_name=_("zones"))
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.name}, {self.municipality}"

    def clean(self) -> None:
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("A latitude lies between -90 and 90 degrees.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("A longitude lies between -180 and 180 degrees.")
        if self.postal_code and not self.postal_code.isdigit():
            errors["postal_code"] = _("A Belgian postal code has four digits.")
        if errors:
            raise ValidationError(errors)

    @property
    def address_line(self) -> str:
        return ", ".join(part for part in [self.street, f"{self.postal_code} {self.municipality}"] if part.strip())


class Service(VersionedModel):
    """An entry on the social map: what a provider offers, where, in which languages, when (FHIR HealthcareService).

    Care and welfare alike (001 l.3339-3341, l.10477-10489), including mental-health entry points and
    rights services (000 l.372-373, l.416-422). The provider keeps its own entry (001 l.20354-20356).
    """

    class Category(models.TextChoices):
        CARE = "care", _("care")
        WELFARE = "welfare", _("welfare")
        MENTAL_HEALTH_ENTRY = "mh_entry", _("mental-health entry point")
        RIGHTS = "rights", _("rights and benefits")
        COMMUNITY = "community", _("neighbourhood and community")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.CARE)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, default=Sector.CARE)
    organisation = models.ForeignKey(
        "people.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="services",
        verbose_name=_("organisation"),
    )
    professional = models.ForeignKey(
        "people.Professional", null=True, blank=True, on_delete=models.SET_NULL, related_name="services",
        verbose_name=_("professional"),
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="services",
                                 verbose_name=_("location"))
    languages = models.CharField(_("languages spoken"), max_length=40, default="nl", help_text=_("e.g. nl,fr"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    accepts_referrals = models.BooleanField(_("accepts referrals"), default=True)
    home_visits = models.BooleanField(_("home visits"), default=False)
    active = models.BooleanField(_("active"), default=True)
    managed_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_services", verbose_name=_("kept up to date by"),
    )
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["discipline", "active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def language_list(self) -> list[str]:
        return self.codes(self.languages)

    @staticmethod
    def codes(languages: str) -> list[str]:
        """``"nl, fr"`` -> ``["nl", "fr"]`` (the search ranks on the raw column, without loading the service)."""
        return [code.strip() for code in languages.split(",") if code.strip()]

    @property
    def language_names(self) -> list[str]:
        names = dict(Language.choices)
        return [str(names.get(code, code)) for code in self.language_list]

    def is_open_at(self, moment) -> bool:  # noqa: ANN001
        """Open at this (local) moment according to the weekly opening hours."""
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        t = local.time()
        return any(h.opens <= t < h.closes for h in self.hours.all() if h.weekday == local.weekday())


class OpeningHours(models.Model):
    """One time range on one weekday; a day can have several (morning and afternoon)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")),
                                              name="territory_hours_close_after_open")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Referral(VersionedModel):
    """A referral ("doorverwijzing", 001 l.18872-18876) to a social-map service (FHIR ServiceRequest).

    Accepting it does not put the receiver in the team: the person agrees first (001 l.20702-20704).
    """

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        DONE = "done", _("done")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("routine")
        URGENT = "urgent", _("urgent")
        ASAP = "asap", _("as soon as possible")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey("people.Professional", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="referrals_sent")
    receiver = models.ForeignKey("people.Professional", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="referrals_received")
    reason = models.CharField(_("reason for referral"), max_length=300)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    note = models.TextField(_("note for the receiver"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    team_member = models.ForeignKey("careplans.TeamMember", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.person} → {self.service}"
