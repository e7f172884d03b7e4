"""Reading and searching: what a professional in the team sees, and what is audited."""

from __future__ import annotations

from careweave.access.models import AuditEvent
from careweave.fhir.profiles import PROFILES, SSIN


def test_read_patient_returns_be_patient_with_ssin_and_etag(api, person, validate_r4b):
    response = api.get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["meta"]["profile"] == [PROFILES["Patient"]]
    assert {"system": SSIN, "value": person.ssin, "use": "official"} in body["identifier"]
    assert response["ETag"] == f'W/"{person.version}"'
    assert response["Last-Modified"]
    validate_r4b(body)


def test_read_is_audited_for_the_person(api, person, gp):
    api.get(f"/Patient/{person.fhir_id}")
    event = AuditEvent.objects.filter(person=person, user=gp.user, action="R").latest("recorded_at")
    assert event.resource_id == str(person.fhir_id)
    assert event.channel == "api"


def test_search_tasks_by_patient_returns_searchset_with_total(api, person, plan, validate_r4b):
    response = api.get(f"/Task?patient=Patient/{person.fhir_id}")
    bundle = response.json()
    assert response.status_code == 200
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 2
    assert {e["resource"]["description"] for e in bundle["entry"]} == {"Order a walking frame",
                                                                        "Adjust insulin dose"}
    for entry in bundle["entry"]:
        assert entry["resource"]["basedOn"][0]["reference"] == f"CarePlan/{plan.fhir_id}"
        validate_r4b(entry["resource"])
    validate_r4b(bundle)


def test_welfare_professional_does_not_see_medical_goals(make_api, person, plan, welfare_member):
    response = make_api(welfare_member.user).get(f"/Goal?subject={person.fhir_id}")
    descriptions = [e["resource"]["description"]["text"] for e in response.json().get("entry", [])]
    assert descriptions == ["Walk to the market twice a week"]
    assert response.json()["total"] == 1


def test_search_paging_links(api, person, plan):
    first = api.get(f"/Goal?patient={person.fhir_id}&_count=1").json()
    assert first["total"] == 2 and len(first["entry"]) == 1
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = api.client.get(next_url, **api.headers).json()
    assert len(second["entry"]) == 1
    assert second["entry"][0]["resource"]["id"] != first["entry"][0]["resource"]["id"]
    assert not any(link["relation"] == "next" for link in second["link"])


def test_search_by_identifier_and_id(api, person):
    by_ssin = api.get(f"/Patient?identifier={SSIN}|{person.ssin}").json()
    assert [e["resource"]["id"] for e in by_ssin["entry"]] == [str(person.fhir_id)]
    by_id = api.get(f"/Patient?_id={person.fhir_id}").json()
    assert by_id["total"] == 1


def test_search_without_relationship_finds_nothing_and_reading_is_refused(make_api, stranger, person, plan):
    stranger_api = make_api(stranger.user)
    assert stranger_api.get(f"/Patient?identifier={SSIN}|{person.ssin}").json()["total"] == 0
    response = stranger_api.get(f"/CarePlan/{plan.fhir_id}")
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert AuditEvent.objects.filter(person=person, user=stranger.user, outcome="denied").exists()


def test_search_status_and_last_updated(api, person, plan):
    assert api.get(f"/Task?patient={person.fhir_id}&status=completed").json()["total"] == 0
    assert api.get(f"/Task?patient={person.fhir_id}&status=requested").json()["total"] == 2
    assert api.get(f"/Task?patient={person.fhir_id}&_lastUpdated=ge2020-01-01").json()["total"] == 2
    assert api.get(f"/Task?patient={person.fhir_id}&_lastUpdated=lt2020-01-01").json()["total"] == 0


def test_plan_with_its_goals_and_tasks_in_one_request(api, make_api, plan, welfare_member, validate_r4b):
    query = f"/CarePlan?_id={plan.fhir_id}&_revinclude=Goal:care-plan&_revinclude=Task:based-on"
    bundle = api.get(query).json()
    validate_r4b(bundle)
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert modes.count(("CarePlan", "match")) == 1 and bundle["total"] == 1
    assert modes.count(("Goal", "include")) == 2 and modes.count(("Task", "include")) == 2
    # the welfare professional gets the same plan without its medical goals and tasks
    limited = make_api(welfare_member.user).get(query).json()
    included = {e["resource"]["resourceType"]: 0 for e in limited["entry"]}
    for entry in limited["entry"]:
        included[entry["resource"]["resourceType"]] += 1
    assert included == {"CarePlan": 1, "Goal": 1, "Task": 1}


def test_unsupported_search_parameters_are_reported_not_silently_applied(api, person, validate_r4b):
    bundle = api.get(f"/Patient?_id={person.fhir_id}&shoe-size=44").json()
    validate_r4b(bundle)
    assert bundle["total"] == 1
    outcome = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "shoe-size" in outcome[0]["resource"]["issue"][0]["diagnostics"]
