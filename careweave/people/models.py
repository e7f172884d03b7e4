"""People: the person with a care need, professionals, organisations and the informal network (C1)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careweave.people.identifiers import parse_ssin, validate_kbo, validate_nihdi, validate_ssin
from careweave.versioning import VersionedModel


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    FR = "fr", _("French")
    DE = "de", _("German")
    EN = "en", _("English")


class Person(VersionedModel):
    """The person with a care or support need: the centre of the team and of the plan."""

    ssin = models.CharField(
        _("SSIN (national register number)"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ssin],
        help_text=_("11 digits, as on the eID card; bis numbers are accepted."),
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default="nl")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    zone = models.ForeignKey(
        "territory.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
        verbose_name=_("primary-care zone"),
    )
    living_situation = models.CharField(_("living situation"), max_length=200, blank=True)
    communication_needs = models.CharField(
        _("communication needs"),
        max_length=200,
        blank=True,
        help_text=_("For example: sign language interpreter, large print, plain language."),
    )
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # One person per identifier from another system: two imports (or conditional creates) racing
        # each other cannot register the same person twice; the loser finds the winner (fhir/rest.py).
        constraints = [models.UniqueConstraint(fields=["external_id"], condition=~models.Q(external_id=""),
                                               name="people_person_external_id_unique")]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def age(self, on: date | None = None) -> int | None:
        if not self.birth_date:
            return None
        on = on or date.today()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    def clean(self) -> None:
        """Fill birth date and sex from the SSIN when they were left empty (never ask twice)."""
        if self.ssin:
            info = parse_ssin(self.ssin)
            self.ssin = info.number
            if not self.birth_date and info.birth_date:
                self.birth_date = info.birth_date
            if self.sex == Sex.UNKNOWN and info.sex:
                self.sex = info.sex


class Organisation(VersionedModel):
    """A care or welfare organisation (GP practice, home-nursing service, OCMW/CPAS, hospital...)."""

    class Kind(models.TextChoices):
        GP_PRACTICE = "gp_practice", _("GP practice")
        HOME_NURSING = "home_nursing", _("home-nursing service")
        HOSPITAL = "hospital", _("hospital")
        SOCIAL_SERVICE = "social_service", _("social service (OCMW/CPAS)")
        MUTUALITY = "mutuality", _("health insurance fund (mutuality)")
        FAMILY_CARE = "family_care", _("family and home care service")
        MENTAL_HEALTH = "mental_health", _("mental-health service")
        ZONE = "zone", _("primary-care zone")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    nihdi = models.CharField(_("NIHDI number"), max_length=11, blank=True, db_index=True)
    kbo = models.CharField(_("enterprise number (KBO/BCE)"), max_length=10, blank=True, validators=[validate_kbo])
    sector = models.CharField(_("sector"), max_length=10, default="care")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    CARE = "care", _("care")
    WELFARE = "welfare", _("welfare")


class Discipline(models.TextChoices):
    """Disciplines of the care and welfare professionals around a person (PRODUCT.md §1)."""

    GP = "gp", _("general practitioner")
    SPECIALIST = "specialist", _("medical specialist")
    HOME_NURSE = "home_nurse", _("home nurse")
    PHYSIOTHERAPIST = "physio", _("physiotherapist")
    OCCUPATIONAL_THERAPIST = "ot", _("occupational therapist")
    PSYCHOLOGIST = "psychologist", _("psychologist")
    PHARMACIST = "pharmacist", _("pharmacist")
    MIDWIFE = "midwife", _("midwife")
    DIETITIAN = "dietitian", _("dietitian")
    SPEECH_THERAPIST = "speech", _("speech therapist")
    SOCIAL_WORKER = "social_worker", _("social worker")
    FAMILY_AID = "family_aid", _("family aid")
    CASE_MANAGER = "case_manager", _("case manager")
    EDUCATOR = "educator", _("educator / youth worker")
    PEER_WORKER = "peer_worker", _("peer support worker")
    OTHER = "other", _("other")


WELFARE_DISCIPLINES = {
    Discipline.SOCIAL_WORKER,
    Discipline.FAMILY_AID,
    Discipline.EDUCATOR,
    Discipline.PEER_WORKER,
}


class Professional(VersionedModel):
    """A care or welfare professional (FHIR Practitioner)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="professional"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    nihdi = models.CharField(
        _("NIHDI number"),
        max_length=11,
        blank=True,
        db_index=True,
        validators=[validate_nihdi],
        help_text=_("Care professionals have one; welfare professionals usually do not."),
    )
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, default=Sector.CARE)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="professionals",
        verbose_name=_("organisation"),
    )
    languages = models.CharField(_("languages spoken"), max_length=20, default="nl", help_text=_("e.g. nl,fr"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    zone = models.ForeignKey(
        "territory.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="professionals",
        verbose_name=_("zone"),
    )
    active = models.BooleanField(_("active"), default=True)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_welfare(self) -> bool:
        return self.sector == Sector.WELFARE


class PractitionerRole(VersionedModel):
    """What a professional does for which organisation (FHIR PractitionerRole)."""

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="roles"
    )
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("professional role")
        verbose_name_plural = _("professional roles")

    def __str__(self) -> str:
        return f"{self.professional} — {self.get_discipline_display()}"


class RelatedPerson(VersionedModel):
    """Someone from the person's informal network: partner, child, neighbour, friend, volunteer."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", _("partner")
        CHILD = "child", _("son or daughter")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("brother or sister")
        FAMILY = "family", _("other family")
        NEIGHBOUR = "neighbour", _("neighbour")
        FRIEND = "friend", _("friend")
        VOLUNTEER = "volunteer", _("volunteer / buddy")
        GUARDIAN = "guardian", _("legal guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="network")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="related_persons"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    is_informal_carer = models.BooleanField(_("informal carer"), default=True)
    is_representative = models.BooleanField(
        _("representative"),
        default=False,
        help_text=_("Legally or by the person's choice represents the person and decides in their name."),
    )
    has_proxy_access = models.BooleanField(
        _("proxy access"),
        default=False,
        help_text=_("A trusted person who may use Careweave on the person's behalf."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("informal network member")
        verbose_name_plural = _("informal network")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def acts_for_person(self) -> bool:
        """A representative or proxy may act in the person's name (decide team, consent...)."""
        return self.active and (self.is_representative or self.has_proxy_access)


class PersonPseudonym(models.Model):
    """The person's keyed pseudonym in one zone (``population.pseudonyms.pseudonym_id``), indexed.

    The only way back from a pseudonymous population list to a person Careweave holds (issue #20):
    computed from the SSIN with the zone's secret, refreshed by ``people.pseudonyms``, never shown.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pseudonyms")
    zone_code = models.CharField(max_length=40)
    pseudonym = models.BigIntegerField()

    class Meta:
        verbose_name = _("zone pseudonym")
        verbose_name_plural = _("zone pseudonyms")
        constraints = [models.UniqueConstraint(fields=["person", "zone_code"], name="people_pseudonym_per_zone")]
        indexes = [models.Index(fields=["zone_code", "pseudonym"], name="people_pseudonym_lookup")]

    def __str__(self) -> str:
        return f"{self.zone_code}:{self.person_id}"
