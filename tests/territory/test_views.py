"""Social-map pages: search without JavaScript, bad input explained, entries kept by their provider, referrals."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.models import TeamMember
from careweave.people.models import Discipline
from careweave.territory.models import Referral, Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CAREWEAVE_MAP_TILES = ""


def client_of(user, language: str = "en") -> Client:  # noqa: ANN001
    """Logged in, reading the given language (the session's language wins over the user's records)."""
    from careweave.web.language import SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = language
    session.save()
    return client


def test_search_lists_nearest_first_with_distances_and_map_markers(gp, physios) -> None:
    response = client_of(gp.user).get(reverse("territory:search"),
                                      {"discipline": "physio", "language": "fr", "near": "9400"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Kiné Denderleeuw") < html.index("Kiné Bruxelles") and "Kine Ninove" not in html
    assert html.count('data-test="map-result"') == 2
    markers = json.loads(html.split('id="social-map-markers" type="application/json">')[1].split("</script>")[0])
    assert [m["name"] for m in markers] == ["Kiné Denderleeuw", "Kiné Bruxelles"]
    assert markers[1]["distance"] == pytest.approx(23.3, abs=1.5)
    assert "vendor/leaflet/leaflet.js" in html


def test_bad_search_input_is_explained(gp, physios) -> None:
    response = client_of(gp.user).get(reverse("territory:search"), {"near": "Ninove"})
    assert response.status_code == 400
    assert "postal code" in response.content.decode()
    assert client_of(gp.user).get(reverse("territory:search"), {"within_km": "-3"}).status_code == 400


def test_tile_server_is_allowed_by_the_csp_only_when_set(gp, physios, settings) -> None:
    settings.CAREWEAVE_MAP_TILES = "https://tile.example.org/{z}/{x}/{y}.png"
    response = client_of(gp.user).get(reverse("territory:search"), {"near": "9400"})
    assert "https://tile.example.org" in response["Content-Security-Policy"]


def test_only_the_provider_opens_and_saves_its_entry(make_professional, physios) -> None:
    service = physios["nl"]
    owner, other = service.professional, make_professional(Discipline.PHYSIOTHERAPIST)
    url = reverse("territory:service_edit", args=[service.fhir_id])
    assert client_of(other.user).get(url).status_code == 403
    assert client_of(other.user).post(url, {"name": "Hijacked"}).status_code == 403
    assert AuditEvent.objects.filter(user=other.user, resource_type="HealthcareService", outcome="denied").exists()
    form = {"version": service.version, "name": "Kine Ninove Centrum", "category": "care", "discipline": "physio",
            "sector": "care", "languages": ["nl", "fr"], "postal_code": "9400", "municipality": "Ninove",
            "active": "on", "accepts_referrals": "on", "hours_0": "08:00-12:00 13:00-18:30"}
    bad = client_of(owner.user).post(url, {**form, "hours_1": "17:00-09:00"})
    assert bad.status_code == 400
    service.refresh_from_db()
    assert service.name == "Kine Ninove" and service.version == 1
    ok = client_of(owner.user).post(url, form)
    assert ok.status_code == 302
    service.refresh_from_db()
    assert service.name == "Kine Ninove Centrum" and service.language_list == ["nl", "fr"]
    assert [str(h) for h in service.hours.all()][0].endswith("08:00-12:00")
    stale = client_of(owner.user).post(url, {**form, "name": "Stale"})
    assert stale.status_code == 409
    service.refresh_from_db()
    assert service.name == "Kine Ninove Centrum"


def test_the_keeper_sees_the_entry_with_who_keeps_it_and_a_plain_title(physios) -> None:
    service = physios["nl"]
    page = client_of(service.professional.user).get(reverse("territory:service", args=[service.fhir_id]))
    html = page.content.decode()
    assert page.status_code == 200 and "<title>Kine Ninove · Careweave</title>" in html
    assert html.count('data-test="keepers"') == 1 and 'data-test="edit-entry"' in html


def test_a_professional_registers_a_new_entry_from_the_postal_code(make_professional) -> None:
    pro = make_professional(Discipline.DIETITIAN)
    response = client_of(pro.user).post(reverse("territory:service_new"), {
        "name": "Diëtist Lede", "category": "care", "discipline": "dietitian", "sector": "care", "languages": ["nl"],
        "postal_code": "9340", "municipality": "Lede", "active": "on", "accepts_referrals": "on"})
    assert response.status_code == 302
    service = Service.objects.get(name="Diëtist Lede")
    assert service.location.latitude == pytest.approx(50.966) and pro.user in service.managed_by.all()


def test_referral_from_the_team_to_the_inbox_and_back(person, team, gp, join, physios) -> None:
    join(team, gp)
    service = physios["fr"]
    receiver = service.professional
    team_page = client_of(gp.user).get(reverse("web:team", args=[person.fhir_id]))
    assert 'data-test="refer"' in team_page.content.decode()
    url = reverse("territory:refer", args=[person.fhir_id])
    assert client_of(gp.user).post(url, {"service": service.fhir_id, "reason": "", "urgency": "routine"}
                                   ).status_code == 400
    assert not Referral.objects.exists()
    assert client_of(gp.user).post(url, {"service": service.fhir_id, "reason": "Balance", "urgency": "urgent"}
                                   ).status_code == 302
    referral = Referral.objects.get()
    client_of(gp.user).get(reverse("territory:referrals"))  # the sender's list names the person: audited too
    sent = AuditEvent.objects.filter(user=gp.user, reason="list:referrals")
    assert [e.person_id for e in sent] == [person.pk]
    inbox = client_of(receiver.user).get(reverse("territory:referrals")).content.decode()
    assert 'data-test="received-referral"' in inbox and "Balance" in inbox
    step = reverse("territory:referral_step", args=[referral.fhir_id, "accept"])
    client_of(receiver.user).post(step, {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert TeamMember.objects.get(professional=receiver).status == TeamMember.Status.PROPOSED
    again = client_of(receiver.user).post(step, {"version": referral.version}, follow=True)
    assert "not possible" in again.content.decode()


def test_outsiders_cannot_refer_or_answer(person, team, gp, join, outsider, physios) -> None:
    join(team, gp)
    url = reverse("territory:refer", args=[person.fhir_id])
    response = client_of(outsider.user).post(url, {"service": physios["fr"].fhir_id, "reason": "x",
                                                   "urgency": "routine"})
    assert response.status_code == 403 and not Referral.objects.exists()
    from careweave.territory.actions import refer_to_service

    referral = refer_to_service(gp.user, person, physios["fr"], reason="Balance")
    step = reverse("territory:referral_step", args=[referral.fhir_id, "accept"])
    assert client_of(outsider.user).post(step, {"version": 1}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_search_for_a_person_starts_from_their_postal_code_and_offers_refer(person, team, gp, join, outsider,
                                                                           physios) -> None:
    join(team, gp)
    person.postal_code = "1000"
    person.save()
    html = client_of(gp.user).get(reverse("territory:search"), {"discipline": "physio", "person": person.fhir_id}
                                  ).content.decode()
    assert html.index("Kiné Bruxelles") < html.index("Kiné Denderleeuw")
    assert 'data-test="refer-to"' in html
    assert client_of(outsider.user).get(reverse("territory:search"), {"person": person.fhir_id}).status_code == 403
    detail = reverse("territory:service", args=[physios["fr"].fhir_id]) + f"?person={person.fhir_id}"
    assert str(person) in client_of(gp.user).get(detail).content.decode()
    assert str(person) not in client_of(outsider.user).get(detail).content.decode()


def test_zone_filter_shows_the_zones_services_and_counts_per_discipline(gp, physios, municipality_zones) -> None:
    html = client_of(gp.user).get(reverse("territory:search"), {"zone": "ZORA"}).content.decode()
    assert "Kiné Denderleeuw" in html and "Kiné Bruxelles" not in html
    counts = html.split('data-test="zone-counts"')[1]
    assert "physiotherapist: <strong>2</strong>" in counts


def test_the_social_map_speaks_french_and_german(gp, physios) -> None:
    for language in ("fr", "de"):
        html = client_of(gp.user, language).get(reverse("territory:search"), {"near": "9400"}).content.decode()
        assert f'lang="{language}"' in html and html.count('data-test="map-result"') == 4


def test_a_keeper_shares_the_entry_with_a_colleague_and_nobody_else_can(make_professional, physios) -> None:
    service = physios["nl"]
    owner = service.professional
    colleague = make_professional(Discipline.PHYSIOTHERAPIST, email="colleague@example.org")
    stranger = make_professional(Discipline.PHYSIOTHERAPIST)
    url = reverse("territory:add_keeper", args=[service.fhir_id])
    assert client_of(stranger.user).post(url, {"email": "colleague@example.org"}).status_code == 403
    assert not service.managed_by.filter(pk=colleague.user_id).exists()
    client_of(owner.user).post(url, {"email": "nobody@example.org"})
    assert service.managed_by.count() == 1
    client_of(owner.user).post(url, {"email": "Colleague@example.org"})
    assert service.managed_by.filter(pk=colleague.user_id).exists()
    edit = reverse("territory:service_edit", args=[service.fhir_id])
    assert client_of(colleague.user).get(edit).status_code == 200


def test_zone_staff_start_from_their_own_zone(zone_staff, zone) -> None:
    html = client_of(zone_staff).get(reverse("territory:search")).content.decode()
    assert f'<option value="{zone.code}" selected>' in html


def test_a_long_referral_note_is_refused_and_the_buttons_name_their_referral(person, team, gp, join, physios
                                                                          ) -> None:
    """Issue 18 item 30: a 20,000-character note was accepted (the page became 254,000 px wide), and the repeated
    Accept/Refuse buttons did not say which referral they act on."""
    from careweave.careplans.errors import RuleViolation
    from careweave.territory.actions import refer_to_service

    join(team, gp)
    service = physios["fr"]
    url = reverse("territory:refer", args=[person.fhir_id])
    long_note = "x" * 20000
    page = client_of(gp.user).post(url, {"service": service.fhir_id, "reason": "Balance", "urgency": "routine",
                                         "note": long_note})
    assert page.status_code == 400 and not Referral.objects.exists()
    with pytest.raises(RuleViolation) as refused:
        refer_to_service(gp.user, person, service, reason="Balance", note=long_note)
    assert "at most 2000 characters (it has 20000)" in str(refused.value) and not Referral.objects.exists()
    refer_to_service(gp.user, person, service, reason="Balance", note="Valt vaak 's nachts")
    inbox = client_of(service.professional.user).get(reverse("territory:referrals")).content.decode()
    named = f'<span class="visually-hidden">: the referral of {person} to {service}</span></button>'
    assert inbox.count(named) == 2  # Accept and Refuse


def test_referred_is_shown_in_the_readers_language_not_the_referrers(person, team, gp, join, physios) -> None:
    """Issue 18 item 25: Maria's Dutch plan showed the French "orienté(e) : …" a French-speaking GP generated."""
    from django.utils import translation

    from careweave.territory.actions import accept_referral, refer_to_service

    join(team, gp)
    service = physios["fr"]
    with translation.override("fr"):
        referral = refer_to_service(gp.user, person, service, reason="Équilibre")
        accept_referral(service.professional.user, referral)
    member = TeamMember.objects.get(professional=service.professional)
    assert member.reason == "" and member.message_code == "territory.referred"
    dutch = client_of(person.user, "nl").get(reverse("web:plan", args=[person.fhir_id])).content.decode()
    assert "doorverwezen: Équilibre" in dutch and "orienté(e)" not in dutch
