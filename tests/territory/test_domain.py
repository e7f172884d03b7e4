"""Social map and referrals: distances, search, opening hours, zones, who keeps an entry, referral steps."""

from __future__ import annotations

import random
from datetime import datetime, time

import pytest
from django.utils import timezone

from careweave.access.decisions import decide
from careweave.access.models import AuditEvent, Level
from careweave.access.permissions import may
from careweave.careplans.actions import approve_team_member
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import TeamMember
from careweave.people.models import Discipline
from careweave.territory import actions
from careweave.territory.geo import haversine_km
from careweave.territory.models import Referral, Service
from careweave.versioning import ChangedMeanwhile

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001, ANN002, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert str(caught.value).strip()
    return caught.value


# --------------------------------------------------------------------------- distances


def test_haversine_matches_known_distances() -> None:
    assert haversine_km(50.8467, 4.3525, 51.2194, 4.4025) == pytest.approx(41.6, abs=1.0)  # Brussels-Antwerp
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=2.0)  # London-Paris
    assert haversine_km(50.0, 4.0, 50.0, 4.0) == 0


def test_resolve_point_accepts_postal_codes_and_coordinates_and_explains_bad_input() -> None:
    assert actions.resolve_point("1000") == pytest.approx((50.8467, 4.3525))
    assert actions.resolve_point("50.9, 4.1") == (50.9, 4.1)
    assert refused(actions.resolve_point, "Ninove").rule == "near"
    assert refused(actions.resolve_point, "9999").rule == "near"
    assert refused(actions.resolve_point, "95,4").rule == "near"


# --------------------------------------------------------------------------- search


def test_nearest_french_speaking_physiotherapist_first(make_professional, make_service) -> None:
    far_fr = make_service(make_professional(Discipline.PHYSIOTHERAPIST), "Kiné Bruxelles", languages="fr",
                          postal_code="1000", municipality="Bruxelles", lat=50.8467, lon=4.3525)
    near_fr = make_service(make_professional(Discipline.PHYSIOTHERAPIST), "Kiné Denderleeuw", languages="nl,fr",
                           postal_code="9470", municipality="Denderleeuw", lat=50.885, lon=4.0733)
    make_service(make_professional(Discipline.PHYSIOTHERAPIST), "Kine Ninove (nl)", languages="nl")
    make_service(make_professional(Discipline.DIETITIAN), "Diëtist Ninove", discipline="dietitian", languages="fr")
    hits = actions.search_services(discipline="physio", language="fr", near=actions.resolve_point("9400"))
    assert [h.service for h in hits] == [near_fr, far_fr]
    assert hits[0].distance_km == pytest.approx(haversine_km(50.8283, 4.0247, 50.885, 4.0733))
    assert hits[1].distance_km == pytest.approx(23.3, abs=1.5)
    within = actions.search_services(discipline="physio", near=actions.resolve_point("9400"), within_km=10)
    assert far_fr not in [h.service for h in within] and len(within) == 2


def test_nearest_without_a_radius_is_the_brute_force_ranking_near_and_far(make_professional, make_service) -> None:
    """The search widens rings around the point; whatever the ring, the result is the true nearest-first list."""
    rng = random.Random(7)
    pro = make_professional(Discipline.PHYSIOTHERAPIST)
    spreads = (0.02, 0.1, 0.5, 1.5)  # degrees: ~2 km to ~150 km, inside and beyond every ring
    points = [(50.8283 + rng.uniform(-d, d), 4.0247 + rng.uniform(-d, d)) for d in spreads for _ in range(6)]
    for i, (lat, lon) in enumerate(points):
        make_service(pro, f"Kine {i:02d}", lat=lat, lon=lon)
    ninove = actions.resolve_point("9400")
    expected = sorted((haversine_km(*ninove, lat, lon), f"Kine {i:02d}") for i, (lat, lon) in enumerate(points))
    for limit in (1, 5, 12, 24, 50):
        hits = actions.search_services(discipline="physio", near=ninove, limit=limit)
        assert [h.service.name for h in hits] == [name for _d, name in expected[:limit]], limit


