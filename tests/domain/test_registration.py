"""C1/C2/C5: a professional registers someone new with their agreement; the person keeps their details up to date."""

from __future__ import annotations

from datetime import date

import pytest
from domain_helpers import refused

from careweave.access.actions import set_access_choice
from careweave.access.decisions import decide
from careweave.access.models import AccessRule, AuditEvent, Level
from careweave.careplans.actions import add_team_member, appoint_case_manager, remove_team_member, ring_the_bell
from careweave.careplans.models import CareTeam, TeamMember
from careweave.careplans.models.coordination import Trigger
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person
from careweave.people.registration import (
    AlreadyRegistered,
    check_identity,
    register_person,
    update_contact_details,
    zone_for_municipality,
)
from careweave.territory.models import Zone
from careweave.versioning import ChangedMeanwhile

pytestmark = pytest.mark.django_db

BORN = date(1952, 4, 17)
SSIN = make_ssin(BORN, 27)  # odd serial: a man


def _details(**changes: object) -> dict:
    values: dict = {
        "ssin": SSIN,
        "given_name": "Rik",
        "family_name": "Van Acker",
        "language": "nl",
        "phone": "053 12 34 56",
        "municipality": "Ninove",
        "postal_code": "9400",
        "consent_recorded": True,
    }
    values.update(changes)
    return values


def _nothing_created() -> None:
    assert not Person.objects.filter(family_name="Van Acker").exists()
    assert not CareTeam.objects.filter(person__family_name="Van Acker").exists()


# --- registration ------------------------------------------------------------------------------------


def test_a_gp_registers_a_person_who_gets_a_team_with_the_gp_as_active_member(gp):
    person = register_person(gp.user, **_details())

    assert person.ssin == SSIN
    assert person.birth_date == BORN, "the date of birth is taken from the SSIN when left empty"
    assert person.sex == "male", "the sex is taken from the SSIN when left unknown"
    assert person.phone == "053 12 34 56"
    member = TeamMember.objects.get(team__person=person)
    assert member.professional == gp
    assert member.status == TeamMember.Status.ACTIVE, "the recorded agreement is the person's agreement"
    assert "agreed" in member.reason
    created = AuditEvent.objects.filter(person=person, user=gp.user, action="C", outcome="success")
    assert created.filter(resource_type="Patient").exists()
    assert created.filter(resource_type="CareTeam").exists()


def test_a_welfare_professional_may_register_too(social_worker):
    person = register_person(social_worker.user, **_details())
    assert TeamMember.objects.get(team__person=person).professional == social_worker


def test_the_ssin_is_typed_as_on_the_eid_card(gp):
    typed = f"{SSIN[0:2]}.{SSIN[2:4]}.{SSIN[4:6]}-{SSIN[6:9]}.{SSIN[9:]}"
    assert register_person(gp.user, **_details(ssin=typed)).ssin == SSIN


def test_the_zone_follows_from_the_municipality(gp, zone):
    zora = Zone.objects.create(code="ZORA", name="ELZ Zora", region=Zone.Region.FLANDERS)
    assert zone_for_municipality("ninove") == zora, "the population model knows Ninove is in ELZ Zora"
    Zone.objects.create(
        code="NIS-41048", name="Ninove", kind=Zone.Kind.MUNICIPALITY, region=Zone.Region.FLANDERS, parent=zone
    )
    assert zone_for_municipality("NINOVE") == zone, "a municipality recorded in the territory wins"
    assert register_person(gp.user, **_details()).zone == zone
    assert zone_for_municipality("Atlantis") is None
    assert zone_for_municipality("") is None


def test_a_municipality_nobody_knows_leaves_the_zone_empty(gp):
    assert register_person(gp.user, **_details(municipality="Nergensdorp")).zone is None


@pytest.mark.parametrize(
    ("ssin", "rule"),
    [
        (SSIN[:-1] + str((int(SSIN[-1]) + 1) % 10), "ssin_checksum"),
        (SSIN[:9], "ssin_length"),
        ("", "ssin_required"),
    ],
)
def test_a_wrong_ssin_is_refused_and_nothing_is_created(gp, ssin, rule):
    assert refused(register_person, gp.user, **_details(ssin=ssin)).rule == rule
    _nothing_created()


def test_a_birth_date_that_does_not_match_the_ssin_is_refused(gp):
    error = refused(register_person, gp.user, **_details(birth_date=date(1952, 4, 18)))
    assert error.rule == "ssin_birth_date_mismatch"
    assert "1952" in str(error), "the message says which date the SSIN gives"
    _nothing_created()


def test_a_sex_that_does_not_match_the_ssin_is_refused_but_other_is_the_persons_own_answer(gp):
    assert refused(register_person, gp.user, **_details(sex="female")).rule == "ssin_sex_mismatch"
    _nothing_created()
    assert register_person(gp.user, **_details(sex="other")).sex == "other"


