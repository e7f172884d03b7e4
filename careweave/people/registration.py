"""Registering a new person, and keeping their contact details up to date (C1, C2, C5).

A GP, nurse or social worker who starts working with someone registers them here; the person,
or their representative, keeps their own phone, e-mail, address and language up to date.

Rules (see docs/domain.md, "Registering a person"):

* only an active care or welfare professional registers a person, with the person's agreement to
  a shared care plan recorded: that agreement is also the person's agreement that the
  registering professional joins their care team (where a professional's proposal would otherwise
  wait for it), so the professional becomes an active member at once;
* the SSIN is required (it is what keeps one person from getting two files) and must agree with
  the date of birth and the sex it encodes; left empty, these are taken from it (never ask twice);
* an SSIN that is already registered creates nothing: a professional who already works with the
  person is sent to their plan, anyone else only learns that the SSIN is known, never whose it is,
  and the attempt is in the person's audit trail;
* contact details are changed by the person, their representative/proxy, or a member of the care
  team (or the appointed case manager) with full access; the person sees who did it in "who
  looked at my file". Identity data (SSIN, names, date of birth, sex) are not changed here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.decisions import Decision, _active_professional, decide
from careweave.access.models import Level
from careweave.access.permissions import authorize, check, may
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.actions.team import enrol_registering_professional
from careweave.careplans.errors import DuplicateRecord, RuleViolation
from careweave.people.identifiers import parse_ssin
from careweave.people.models import Language, Person, Professional, Sex
from careweave.territory.models import Zone

#: What the person, their representative or a full-access team member may change on "My details".
CONTACT_FIELDS = ("phone", "email", "street", "postal_code", "municipality", "language", "communication_needs")
#: What identifies the person: checked against the SSIN at registration, never changed with the contact details.
IDENTITY_FIELDS = frozenset({"ssin", "given_name", "family_name", "birth_date", "sex"})
#: Stored on the membership and in the audit trail (data, not interface text: not translated).
AGREEMENT_REASON = "registered the person, who agreed to a shared care plan with this professional in the team"

_PHONE = re.compile(r"\+?[0-9 ./()\-]+")
_POSTAL_CODE = re.compile(r"[0-9]{4}")
_MAX_LENGTH = {"phone": 40, "email": 254, "street": 200, "municipality": 100, "communication_needs": 200}


class AlreadyRegistered(RuleViolation):
    """The SSIN is already registered. ``person`` is only set when the actor may already open that file."""

    def __init__(self, message: str, person: Person | None = None) -> None:
        super().__init__("already_registered", message)
        self.person = person


# --- checks shared by the domain functions and the web forms ----------------------------------------


def clean_phone(value: str) -> str:
    """Digits and the separators people write; 8 to 15 digits (a Belgian fixed line has 9, E.164 at most 15)."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.fullmatch(value) or "+" in value[1:] or not 8 <= digits <= 15 or len(value) > _MAX_LENGTH["phone"]:
        raise RuleViolation(
            "phone_invalid",
            _(
                "A phone number has 8 to 15 digits and may contain spaces and + . / - ( ), "
                "for example 053 12 34 56 or +32 470 12 34 56."
            ),
        )
    return value


def clean_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise RuleViolation(
            "email_invalid", _("This is not a valid e-mail address, for example maria.peeters@example.be.")
        ) from None
    return value


def clean_postal_code(value: str) -> str:
    """A Belgian postal code: four digits from 1000 to 9999 (addresses abroad are not kept here)."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _POSTAL_CODE.fullmatch(value) or int(value) < 1000:
        raise RuleViolation("postal_code_invalid", _("A Belgian postal code has 4 digits, from 1000 to 9999."))
    return value


def clean_language(value: str) -> str:
    if value not in Language.values:
        raise RuleViolation("language_invalid", _("Choose one of the languages offered."))
    return value


def _clean_text(name: str, value: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > _MAX_LENGTH[name]:
        raise RuleViolation(
            "too_long",
            _("%(field)s is too long: at most %(max)s characters.")
            % {"field": str(Person._meta.get_field(name).verbose_name).capitalize(), "max": _MAX_LENGTH[name]},
        )
    return value


_CLEANERS = {
    "phone": clean_phone,
    "email": clean_email,
    "postal_code": clean_postal_code,
    "language": clean_language,
    "street": lambda v: _clean_text("street", v),
    "municipality": lambda v: _clean_text("municipality", v),
    "communication_needs": lambda v: _clean_text("communication_needs", v),
}


def clean_contact_details(values: Mapping[str, Any]) -> dict[str, str]:
    """Each contact field trimmed and checked; the first wrong one raises a :class:`RuleViolation`."""
    return {name: _CLEANERS[name](value) for name, value in values.items()}


def require_agreement(consent_recorded: bool) -> None:
    """No shared plan, and no team around the person, without the person's agreement."""
    if consent_recorded is not True:
        raise RuleViolation(
            "consent_required",
            _(
                "Record that the person (or their representative) agrees to a shared care plan with you in "
                "their care team. Without that agreement the person cannot be registered."
            ),
        )


