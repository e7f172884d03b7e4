"""Transaction bundles: all or nothing, urn:uuid references, conditional operations, idempotent imports."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from careweave.careplans.models import CarePlan, Goal, TeamMember
from careweave.fhir.models import StoredResource
from careweave.fhir.profiles import SSIN
from careweave.people.identifiers import make_ssin
from careweave.people.models import Organisation, Person, Professional


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def transaction(*entries: dict) -> dict:
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def post(full_url: str, resource: dict, **request: str) -> dict:
    return {"fullUrl": full_url, "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"], **request}}


def patient(ssin: str, family: str = "Claes") -> dict:
    return {"resourceType": "Patient", "identifier": [{"system": SSIN, "value": ssin}],
            "name": [{"family": family, "given": ["Louis"]}], "gender": "male"}


def test_transaction_resolves_urn_references_and_answers_per_entry(api, gp, validate_r4b):
    p, cp, g = urn(), urn(), urn()
    ssin = make_ssin(date(1938, 7, 1), 33)
    bundle = transaction(
        post(g, {"resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Sleep better"},
                 "subject": {"reference": p}}),
        post(cp, {"resourceType": "CarePlan", "status": "active", "intent": "plan", "title": "Rest",
                  "subject": {"reference": p}, "goal": [{"reference": g}]}),
        post(p, patient(ssin)),
        post(urn(), {"resourceType": "Observation", "status": "final", "code": {"text": "weight"},
                     "subject": {"reference": p}}),
    )
    response = api.post("", bundle)
    assert response.status_code == 200, response.json()
    answer = response.json()
    validate_r4b(answer)
    assert answer["type"] == "transaction-response"
    assert len(answer["entry"]) == 4  # one response entry per request entry
    statuses = [e["response"]["status"] for e in answer["entry"]]
    # the Observation is kept as received and served read-only: created, with a location to read it at
    assert statuses == ["201 Created", "201 Created", "201 Created", "201 Created"]
    assert answer["entry"][3]["response"]["location"].startswith("Observation/")
    assert answer["entry"][2]["response"]["location"].startswith("Patient/")
    person = Person.objects.get(ssin=ssin)
    goal = Goal.objects.get(description="Sleep better")
    assert goal.plan.person == person and goal.plan.title == "Rest"
    assert StoredResource.objects.get(resource_type="Observation").patient == person
    assert StoredResource.objects.get(resource_type="Observation").data["code"] == {"text": "weight"}


def test_the_import_summary_counts_what_was_only_stored(gp):
    from careweave.fhir.bundles import process_bundle

    ssin = make_ssin(date(1937, 5, 5), 21)
    p = urn()
    result = process_bundle(gp.user, transaction(
        post(p, patient(ssin)),
        post(urn(), {"resourceType": "Observation", "status": "final", "code": {"text": "weight"},
                     "subject": {"reference": p}})))
    summary = result.outcome()
    assert summary["resourceType"] == "OperationOutcome"
    assert any("Observation: 1 kept as received (1 new); they can be read" in i["diagnostics"]
               for i in summary["issue"])


def test_a_failing_entry_rolls_back_the_whole_transaction(api, gp, person):
    p = urn()
    bundle = transaction(
        post(p, patient(make_ssin(date(1938, 7, 1), 35), family="Rollback")),
        post(urn(), patient("38070103312", family="Typo")),  # a mistyped SSIN: 422
    )
    response = api.post("", bundle)
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "Bundle.entry[1]" in response.json()["issue"][0]["expression"]
    assert not Person.objects.filter(family_name="Rollback").exists()


def test_if_none_exist_and_conditional_reference(api, person, plan):
    bundle = transaction(
        post(urn(), patient(person.ssin), ifNoneExist=f"identifier={SSIN}|{person.ssin}"),
        post(urn(), {"resourceType": "Goal", "lifecycleStatus": "proposed", "description": {"text": "Join a choir"},
                     "subject": {"reference": f"Patient?identifier={SSIN}|{person.ssin}"}}),
    )
    response = api.post("", bundle)
    assert response.status_code == 200, response.json()
    first = response.json()["entry"][0]["response"]
    assert first["status"] == "200 OK" and first["location"].startswith(f"Patient/{person.fhir_id}")
    assert Goal.objects.get(description="Join a choir").plan == plan


def test_batch_reports_each_entry_on_its_own(api, person):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        post(urn(), patient(person.ssin)),
        post(urn(), patient(make_ssin(date(1939, 2, 2), 41), family="Batch")),
    ]}
    response = api.post("", bundle)
    assert response.status_code == 200
    entries = response.json()["entry"]
    # the first is matched on its SSIN (an import never duplicates), the second created
    assert entries[0]["response"]["status"] == "200 OK"
    assert entries[1]["response"]["status"] == "201 Created"


def test_only_bundles_of_type_transaction_or_batch(api):
    assert api.post("", {"resourceType": "Bundle", "type": "collection", "entry": []}).status_code == 400
    assert api.post("", {"resourceType": "Patient"}).status_code == 400


@pytest.mark.shared
def test_all_synthea_bundles_import_and_a_second_import_changes_nothing(api, gp, synthea_dir, validate_r4b):
    files = sorted(synthea_dir.glob("*.json"))
    assert len(files) == 20
    for path in files:
        response = api.post("", path.read_bytes())
        assert response.status_code == 200, (path.name, response.json())
        validate_r4b(response.json())
        assert len(response.json()["entry"]) == len(json.loads(path.read_bytes())["entry"])
    counts = {
        "persons": Person.objects.count(), "plans": CarePlan.objects.count(), "goals": Goal.objects.count(),
        "practitioners": Professional.objects.count(), "organisations": Organisation.objects.count(),
        "stored": StoredResource.objects.count(),
    }
    assert counts["persons"] == 20 and counts["plans"] == 42 and counts["goals"] == 25
    assert counts["organisations"] == 25 and counts["practitioners"] == 25 + 1  # Synthea's and the GP
    assert StoredResource.objects.filter(patient__isnull=True).count() == 0
    synthea = json.loads(files[0].read_text())
    abdul = Person.objects.get(external_id__endswith=synthea["entry"][0]["resource"]["identifier"][0]["value"])
    assert abdul.external_id.startswith("https://github.com/synthetichealth/synthea|")
    assert TeamMember.objects.filter(team__person=abdul, professional=gp, status="active").exists()
    # again: nothing new, nothing changed
    for path in files:
        answer = api.post("", path.read_bytes()).json()
        statuses = {e["response"]["status"] for e in answer["entry"]}
        assert statuses <= {"200 OK", "202 Accepted"}, path.name
    assert counts == {
        "persons": Person.objects.count(), "plans": CarePlan.objects.count(), "goals": Goal.objects.count(),
        "practitioners": Professional.objects.count(), "organisations": Organisation.objects.count(),
        "stored": StoredResource.objects.count(),
    }
    assert all(plan.version <= 2 for plan in CarePlan.objects.all())