def test_open_at_filter_uses_the_weekly_hours(make_professional, make_service) -> None:
    weekdays = make_service(make_professional(), "Weekdays", hours=None)
    saturday = make_service(make_professional(), "Saturday", hours={5: [(time(9, 0), time(12, 0))]})
    monday_10 = timezone.make_aware(datetime(2026, 11, 30, 10, 0))
    saturday_10 = timezone.make_aware(datetime(2026, 12, 5, 10, 0))
    monday_12_30 = timezone.make_aware(datetime(2026, 11, 30, 12, 30))
    assert [h.service for h in actions.search_services(open_at=monday_10)] == [weekdays]
    assert [h.service for h in actions.search_services(open_at=saturday_10)] == [saturday]
    assert actions.search_services(open_at=monday_12_30) == []


def test_opening_hours_must_close_after_they_open_and_not_overlap() -> None:
    assert actions.parse_day_hours("09:00-12:00 13:30-17:00") == [(time(9), time(12)), (time(13, 30), time(17))]
    assert actions.parse_day_hours("") == []
    for bad in ["12:00-09:00", "09:00-12:00 11:00-13:00", "9-12", "25:00-26:00"]:
        with pytest.raises(Exception) as caught:  # noqa: PT011 - a ValidationError with a message
            actions.parse_day_hours(bad)
        assert caught.value.messages


def test_zones_are_derived_overlapping_and_declared(make_professional, make_service, municipality_zones) -> None:
    z = municipality_zones
    service = make_service(make_professional(), "Kine Ninove", zones=[z["sector"]])
    zones = set(service.location.zones.all())
    assert {z["elz"], z["hospital"], z["ninove"], z["sector"]} <= zones  # several kinds at once
    assert z["brussels"] not in zones
    assert z["elz"] in z["sector"].ancestors()
    in_elz = actions.search_services(zone=z["elz"])
    in_brussels = actions.search_services(zone=z["brussels"])
    assert [h.service for h in in_elz] == [service] and in_brussels == []


def test_a_zone_never_binds_the_person(person, team, gp, join, make_professional, make_service,
                                       municipality_zones) -> None:
    """C10-R05 (001 l.3050-3056): a person living in one zone can be referred to a provider in another."""
    join(team, gp)
    person.zone = municipality_zones["elz"]
    person.save()
    brussels_pro = make_professional(Discipline.PHYSIOTHERAPIST)
    service = make_service(brussels_pro, "Kiné Bruxelles", languages="fr", postal_code="1000",
                           municipality="Bruxelles", lat=50.8467, lon=4.3525)
    assert municipality_zones["brussels"] in service.location.zones.all()
    referral = actions.refer_to_service(gp.user, person, service, reason="French-speaking physiotherapy")
    assert referral.status == Referral.Status.SENT


# --------------------------------------------------------------------------- the provider keeps its entry


def test_only_the_provider_changes_its_entry_and_edits_are_audited(make_professional, make_service) -> None:
    owner, other = make_professional(Discipline.PHYSIOTHERAPIST), make_professional(Discipline.PHYSIOTHERAPIST)
    service = make_service(owner, "Kine Ninove")
    assert may(owner.user, "territory.update_service", service) and not may(other.user, "territory.update_service",
                                                                             service)
    rule = refused(actions.update_service, other.user, service, service.version, service={"name": "Hijacked"},
                   location={})
    assert rule.rule == "not_allowed"
    service.refresh_from_db()
    assert service.name == "Kine Ninove"
    assert AuditEvent.objects.filter(user=other.user, resource_type="HealthcareService", outcome="denied").exists()
    actions.update_service(owner.user, service, service.version, service={"name": "Kine Ninove Centrum",
                                                                          "languages": "nl,fr"}, location={})
    service.refresh_from_db()
    assert (service.name, service.language_list, service.version) == ("Kine Ninove Centrum", ["nl", "fr"], 2)
    assert AuditEvent.objects.filter(user=owner.user, resource_type="HealthcareService", action="U").exists()


def test_stale_edit_and_bad_input_change_nothing(make_professional, make_service) -> None:
    owner = make_professional(Discipline.PHYSIOTHERAPIST)
    service = make_service(owner, "Kine Ninove")
    with pytest.raises(ChangedMeanwhile):
        actions.update_service(owner.user, service, service.version + 5, service={"name": "Late"}, location={})
    assert refused(actions.update_service, owner.user, Service.objects.get(pk=service.pk), 1,
                   service={"languages": "xx"}, location={}).rule == "service_languages"
    assert refused(actions.update_service, owner.user, Service.objects.get(pk=service.pk), 1,
                   service={}, location={"latitude": 123.0}).rule == "invalid_entry"
    service.refresh_from_db()
    assert (service.name, service.version, service.location.latitude) == ("Kine Ninove", 1, 50.8283)