def check_identity(ssin: str, birth_date: date | None, sex: str) -> tuple[str, date | None, str]:
    """The SSIN, date of birth and sex, checked against each other; empty ones are taken from the SSIN.

    Returns the SSIN as 11 digits, the date of birth and the sex. An SSIN encodes the birth date
    (a bis number may leave month and day at 00, the year is always there) and, except for bis
    numbers of unknown sex, the registered sex (odd serial: man, even: woman). "Other" is accepted
    next to any SSIN: it is the person's own answer, which the national register cannot give.
    """
    if not (ssin or "").strip():
        raise RuleViolation(
            "ssin_required", _("Fill in the SSIN (national register number or bis number), as on the eID card.")
        )
    try:
        info = parse_ssin(ssin)
    except ValidationError as error:
        raise RuleViolation(error.code or "ssin_invalid", error.messages[0]) from None
    if birth_date is not None and birth_date > timezone.localdate():
        raise RuleViolation("birth_date_future", _("The date of birth lies in the future."))
    if info.birth_date is not None:
        if birth_date is None:
            birth_date = info.birth_date
        elif birth_date != info.birth_date:
            raise RuleViolation(
                "ssin_birth_date_mismatch",
                _("The date of birth does not match the SSIN, which gives %(date)s. Check both.")
                % {"date": formats.date_format(info.birth_date, "DATE_FORMAT")},
            )
    elif birth_date is not None:
        month = int(info.number[2:4]) % 20  # bis numbers add 20 or 40 to the month
        if f"{birth_date:%y}" != info.number[:2] or (month and month != birth_date.month):
            raise RuleViolation(
                "ssin_birth_date_mismatch", _("The date of birth does not match the SSIN. Check both.")
            )
    sex = sex or Sex.UNKNOWN
    if sex not in Sex.values:
        raise RuleViolation("sex_invalid", _("Choose one of the options for sex."))
    if info.sex:
        if sex == Sex.UNKNOWN:
            sex = info.sex
        elif sex in (Sex.MALE, Sex.FEMALE) and sex != info.sex:
            raise RuleViolation(
                "ssin_sex_mismatch",
                _("According to the SSIN the sex is “%(sex)s”. Check the SSIN or the sex.")
                % {"sex": Sex(info.sex).label},
            )
    return info.number, birth_date, sex


