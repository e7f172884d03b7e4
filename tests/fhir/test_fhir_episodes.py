"""EpisodeOfCare (issue 20): a person's enrolment in a programme, served read-only so the population pipeline's
views can count who is in which programme and phase; the MDO's transition point on its Appointment; the shipped
ViewDefinitions compile on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]
DEMO = {"persons": 60, "seed": 42}


def test_an_enrolment_is_served_as_an_episode_of_care(make_api, demo_zone) -> None:  # noqa: ANN001
    from careweave.people.models import Person
    from careweave.programmes.actions import enrol_in_programme, usable_versions
    from careweave.programmes.models import Enrolment

    gp = User.objects.get(username="gp")
    maria = Person.objects.get(given_name="Maria", family_name="Peeters")
    Enrolment.objects.filter(person=maria).delete()
    frail = next(v for v in usable_versions() if "frail" in v.pathway.code)
    member = maria.care_teams.get().members.filter(professional=gp.professional).first()
    enrolment = enrol_in_programme(gp, maria, frail, reference_member=member, person_agreed=True)
    api = make_api(gp)
    gp_person = maria
    readable = api.get(f"/EpisodeOfCare/{enrolment.fhir_id}")
    assert readable.status_code == 200, readable.content
    body = readable.json()
    assert body["resourceType"] == "EpisodeOfCare"
    assert body["type"][0]["coding"][0]["code"] == enrolment.pathway.code
    assert body["status"] == ("active" if enrolment.status == "active" else "finished")
    assert body["period"]["start"] == enrolment.started_on.isoformat()
    phase = next(e for e in body["extension"] if e["url"].endswith("/programme-phase"))
    assert {"url": "since", "valueDate": enrolment.phase_since.isoformat()} in phase["extension"]
    found = api.get(f"/EpisodeOfCare?patient=Patient/{gp_person.fhir_id}").json()
    assert any(e["resource"]["id"] == str(enrolment.fhir_id) for e in found.get("entry", []))
    # a stranger's token finds nothing of it
    stranger = make_api(User.objects.get(username="admin"))
    assert stranger.get(f"/EpisodeOfCare/{enrolment.fhir_id}").status_code in (403, 404)


def test_the_shipped_views_compile_for_duckdb_and_spark() -> None:
    from careweave.sof import compile_view

    views = sorted((Path(__file__).resolve().parents[2] / "careweave" / "sof" / "views").glob("cw_*.json"))
    assert len(views) >= 9
    for path in views:
        view = json.loads(path.read_text())
        for dialect in ("duckdb", "spark"):
            assert compile_view(view, dialect), (path.name, dialect)


def test_the_population_views_are_served_as_viewdefinitions(make_api, gp) -> None:  # noqa: ANN001
    api = make_api(gp.user)
    response = api.get("/ViewDefinition/cw-care-plans")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "cw_care_plans" and body["resource"] == "CarePlan"
    assert [c["name"] for c in body["select"][0]["column"]][:3] == ["id", "patient", "status"]