def test_a_bis_number_without_birth_date_still_checks_the_year():
    bis = make_ssin(date(1990, 1, 1), 11, bis=True)
    unknown_date = bis[:2] + "40" + "00" + bis[6:9]
    base = int(unknown_date)
    unknown_date += f"{97 - base % 97:02d}"
    number, born, sex = check_identity(unknown_date, None, "unknown")
    assert (number, born, sex) == (unknown_date, None, "male")
    assert check_identity(unknown_date, date(1990, 7, 1), "")[1] == date(1990, 7, 1)
    assert refused(check_identity, unknown_date, date(1991, 7, 1), "").rule == "ssin_birth_date_mismatch"


def test_without_the_persons_agreement_nobody_is_registered(gp):
    assert refused(register_person, gp.user, **_details(consent_recorded=False)).rule == "consent_required"
    _nothing_created()


def test_only_an_active_professional_registers(gp, person, representative, make_user):
    for actor in (person.user, representative.user, make_user("admin", is_staff=True)):
        assert refused(register_person, actor, **_details()).rule == "registrar_professional"
    gp.active = False
    gp.save()
    gp.user.refresh_from_db()
    assert refused(register_person, gp.user, **_details()).rule == "registrar_professional"
    _nothing_created()


def test_a_non_professional_does_not_learn_that_an_ssin_is_registered(person, representative):
    error = refused(register_person, representative.user, **_details(ssin=person.ssin))
    assert error.rule == "registrar_professional"
    assert not isinstance(error, AlreadyRegistered)


@pytest.mark.parametrize("field", ["phone", "email", "postal_code"])
def test_wrong_contact_details_are_refused_at_registration(gp, field):
    wrong = {"phone": "call me maybe", "email": "rik@", "postal_code": "940"}[field]
    assert refused(register_person, gp.user, **_details(**{field: wrong})).rule == f"{field}_invalid"
    _nothing_created()


# --- one SSIN, one person --------------------------------------------------------------------------------


def test_a_stranger_registering_a_known_ssin_learns_nothing_about_the_person(person, outsider):
    before = Person.objects.count()
    error = refused(register_person, outsider.user, **_details(ssin=person.ssin, family_name="Anders"))
    assert isinstance(error, AlreadyRegistered) and error.rule == "already_registered"
    assert error.person is None, "no link to a file the professional may not open"
    for detail in (person.given_name, person.family_name, "1940"):
        assert detail not in str(error)
    assert Person.objects.count() == before
    assert not TeamMember.objects.filter(professional=outsider).exists()
    attempt = AuditEvent.objects.get(person=person, user=outsider.user)
    assert attempt.outcome == "denied" and attempt.action == "C", "the person sees the attempt"


def test_a_team_member_registering_a_known_ssin_is_sent_to_the_existing_file(person, team, gp, join):
    join(team, gp)
    error = refused(register_person, gp.user, **_details(ssin=person.ssin, family_name="Peeters"))
    assert isinstance(error, AlreadyRegistered)
    assert error.person == person
    assert Person.objects.filter(ssin=person.ssin).count() == 1


def test_the_answer_does_not_depend_on_what_was_typed_besides_the_ssin(person, outsider):
    matching = refused(
        register_person,
        outsider.user,
        **_details(ssin=person.ssin, given_name=person.given_name, family_name=person.family_name, sex=person.sex),
    )
    other = refused(register_person, outsider.user, **_details(ssin=person.ssin, given_name="X", sex=person.sex))
    assert str(matching) == str(other), "no confirmation that a typed name belongs to the SSIN"


# --- contact details -------------------------------------------------------------------------------------


def test_the_person_updates_their_own_contact_details(person):
    update_contact_details(
        person.user,
        person,
        expected_version=person.version,
        phone="+32 470 12 34 56",
        email="maria@example.be",
        postal_code="9400",
        language="fr",
        communication_needs="large print",
    )
    person.refresh_from_db()
    assert (person.phone, person.email, person.language) == ("+32 470 12 34 56", "maria@example.be", "fr")
    assert person.version == 2
    change = AuditEvent.objects.get(person=person, action="U", resource_type="Patient")
    assert change.basis == "self" and "phone" in change.reason


def test_the_representative_updates_the_details(person, representative):
    update_contact_details(representative.user, person, expected_version=person.version, street="Markt 1")
    person.refresh_from_db()
    assert person.street == "Markt 1"
    assert AuditEvent.objects.filter(person=person, user=representative.user, basis="proxy", action="U").exists()


def test_a_care_professional_in_the_team_may_correct_them_and_the_person_sees_it(person, team, gp, join):
    join(team, gp)
    update_contact_details(gp.user, person, expected_version=person.version, phone="053 98 76 54")
    person.refresh_from_db()
    assert person.phone == "053 98 76 54"
    assert AuditEvent.objects.filter(person=person, user=gp.user, action="U", basis="care_relationship").exists()