def _normalised(name: str) -> str:
    """Municipality names compared without case or accents ("liege" finds Liège)."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def zone_for_municipality(municipality: str) -> Zone | None:
    """The primary-care zone (ELZ, Brussels bassin, Walloon zone) of a municipality, when Careweave knows it.

    First the municipalities recorded in the territory (a municipality zone inside its care zone),
    then the municipality list of the population model. Postal codes are not mapped (there is no
    postal-code table); an unknown municipality gives no zone rather than a guess.
    """
    wanted = _normalised(municipality or "")
    if not wanted:
        return None
    for place in Zone.objects.filter(kind=Zone.Kind.MUNICIPALITY, parent__isnull=False).select_related("parent"):
        if _normalised(place.name) == wanted:
            return place.parent
    from careweave.population.geography import MUNICIPALITIES

    code = next((m.zone for m in MUNICIPALITIES if _normalised(m.name) == wanted), None)
    return Zone.objects.filter(code=code).first() if code else None


# --- registration -------------------------------------------------------------------------------------


def _registering_professional(actor) -> Professional:  # noqa: ANN001
    """Only an active professional registers: checked first, so nobody else learns whether an SSIN is known."""
    authorize(actor, "people.register_person")
    return _active_professional(actor)


def _already_registered(actor, existing: Person) -> AlreadyRegistered:  # noqa: ANN001
    """Refuse a second file for one SSIN without telling a stranger whose it is; the person sees the attempt."""
    decision = decide(actor, existing)
    if decision.allows(Level.PLAN):
        error = AlreadyRegistered(
            _("This person is already registered and you already work with them: open their plan."), existing
        )
    else:
        error = AlreadyRegistered(
            _(
                "A person with this SSIN is already registered in Careweave, so nothing was created. To work with "
                "them, ask the person or their representative to add you to their care team. In an emergency, a "
                "care professional can use emergency access."
            )
        )
    error.denied_audit = record_access(
        actor,
        "create",
        "Patient",
        str(existing.fhir_id),
        person=existing,
        outcome="denied",
        reason="registration refused: this SSIN is already registered",
        basis=decision.basis,
    )
    return error


@atomic_action
def register_person(
    actor,  # noqa: ANN001
    *,
    ssin: str,
    given_name: str,
    family_name: str,
    language: str,
    birth_date: date | None = None,
    sex: str = Sex.UNKNOWN,
    phone: str = "",
    email: str = "",
    street: str = "",
    postal_code: str = "",
    municipality: str = "",
    communication_needs: str = "",
    consent_recorded: bool,
) -> Person:
    """Register someone new, with the registering professional as the first, active member of their team.

    ``consent_recorded`` says the person (or their representative) agreed to a shared care plan
    with this professional in their care team: the agreement a professional's proposal to join a
    team otherwise waits for (``approve_team_member``). The person can remove the professional,
    and sees the registration in their audit trail.
    """
    professional = _registering_professional(actor)
    require_agreement(consent_recorded)
    given_name, family_name = " ".join((given_name or "").split()), " ".join((family_name or "").split())
    if not given_name or not family_name:
        raise RuleViolation("person_name", _("Fill in the given name and family name."))
    if len(given_name) > 100 or len(family_name) > 100:
        raise RuleViolation("person_name", _("A name has at most 100 characters."))
    ssin, birth_date, sex = check_identity(ssin, birth_date, sex)
    contact = clean_contact_details(
        {
            "phone": phone,
            "email": email,
            "street": street,
            "postal_code": postal_code,
            "municipality": municipality,
            "language": language,
            "communication_needs": communication_needs,
        }
    )
    existing = Person.objects.filter(ssin=ssin).first()
    if existing is not None:
        raise _already_registered(actor, existing)
    values = {
        "ssin": ssin,
        "given_name": given_name,
        "family_name": family_name,
        "birth_date": birth_date,
        "sex": sex,
        "zone": zone_for_municipality(contact["municipality"]),
        **contact,
    }
    try:
        with transaction.atomic():
            person = Person.objects.create(**values)
    except IntegrityError:
        # Someone registered the same SSIN a moment ago: the same answer as above.
        existing = Person.objects.filter(ssin=ssin).first()
        if existing is None:
            raise
        raise _already_registered(actor, existing) from None
    enrol_registering_professional(actor, person, reason=AGREEMENT_REASON)
    audit_write(actor, "create", "Patient", person, person, reason=f"{AGREEMENT_REASON} ({professional})")
    return person


# --- contact details ------------------------------------------------------------------------------------


def _refuse_contact_editor(actor, person: Person, decision: Decision, action: str) -> RuleViolation:  # noqa: ANN001
    _allowed, code, message = check(actor, "people.update_contact_details", person)
    error = RuleViolation(code, message)
    error.denied_audit = record_access(
        actor,
        action,
        "Patient",
        str(person.fhir_id),
        person=person,
        outcome="denied",
        reason=str(error),
        basis=decision.basis,
    )
    error.decision = decision  # the refused page explains it (and offers emergency access) without deciding again
    return error


def require_contact_editor(actor, person: Person, *, action: str = "update") -> Decision:  # noqa: ANN001
    """Refuse (audited as ``action``: the details page audits a read) anyone the table does not let edit."""
    decision = decide(actor, person)
    if not may(actor, "people.update_contact_details", person):
        raise _refuse_contact_editor(actor, person, decision, action)
    return decision


@atomic_action
def update_contact_details(actor, person: Person, *, expected_version: int, **changes: str) -> Person:  # noqa: ANN001
    """Change phone, e-mail, address, preferred language or communication needs; never overwrite unseen.

    ``expected_version`` is the version of the person the editor started from: when someone saved
    in between, :class:`~careweave.versioning.ChangedMeanwhile` is raised and nothing is written.
    A move to another municipality moves the person to that municipality's zone.
    """
    # The table's row; refused and audited as an update like the details page's own refusal.
    require_contact_editor(actor, person)
    identity = IDENTITY_FIELDS & changes.keys()
    if identity:
        raise RuleViolation(
            "identity_not_editable",
            _(
                "The name, SSIN, date of birth and sex cannot be changed here: they identify the person. "
                "If one of them is wrong, tell a professional of the care team."
            ),
        )
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise RuleViolation(
            "unknown_field",
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
        )
    cleaned = clean_contact_details(changes)
    changed = [name for name, value in cleaned.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, cleaned[name])
    if "municipality" in changed:
        zone = zone_for_municipality(person.municipality)
        if zone != person.zone:
            person.zone = zone
            changed.append("zone")
    person.save_versioned(expected_version, update_fields=changed)
    audit_write(actor, "update", "Patient", person, person, reason="contact details: " + ", ".join(sorted(changed)))
    return person


# --- a person received from another system (the FHIR API, an import) -----------------------------------


def _duplicate_ssin(actor, existing: Person) -> DuplicateRecord:  # noqa: ANN001
    """Nothing is created for a known SSIN; the person sees the attempt, the sender never learns whose it is."""
    error = DuplicateRecord("duplicate_ssin", _("A person with this SSIN is already registered."))
    error.denied_audit = record_access(
        actor, "create", "Patient", str(existing.fhir_id), person=existing, outcome="denied",
        reason="registration from another system refused: this SSIN is already registered",
        basis=decide(actor, existing).basis,
    )
    return error


def _check_person(person: Person) -> None:
    """Each field as the model allows it; uniqueness is the database's (a concurrent create may win)."""
    person.full_clean(exclude=["user", "zone"], validate_unique=False, validate_constraints=False)


