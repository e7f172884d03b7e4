"""Issue #18 item 22: HTTP semantics FHIR clients rely on (update without id, ETags, Allow, HEAD,
If-Match: *, conditional create as fhirpy's get_or_create uses it)."""

from __future__ import annotations

from careweave.careplans.models import Goal

BASE = "/fhir/R4"


def _goal_body(person, text: str, *identifiers: tuple[str, str]) -> dict:  # noqa: ANN001
    return {"resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": text},
            "identifier": [{"system": s, "value": v} for s, v in identifiers],
            "subject": {"reference": f"Patient/{person.fhir_id}"}}


def test_an_update_without_the_id_in_the_body_is_refused(api, person, plan):
    goal = plan.goals.first()
    body = api.get(f"/Goal/{goal.fhir_id}").json()
    body.pop("id")
    body["description"] = {"text": "Changed without id"}
    response = api.put(f"/Goal/{goal.fhir_id}", body)
    assert response.status_code == 400
    assert "id" in response.json()["issue"][0]["diagnostics"]
    goal.refresh_from_db()
    assert goal.description != "Changed without id"


def test_if_none_match_compares_weakly(api, person, plan):
    goal = plan.goals.first()
    version = goal.version
    assert api.get(f"/Goal/{goal.fhir_id}", HTTP_IF_NONE_MATCH=f'"{version}"').status_code == 304
    assert api.get(f"/Goal/{goal.fhir_id}", HTTP_IF_NONE_MATCH=f'W/"{version}"').status_code == 304
    assert api.get(f"/Goal/{goal.fhir_id}", HTTP_IF_NONE_MATCH="*").status_code == 304
    assert api.get(f"/Goal/{goal.fhir_id}", HTTP_IF_NONE_MATCH=f'W/"{version + 1}"').status_code == 200


def test_405_says_what_is_allowed(api, person, plan):
    # Location is read-only (the social map is kept on its pages); Appointment is not since issue 21
    location = api.client.delete(f"{BASE}/Location/{plan.fhir_id}", **api.headers)
    assert location.status_code == 405
    assert location["Allow"] == "GET, HEAD"  # a read-only type offers no PUT
    created = api.post("/Location", {"resourceType": "Location", "name": "Praktijk"})
    assert created.status_code == 405 and created["Allow"] == "GET, HEAD"
    appointment = api.client.delete(f"{BASE}/Appointment/{plan.fhir_id}", **api.headers)
    assert appointment.status_code == 405 and appointment["Allow"] == "GET, HEAD, PUT"
    goal = api.client.delete(f"{BASE}/Goal/{plan.fhir_id}", **api.headers)
    assert goal.status_code == 405 and goal["Allow"] == "GET, HEAD, PUT"


def test_head_answers_reads_and_searches_without_a_body(api, person, plan):
    goal = plan.goals.first()
    read = api.client.head(f"{BASE}/Goal/{goal.fhir_id}", **api.headers)
    assert read.status_code == 200 and read.content == b""
    assert read["ETag"] == f'W/"{goal.version}"'
    search = api.client.head(f"{BASE}/Goal?patient={person.fhir_id}", **api.headers)
    assert search.status_code == 200 and search.content == b""
    assert api.client.head(f"{BASE}/Goal/{person.fhir_id}", **api.headers).status_code == 404


def test_if_match_star_means_any_current_version(api, person, plan):
    goal = plan.goals.first()
    body = api.get(f"/Goal/{goal.fhir_id}").json()
    body["description"] = {"text": "Walk to the market every day"}
    response = api.put(f"/Goal/{goal.fhir_id}", body, HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.json()
    goal.refresh_from_db()
    assert goal.description == "Walk to the market every day"


def test_get_or_create_by_any_identifier_creates_once_then_returns_it(api, person, plan):
    """fhirpy's get_or_create: POST with If-None-Exist on an identifier (here the second one the goal has)."""
    body = _goal_body(person, "Join the walking club", ("urn:example:a", "g-1"), ("urn:example:b", "club-7"))
    first = api.post("/Goal", body, HTTP_IF_NONE_EXIST="identifier=urn:example:a|g-1")
    assert first.status_code == 201, first.json()
    again = api.post("/Goal", body, HTTP_IF_NONE_EXIST="identifier=urn%3Aexample%3Ab%7Cclub-7")
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == first.json()["id"]
    assert Goal.objects.filter(description="Join the walking club").count() == 1
