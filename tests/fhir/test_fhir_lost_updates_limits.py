"""Issue 12, groups 1 and 2: no lost update without If-Match; big, deep and over-long input answered
with an OperationOutcome (413, 400, 422) and nothing stored, never a 500."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from django.db import connection
from django.test import Client, override_settings

from careweave.careplans.models import Goal
from careweave.people.models import Person


def _goal_path(plan) -> str:  # noqa: ANN001
    goal = Goal.objects.filter(plan=plan, is_medical=False).first()
    return f"/Goal/{goal.fhir_id}"


def test_twenty_puts_from_the_same_read_without_if_match_exactly_one_wins(api, plan):
    """All twenty clients read version 1; each sends its copy back without If-Match."""
    path = _goal_path(plan)
    copy = api.get(path).json()
    statuses = []
    for n in range(20):
        body = dict(copy, description={"text": f"Walk to the market, version of client {n}"})
        statuses.append(api.put(path, body).status_code)
    assert statuses.count(200) == 1
    assert statuses.count(409) == 19
    goal = Goal.objects.get(fhir_id=copy["id"])
    assert goal.version == 2
    assert goal.description == "Walk to the market, version of client 0"


def test_a_put_without_meta_still_works_from_the_current_version(api, plan):
    path = _goal_path(plan)
    body = api.get(path).json()
    body.pop("meta")
    body["description"] = {"text": "Walk to the market with a friend"}
    assert api.put(path, body).status_code == 200
    assert api.put(path, dict(body, description={"text": "And back"})).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_puts_without_if_match_one_winner_per_base(make_api, plan):
    """Eight threads, each with its own database connection, save their copy of version 1 at once."""
    api = make_api(plan.author)
    token = api.headers["HTTP_AUTHORIZATION"]
    path = _goal_path(plan)
    copy = api.get(path).json()
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    # SQLite's shared in-memory test database fails concurrent writers instead of waiting: take turns there.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def edit(n: int) -> None:
        try:
            mine = dict(copy, description={"text": f"client {n}"})
            barrier.wait()
            with turns:
                response = Client().put(f"/fhir/R4{path}", data=mine, content_type="application/fhir+json",
                                        HTTP_AUTHORIZATION=token)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 7
    assert Goal.objects.get(fhir_id=copy["id"]).version == 2


def _bundle_of_size(person: Person, size: int) -> bytes:
    """A batch with one Observation whose note pads the body to about ``size`` bytes."""
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "weight"},
                   "subject": {"reference": f"Patient/{person.fhir_id}"}, "note": [{"text": "x" * size}]}
    return json.dumps({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": observation, "request": {"method": "POST", "url": "Observation"}}]}).encode()


def test_a_bundle_above_djangos_form_limit_is_accepted(api, person):
    body = _bundle_of_size(person, 3_200_000)  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE is 2.5 MiB
    response = api.post("", body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["entry"][0]["response"]["status"].startswith("20")


@override_settings(FHIR_MAX_BODY_BYTES=1_000_000)
def test_a_bundle_above_the_limit_is_413_with_an_operation_outcome(api, person):
    response = api.post("", _bundle_of_size(person, 1_100_000))
    assert response.status_code == 413
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "at most 1.0 MB" in outcome["issue"][0]["diagnostics"]


def test_the_rest_of_the_site_keeps_djangos_limit(client, gp):
    client.force_login(gp.user)
    response = client.post("/login/", data="a=" + "x" * 3_000_000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # RequestDataTooBig, not accepted


@pytest.mark.parametrize("depth", [5000, 200])
def test_deeply_nested_json_is_400_not_500(api, depth):
    body = '{"resourceType": "Patient", "extension": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/Patient", body)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["issue"][0]["diagnostics"]


def test_a_megabyte_name_is_refused_with_a_clear_message(api):
    patient = {"resourceType": "Patient", "gender": "male",
               "name": [{"use": "official", "family": "J" * 1_000_000, "given": ["Jef"]}]}
    response = api.post("/Patient", patient)
    assert response.status_code == 422
    assert "name.family is too long: at most 100 characters" in response.json()["issue"][0]["diagnostics"]
    assert not Person.objects.filter(given_name="Jef").exists()


def test_a_too_long_goal_is_refused_and_the_goal_keeps_its_text(api, plan):
    path = _goal_path(plan)
    body = api.get(path).json()
    before = body["description"]["text"]
    response = api.put(path, dict(body, description={"text": "y" * 30_000}))
    assert response.status_code == 422
    assert "description.text is too long" in response.json()["issue"][0]["diagnostics"]
    assert api.get(path).json()["description"]["text"] == before