@atomic_action
def receive_person(actor, values: Mapping[str, Any], *, external_id: str = "") -> Person:  # noqa: ANN001
    """Register a person another system sends (FHIR ``POST Patient``, a bundle import).

    The sender's record is taken as it is (it has its own agreement with the person): the same
    one-file-per-SSIN and field rules as a registration, without the web form's agreement question.
    A registering professional becomes the first member of the new person's care team
    (:func:`enrol_registering_professional`), so they can start a plan; an administrator
    registering for a migration does not.
    """
    authorize(actor, "people.receive_person")
    ssin = values.get("ssin")
    if ssin and (existing := Person.objects.filter(ssin=ssin).first()) is not None:
        raise _duplicate_ssin(actor, existing)
    if external_id and Person.objects.filter(external_id=external_id).exists():
        raise DuplicateRecord("duplicate_identifier", _("A person with this identifier is already registered."))
    person = Person(**values, external_id=external_id)
    _check_person(person)
    person.save()
    audit_write(actor, "create", "Patient", person, person, reason="registered from another system")
    if _active_professional(actor) is not None:
        enrol_registering_professional(actor, person)
    return person


@atomic_action
def update_person_record(actor, person: Person, changes: Mapping[str, Any], expected_version: int) -> bool:  # noqa: ANN001
    """Change a person's record as another system sends it, identity included: full access needed.

    Unlike :func:`update_contact_details` this may correct the SSIN, names, date of birth and sex
    (a GP's system fixing a typo); a corrected SSIN must still be free. Returns whether anything changed.
    """
    authorize(actor, "people.update_person_record", person)
    if not changes:
        return False
    ssin = changes.get("ssin")
    if ssin and Person.objects.filter(ssin=ssin).exclude(pk=person.pk).exists():
        raise DuplicateRecord("duplicate_ssin", _("A person with this SSIN is already registered."))
    for key, value in changes.items():
        setattr(person, key, value)
    _check_person(person)
    person.save_versioned(expected_version)
    audit_write(actor, "update", "Patient", person, person, reason="record: " + ", ".join(sorted(changes)))
    return True