def test_the_case_manager_may_correct_them(person, representative, case_manager, zone_staff):
    bell = ring_the_bell(representative.user, person, [Trigger.UNSTABLE_COMPLEX], "valt vaak")
    appoint_case_manager(zone_staff, bell, case_manager)
    update_contact_details(case_manager.user, person, expected_version=person.version, phone="053 11 22 33")
    person.refresh_from_db()
    assert person.phone == "053 11 22 33"


def test_who_may_not_change_the_details_is_refused_and_audited(
    person, team, carer, social_worker, outsider, join
):
    join(team, carer)
    join(team, social_worker)
    for actor, rule in (
        (outsider.user, "no_access"),
        (carer.user, "contact_details_editor"),
        (social_worker.user, "contact_details_editor"),
    ):
        error = refused(update_contact_details, actor, person, expected_version=person.version, phone="053 00 00 00")
        assert error.rule == rule
        assert AuditEvent.objects.filter(person=person, user=actor, outcome="denied", action="U").exists()
    person.refresh_from_db()
    assert person.phone == "" and person.version == 1


def test_the_person_can_trust_a_welfare_professional_with_full_access(person, team, social_worker, join):
    join(team, social_worker)
    set_access_choice(person.user, person, level=Level.FULL, professional=social_worker)
    assert AccessRule.objects.filter(person=person, professional=social_worker).exists()
    update_contact_details(social_worker.user, person, expected_version=person.version, street="Kerkstraat 2")
    person.refresh_from_db()
    assert person.street == "Kerkstraat 2"


def test_identity_is_not_changed_with_the_contact_details(person):
    ssin = person.ssin
    for field, value in (("ssin", make_ssin(date(1950, 1, 1), 3)), ("family_name", "Janssens"), ("birth_date", None)):
        error = refused(update_contact_details, person.user, person, expected_version=person.version, **{field: value})
        assert error.rule == "identity_not_editable"
    assert refused(update_contact_details, person.user, person, expected_version=1, zone=None).rule == "unknown_field"
    person.refresh_from_db()
    assert person.ssin == ssin and person.version == 1


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("email", "maria(at)example.be", "email_invalid"),
        ("postal_code", "0999", "postal_code_invalid"),
        ("postal_code", "94000", "postal_code_invalid"),
        ("phone", "0470 12 34 56 ext. 3", "phone_invalid"),
        ("phone", "12 34", "phone_invalid"),
        ("phone", "0470+123456", "phone_invalid"),
        ("language", "es", "language_invalid"),
        ("street", "x" * 201, "too_long"),
    ],
)
def test_contact_details_are_checked(person, field, value, rule):
    error = refused(update_contact_details, person.user, person, expected_version=person.version, **{field: value})
    assert error.rule == rule
    person.refresh_from_db()
    assert person.version == 1


@pytest.mark.parametrize("phone", ["053 12 34 56", "+32 470 12 34 56", "0470/12.34.56", "(053) 12-34-56"])
def test_phone_numbers_as_people_write_them(person, phone):
    update_contact_details(person.user, person, expected_version=person.version, phone=phone)
    person.refresh_from_db()
    assert person.phone == phone


def test_moving_to_another_municipality_moves_the_person_to_its_zone(person, zone, other_zone):
    Zone.objects.create(
        code="NIS-1", name="Oostende", kind=Zone.Kind.MUNICIPALITY, region=Zone.Region.FLANDERS, parent=other_zone
    )
    assert person.zone == zone
    update_contact_details(person.user, person, expected_version=person.version, municipality="Oostende")
    person.refresh_from_db()
    assert person.zone == other_zone


def test_two_editors_never_overwrite_each_other(person, representative):
    """The representative started from version 1; the person saved meanwhile: refused, nothing lost."""
    loaded_by_representative = Person.objects.get(pk=person.pk)
    update_contact_details(person.user, person, expected_version=1, phone="053 12 34 56")
    with pytest.raises(ChangedMeanwhile):
        update_contact_details(
            representative.user, loaded_by_representative, expected_version=1, email="els@example.be"
        )
    person.refresh_from_db()
    assert person.phone == "053 12 34 56", "the first save is kept"
    assert person.email == "", "the stale save wrote nothing"
    assert person.version == 2
    assert not AuditEvent.objects.filter(person=person, user=representative.user, action="U").exists()


def test_saving_what_is_already_saved_changes_nothing(person):
    update_contact_details(person.user, person, expected_version=person.version, phone="")
    person.refresh_from_db()
    assert person.version == 1
    assert not AuditEvent.objects.filter(person=person, action="U").exists()


def test_the_registering_professional_is_a_member_like_any_other(gp, nurse, make_user):
    """Others the professional proposes wait for the person, who can also remove the professional."""
    person = register_person(gp.user, **_details())
    person.user = make_user("rik")
    person.save()
    team = CareTeam.objects.get(person=person)
    assert add_team_member(gp.user, team, professional=nurse).status == TeamMember.Status.PROPOSED
    remove_team_member(person.user, TeamMember.objects.get(team=team, professional=gp))
    assert decide(gp.user, person).level == Level.NONE
