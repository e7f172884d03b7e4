"""Coordination and case-management episodes as EpisodeOfCare, provisions as ChargeItem (issue 20): read and
search through the API as the care relationship and the table's provision rows decide; a stranger gets
nothing; the pseudonymised Bulk export carries them with the person's pseudonym."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]
DEMO = {"persons": 60, "seed": 42}


@pytest.fixture
def maria(demo_zone):  # noqa: ANN001, ANN201
    from careweave.people.models import Person

    return Person.objects.get(given_name="Maria", family_name="Peeters")


def _case_management(maria):  # noqa: ANN001, ANN202
    from careweave.careplans.models import CaseManagementEpisode

    found = CaseManagementEpisode.objects.filter(person=maria).first()
    if found is None:
        found = CaseManagementEpisode.objects.create(
            person=maria, case_manager=User.objects.get(username="casemanager").professional,
            started_at=timezone.now() - timedelta(days=20))
    return found


def _provision(maria, medical: bool = False):  # noqa: ANN001, ANN202
    from careweave.financing.models import Provision, ProvisionType, Tariff

    ptype = ProvisionType.objects.filter(medical=medical, tariffs__isnull=False).first()
    tariff = Tariff.objects.filter(provision_type=ptype).first()
    return Provision.objects.create(person=maria, professional=User.objects.get(username="nurse").professional,
                                    provision_type=ptype, tariff=tariff, date=timezone.localdate(),
                                    quantity=Decimal("2"), amount=Decimal("40"))


def test_a_coordination_episode_is_an_episode_of_care(make_api, maria) -> None:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    episode = CoordinationEpisode.objects.filter(team__person=maria).first()
    assert episode is not None and episode.coordinator.professional_id
    api = make_api(User.objects.get(username="gp"))
    response = api.get(f"/EpisodeOfCare/coordination-{episode.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"][0]["coding"][0]["code"] == "coordination"
    assert body["status"] == {"proposed": "planned", "active": "active", "ended": "finished",
                              "refused": "cancelled"}[episode.status]
    assert body["patient"]["reference"] == f"Patient/{maria.fhir_id}"
    assert body["careManager"]["reference"] == f"Practitioner/{episode.coordinator.professional.fhir_id}"
    # a number that is not a coordination episode is not found, whatever the other kinds hold
    assert api.get("/EpisodeOfCare/coordination-999999").status_code == 404
    assert api.get("/EpisodeOfCare/case-management-x").status_code == 404


def test_a_search_merges_enrolments_coordination_and_case_management(make_api, maria) -> None:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    episode = CoordinationEpisode.objects.filter(team__person=maria).first()
    case = _case_management(maria)
    api = make_api(User.objects.get(username="gp"))
    found = api.get(f"/EpisodeOfCare?patient=Patient/{maria.fhir_id}").json()
    ids = {e["resource"]["id"] for e in found.get("entry", [])}
    assert {f"coordination-{episode.pk}", f"case-management-{case.pk}"} <= ids
    assert found["total"] == len(ids)
    kinds = api.get(f"/EpisodeOfCare?patient=Patient/{maria.fhir_id}&type=case-management").json()
    assert [e["resource"]["id"] for e in kinds["entry"]] == [f"case-management-{case.pk}"]
    manager = case.case_manager.fhir_id
    by_manager = api.get(f"/EpisodeOfCare?care-manager=Practitioner/{manager}&patient=Patient/{maria.fhir_id}").json()
    assert [e["resource"]["id"] for e in by_manager["entry"]] == [f"case-management-{case.pk}"]
    by_id = api.get(f"/EpisodeOfCare?_id=coordination-{episode.pk}").json()
    assert [e["resource"]["id"] for e in by_id["entry"]] == [f"coordination-{episode.pk}"]
    # paging through the merged list neither repeats nor skips
    first = api.get(f"/EpisodeOfCare?patient=Patient/{maria.fhir_id}&_count=1").json()
    second = api.get(f"/EpisodeOfCare?patient=Patient/{maria.fhir_id}&_count=1&_offset=1").json()
    assert first["entry"][0]["resource"]["id"] != second["entry"][0]["resource"]["id"]


def test_a_stranger_gets_no_episode(make_api, maria, stranger) -> None:  # noqa: ANN001
    from careweave.access.models import AuditEvent
    from careweave.careplans.models import CoordinationEpisode

    episode = CoordinationEpisode.objects.filter(team__person=maria).first()
    case = _case_management(maria)
    api = make_api(stranger.user)
    assert api.get(f"/EpisodeOfCare/coordination-{episode.pk}").status_code == 403
    assert api.get(f"/EpisodeOfCare/case-management-{case.pk}").status_code == 403
    assert AuditEvent.objects.filter(user=stranger.user, person=maria, outcome="denied").exists()
    assert api.get("/EpisodeOfCare?type=coordination").json().get("entry", []) == []
    assert api.get(f"/EpisodeOfCare?patient=Patient/{maria.fhir_id}").status_code == 403
    # a welfare professional in Maria's team reads them as the rest of her plan (the person's file decides)
    from careweave.access.decisions import decide
    from careweave.access.models import Level

    social = User.objects.get(username="socialworker")
    expected = 200 if decide(social, maria).allows(Level.PLAN) else 403
    assert make_api(social).get(f"/EpisodeOfCare/case-management-{case.pk}").status_code == expected


def test_provisions_are_charge_items_as_the_provision_rows_decide(make_api, maria) -> None:  # noqa: ANN001
    from careweave.access.models import AuditEvent

    item = _provision(maria)
    nurse = make_api(User.objects.get(username="nurse"))
    response = nurse.get(f"/ChargeItem/{item.fhir_id}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"]["coding"][0]["code"] == item.provision_type.code
    assert body["subject"]["reference"] == f"Patient/{maria.fhir_id}"
    assert body["quantity"] == {"value": 2.0} and body["occurrenceDateTime"] == item.date.isoformat()
    assert body["performer"][0]["actor"]["reference"].startswith("Practitioner/")
    assert "priceOverride" not in body and "totalPriceComponent" not in json.dumps(body)
    assert AuditEvent.objects.filter(user__username="nurse", person=maria, resource_type="ChargeItem").exists()
    # the zone's staff see the provisions of the zone's persons (financing.see_provisions), without a relationship
    staff = make_api(User.objects.get(username="zonestaff"))
    assert staff.get(f"/ChargeItem/{item.fhir_id}").status_code == 200
    listed = staff.get(f"/ChargeItem?patient=Patient/{maria.fhir_id}").json()
    assert str(item.fhir_id) in {e["resource"]["id"] for e in listed["entry"]}
    # a welfare professional in Maria's team may not (the table: see_provisions is not theirs)
    welfare = make_api(User.objects.get(username="socialworker"))
    assert welfare.get(f"/ChargeItem/{item.fhir_id}").status_code == 403
    assert str(item.fhir_id) not in {e["resource"]["id"] for e in
                                     welfare.get("/ChargeItem").json().get("entry", [])}
    # a stranger (the platform administrator) gets nothing
    admin = make_api(User.objects.get(username="admin"))
    assert admin.get(f"/ChargeItem/{item.fhir_id}").status_code == 403
    assert admin.get("/ChargeItem").json().get("entry", []) == []


def test_the_pseudonymised_export_carries_episodes_and_provisions(maria, tmp_path) -> None:  # noqa: ANN001
    from careweave.fhir.bulk import write_ndjson
    from careweave.fhir.bulk.pseudonyms import pseudonym_of

    _case_management(maria)
    _provision(maria)
    out = write_ndjson(User.objects.get(username="zonestaff"), tmp_path, types=["EpisodeOfCare", "ChargeItem"],
                       pseudonymise=True, zone_code=maria.zone.code)
    counts = {o["type"]: o["count"] for o in out["output"]}
    assert counts.get("ChargeItem") and counts.get("EpisodeOfCare")
    text = (tmp_path / "EpisodeOfCare.ndjson").read_text() + (tmp_path / "ChargeItem.ndjson").read_text()
    assert str(maria.fhir_id) not in text and f"Patient/{pseudonym_of(maria, maria.zone.code)}" in text
    kinds = {json.loads(line)["type"][0]["coding"][0]["system"].rsplit("/", 1)[-1]
             for line in (tmp_path / "EpisodeOfCare.ndjson").read_text().splitlines()}
    assert {"episode-kind", "programme"} <= kinds