def test_only_providers_register_entries(make_user) -> None:
    assert refused(actions.register_service, make_user(), service={"name": "X", "discipline": "gp"},
                   location={"postal_code": "9400", "municipality": "Ninove", "latitude": 50.8,
                             "longitude": 4.0}).rule == "not_allowed"
    assert not Service.objects.exists()


# --------------------------------------------------------------------------- referrals


@pytest.fixture
def physio_service(make_professional, make_service) -> Service:
    return make_service(make_professional(Discipline.PHYSIOTHERAPIST, given="Claire"), "Kiné Claire", languages="fr")


def test_referral_joins_the_team_only_with_the_persons_consent(person, team, gp, join, physio_service) -> None:
    join(team, gp)
    receiver = physio_service.professional
    referral = actions.refer_to_service(gp.user, person, physio_service, reason="Balance training", urgency="urgent")
    assert decide(receiver.user, person).level == Level.NONE
    actions.accept_referral(receiver.user, referral, referral.version)
    referral.refresh_from_db()
    member = referral.team_member
    assert referral.status == Referral.Status.ACCEPTED and member.status == TeamMember.Status.PROPOSED
    assert decide(receiver.user, person).level == Level.NONE  # accepted, but not in the team yet
    assert refused(approve_team_member, gp.user, member).rule == "person_decides"
    approve_team_member(person.user, member)
    assert decide(receiver.user, person).level == Level.FULL
    actions.complete_referral(receiver.user, referral, "10 sessions done")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DONE and referral.done_at is not None
    assert AuditEvent.objects.filter(resource_type="ServiceRequest", person=person, action="C").exists()


def test_the_referred_members_role_reads_in_each_readers_language(person, team, gp, join, physio_service) -> None:
    """Issue 18.25: the role was stored as the referrer's word ("kinésithérapeute") and shown so to everyone."""
    from django.utils import translation

    join(team, gp)
    with translation.override("fr"):
        referral = actions.refer_to_service(gp.user, person, physio_service, reason="Équilibre")
        actions.accept_referral(physio_service.professional.user, referral, referral.version)
    member = TeamMember.objects.get(pk=Referral.objects.get(pk=referral.pk).team_member_id)
    for language in ("nl", "fr", "de", "en"):
        with translation.override(language):
            assert member.display_role == str(Discipline.PHYSIOTHERAPIST.label), language


def test_illegal_referral_steps_are_refused_with_a_reason(person, team, gp, join, outsider, physio_service) -> None:
    join(team, gp)
    receiver = physio_service.professional
    assert refused(actions.refer_to_service, outsider.user, person, physio_service, reason="x").rule == "no_access"
    assert refused(actions.refer_to_service, gp.user, person, physio_service, reason=" ").rule == "referral_reason"
    referral = actions.refer_to_service(gp.user, person, physio_service, reason="Balance")
    assert refused(actions.refer_to_service, gp.user, person, physio_service, reason="again").rule == "referral_open"
    assert refused(actions.accept_referral, gp.user, referral).rule == "not_allowed"
    assert refused(actions.complete_referral, receiver.user, referral).rule == "referral_status"
    assert refused(actions.refuse_referral, receiver.user, referral, "").rule == "referral_reason"
    actions.refuse_referral(receiver.user, referral, "No capacity")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFUSED and referral.status_reason == "No capacity"
    assert refused(actions.accept_referral, receiver.user, referral).rule == "referral_status"
    assert not TeamMember.objects.filter(professional=receiver).exists()


def test_the_person_refers_and_the_receiver_joins_at_once(person, physio_service) -> None:
    """Referred by the person themselves: accepting needs no further agreement (they asked for it)."""
    receiver = physio_service.professional
    referral = actions.refer_to_service(person.user, person, physio_service, reason="I want physiotherapy")
    assert refused(actions.refer_to_service, person.user, person, physio_service, reason="x").rule == "referral_open"
    actions.accept_referral(receiver.user, referral)
    referral.refresh_from_db()
    assert referral.team_member is not None
