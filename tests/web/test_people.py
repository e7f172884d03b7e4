"""Registering a person and "My details", through the pages as the users do it (C1, C2, C5)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.models import TeamMember
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person
from careweave.web.language import SESSION_KEY

pytestmark = pytest.mark.django_db

REGISTER = "web:person_register"
NEW_SSIN = make_ssin(date(1948, 2, 9), 33)


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field}"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def _registration(**changes: str) -> dict:
    data = {
        "ssin": f"{NEW_SSIN[0:2]}.{NEW_SSIN[2:4]}.{NEW_SSIN[4:6]}-{NEW_SSIN[6:9]}.{NEW_SSIN[9:]}",
        "given_name": "Rik",
        "family_name": "Van Acker",
        "birth_date": "",
        "sex": "unknown",
        "phone": "053 12 34 56",
        "email": "",
        "street": "Kerkstraat 4",
        "postal_code": "9400",
        "municipality": "Ninove",
        "language": "nl",
        "communication_needs": "",
        "consent_recorded": "on",
    }
    data.update(changes)
    return data


def _details_url(person: Person) -> str:
    return reverse("web:person_details", args=[person.fhir_id])


def _details(person: Person, **changes: str) -> dict:
    data = {
        "phone": person.phone,
        "email": person.email,
        "street": person.street,
        "postal_code": person.postal_code,
        "municipality": person.municipality,
        "language": person.language,
        "communication_needs": person.communication_needs,
        "version": person.version,
    }
    data.update(changes)
    return data


# --- registering -----------------------------------------------------------------------------------------


def test_a_gp_registers_a_person_and_lands_on_the_start_of_their_plan(cast, client_for):
    gp = client_for("gp")
    caseload = gp.get(reverse("web:caseload")).content.decode()
    assert reverse(REGISTER) in caseload, "the caseload offers to register a person"
    form = gp.get(reverse(REGISTER))
    assert form.status_code == 200
    assert 'name="consent_recorded"' in form.content.decode()

    response = gp.post(reverse(REGISTER), _registration(), follow=True)
    rik = Person.objects.get(ssin=NEW_SSIN)
    assert response.redirect_chain[-1][0] == reverse("web:plan_start", args=[rik.fhir_id])
    html = response.content.decode()
    assert "Start the shared plan" in html
    assert "Rik Van Acker is registered" in html
    assert rik.birth_date == date(1948, 2, 9) and rik.sex == "male", "taken from the SSIN"
    assert rik.zone == cast.zone, "Ninove lies in ELZ Zora"
    member = TeamMember.objects.get(team__person=rik)
    assert member.professional == cast.gp and member.status == TeamMember.Status.ACTIVE
    assert AuditEvent.objects.filter(person=rik, user=cast.gp.user, action="C", resource_type="Patient").exists()

    started = gp.post(reverse("web:plan_start", args=[rik.fhir_id]), {"title": "Thuis blijven"})
    assert started.status_code == 302, "the new team member can start the plan at once"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The check digits of this SSIN are wrong"),
        ("nl", "De controlecijfers van dit rijksregisternummer kloppen niet"),
    ],
)
def test_a_mistyped_ssin_is_explained_in_the_users_language_and_nothing_is_created(
    cast, client_for, language, expected
):
    typo = NEW_SSIN[:-1] + str((int(NEW_SSIN[-1]) + 1) % 10)
    before = Person.objects.count()
    response = client_for("gp", language).post(reverse(REGISTER), _registration(ssin=typo))
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in field_error(html, "ssin")
    assert 'aria-invalid="true"' in html
    assert 'value="Rik"' in html, "what the user typed is kept"
    assert Person.objects.count() == before


def test_all_mistakes_are_shown_at_once_next_to_their_field(cast, client_for):
    html = (
        client_for("gp")
        .post(
            reverse(REGISTER),
            _registration(birth_date="1948-02-10", postal_code="940", email="rik@", consent_recorded=""),
        )
        .content.decode()
    )
    assert "does not match the SSIN" in field_error(html, "birth_date")
    assert "4 digits" in field_error(html, "postal_code")
    assert "e-mail" in field_error(html, "email")
    assert "agrees to a shared care plan" in field_error(html, "consent_recorded")
    assert not Person.objects.filter(ssin=NEW_SSIN).exists()


def test_a_known_ssin_tells_a_stranger_only_that_it_is_known(cast, client_for):
    html = (
        client_for("stranger")
        .post(reverse(REGISTER), _registration(ssin=cast.maria.ssin, given_name="Rik", family_name="Janssens"))
        .content.decode()
    )
    assert "already registered" in field_error(html, "ssin")
    assert "Maria" not in html and "Peeters" not in html
    assert str(cast.maria.fhir_id) not in html
    assert reverse("web:emergency") in html, "a care professional is pointed to emergency access"
    assert Person.objects.filter(ssin=cast.maria.ssin).count() == 1
    assert AuditEvent.objects.filter(person=cast.maria, user__username="stranger", outcome="denied").exists()


def test_a_known_ssin_sends_a_team_member_to_the_existing_plan(cast, client_for):
    html = (
        client_for("gp")
        .post(reverse(REGISTER), _registration(ssin=cast.maria.ssin, given_name="Maria", family_name="Peeters"))
        .content.decode()
    )
    assert "already registered" in field_error(html, "ssin")
    assert reverse("web:plan", args=[cast.maria.fhir_id]) in html


@pytest.mark.parametrize("username", ["person", "carer", "zonestaff", "admin"])
def test_only_professionals_may_register(cast, client_for, username):
    client = client_for(username)
    assert client.get(reverse(REGISTER)).status_code == 403
    assert client.post(reverse(REGISTER), _registration()).status_code == 403
    assert not Person.objects.filter(ssin=NEW_SSIN).exists()


def test_a_deactivated_professional_may_not_register(cast, client_for):
    cast.gp.active = False
    cast.gp.save()
    assert client_for("gp").post(reverse(REGISTER), _registration()).status_code == 403
    assert not Person.objects.filter(ssin=NEW_SSIN).exists()


# --- my details ------------------------------------------------------------------------------------------


def test_maria_changes_her_phone_number(cast, client_for):
    maria = client_for("person")
    plan = maria.get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    assert _details_url(cast.maria) in plan, "'My details' is offered on her own pages"
    page = maria.get(_details_url(cast.maria))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My details" in html and 'autocomplete="tel"' in html
    reads = AuditEvent.objects.filter(person=cast.maria, user=cast.maria.user, action="R", resource_type="Patient")
    assert reads.exists(), "opening the details is audited like any page about the person"

    response = maria.post(_details_url(cast.maria), _details(cast.maria, phone="0470 12 34 56"), follow=True)
    assert "Your details have been saved." in response.content.decode()
    cast.maria.refresh_from_db()
    assert cast.maria.phone == "0470 12 34 56"
    assert AuditEvent.objects.filter(person=cast.maria, action="U", resource_type="Patient", basis="self").exists()


def test_a_wrong_postal_code_is_explained_and_nothing_is_saved(cast, client_for):
    html = (
        client_for("person")
        .post(_details_url(cast.maria), _details(cast.maria, postal_code="940", phone="0470 12 34 56"))
        .content.decode()
    )
    assert "4 digits" in field_error(html, "postal_code")
    cast.maria.refresh_from_db()
    assert cast.maria.phone == "" and cast.maria.version == 1


def test_choosing_another_language_switches_the_interface_too(cast, client_for):
    maria = client_for("person")
    maria.post(_details_url(cast.maria), _details(cast.maria, language="fr"))
    assert maria.session[SESSION_KEY] == "fr"
    assert 'lang="fr"' in maria.get(_details_url(cast.maria)).content.decode()


def test_a_representative_keeps_the_details_up_to_date(cast, client_for):
    jan = client_for("carer")
    assert jan.get(_details_url(cast.godelieve)).status_code == 200
    response = jan.post(_details_url(cast.godelieve), _details(cast.godelieve, street="Dorp 3"))
    assert response.status_code == 302
    cast.godelieve.refresh_from_db()
    assert cast.godelieve.street == "Dorp 3"
    assert 'lang="en"' in jan.get(_details_url(cast.godelieve)).content.decode(), "his own language stays"


def test_a_gp_in_the_team_corrects_them_and_the_person_sees_it(cast, client_for):
    plan = client_for("gp").get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    assert _details_url(cast.maria) in plan
    client_for("gp").post(_details_url(cast.maria), _details(cast.maria, email="maria@example.be"))
    cast.maria.refresh_from_db()
    assert cast.maria.email == "maria@example.be"
    privacy = client_for("person").get(reverse("web:privacy", args=[cast.maria.fhir_id])).content.decode()
    newest = re.search(r'data-test="audit-row"[^>]*>(.*?)</tr>', privacy, re.S).group(1)
    assert "An Claes" in newest and "changed your file" in newest, "Maria sees who changed her details"


@pytest.mark.parametrize(
    ("username", "explanation"), [("stranger", "care relationship"), ("carer", "full access")]
)
def test_who_may_not_edit_is_refused_with_an_explanation_and_audited(cast, client_for, username, explanation):
    client = client_for(username)
    response = client.get(_details_url(cast.maria))
    assert response.status_code == 403
    assert explanation in response.content.decode()
    assert client.post(_details_url(cast.maria), _details(cast.maria, phone="053 00 00 00")).status_code == 403
    cast.maria.refresh_from_db()
    assert cast.maria.phone == ""
    refusals = AuditEvent.objects.filter(person=cast.maria, user__username=username, outcome="denied")
    assert refusals.filter(action="R").exists() and refusals.filter(action="U").exists()
    plan = client.get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    assert _details_url(cast.maria) not in plan


def test_two_editors_the_second_sees_what_changed_and_keeps_their_input(cast, client_for):
    maria, jan = client_for("person"), client_for("gp")
    url = _details_url(cast.maria)
    version = int(re.search(r'name="version" value="(\d+)"', jan.get(url).content.decode()).group(1))
    assert maria.post(url, _details(cast.maria, phone="0470 11 11 11")).status_code == 302

    second = jan.post(url, {**_details(cast.maria, phone="053 22 22 22"), "version": version})
    html = second.content.decode()
    assert second.status_code == 409
    assert 'data-test="conflict"' in html
    assert "0470 11 11 11" in html, "what the other person saved is shown"
    assert 'value="053 22 22 22"' in html, "the user's own input is kept"
    cast.maria.refresh_from_db()
    assert cast.maria.phone == "0470 11 11 11", "nothing was overwritten"
    assert re.search(r'name="version" value="(\d+)"', html).group(1) == str(cast.maria.version)
