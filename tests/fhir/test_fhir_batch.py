"""Issue 12, group 4: GET entries in bundles, references between entries of a batch, and conditional
creates that race each other."""

from __future__ import annotations

import contextlib
import threading
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from careweave.careplans.actions import enrol_registering_professional
from careweave.careplans.models import Goal
from careweave.fhir.profiles import SSIN
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@pytest.mark.parametrize("kind", ["batch", "transaction"])
def test_get_entries_are_answered_with_the_resource_or_the_searchset(api, person, plan, kind):
    bundle = {"resourceType": "Bundle", "type": kind, "entry": [
        {"request": {"method": "GET", "url": f"Patient/{person.fhir_id}"}},
        {"request": {"method": "GET", "url": f"Goal?patient={person.fhir_id}"}},
        {"request": {"method": "GET", "url": f"Patient/{person.fhir_id}/CarePlan"}},
    ]}
    response = api.post("", bundle)
    assert response.status_code == 200, response.json()
    entries = response.json()["entry"]
    assert [e["response"]["status"] for e in entries[:3]] == ["200 OK"] * 3
    assert entries[0]["resource"]["id"] == str(person.fhir_id)
    assert entries[0]["response"]["etag"] == f'W/"{person.version}"'
    assert entries[1]["resource"]["type"] == "searchset" and entries[1]["resource"]["total"] == 2
    assert entries[2]["resource"]["entry"][0]["resource"]["id"] == str(plan.fhir_id)


def test_a_get_entry_the_requester_may_not_see_is_403_in_a_batch(make_api, person, stranger):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": f"Patient/{person.fhir_id}"}}]}
    entry = make_api(stranger.user).post("", bundle).json()["entry"][0]
    assert entry["response"]["status"] == "403 Forbidden"


@pytest.mark.parametrize("kind", ["batch", "transaction"])
def test_a_goal_in_a_bundle_sees_the_plan_created_by_an_earlier_entry(api, person, kind):
    """The client's entries have absolute fullUrls and refer to each other as ``CarePlan/123`` (FHIR's
    rule for resolving a relative reference inside a bundle)."""
    subject = {"reference": f"Patient/{person.fhir_id}"}
    bundle = {"resourceType": "Bundle", "type": kind, "entry": [
        {"fullUrl": "http://other.example/fhir/CarePlan/123",
         "resource": {"resourceType": "CarePlan", "status": "active", "intent": "plan", "title": "Back on her feet",
                      "subject": subject, "goal": [{"reference": "Goal/9"}]},
         "request": {"method": "POST", "url": "CarePlan"}},
        {"fullUrl": "http://other.example/fhir/Goal/9", "resource": {
            "resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Climb the stairs"},
            "subject": subject,
            "extension": [{"url": "https://careweave.org/fhir/StructureDefinition/care-plan",
                           "valueReference": {"reference": "CarePlan/123"}}]},
         "request": {"method": "POST", "url": "Goal"}},
        {"fullUrl": "http://other.example/fhir/Goal/10", "resource": {
            "resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Walk to the bakery"},
            "subject": subject}, "request": {"method": "POST", "url": "Goal"}},
    ]}
    bundle["entry"][0]["resource"]["goal"].append({"reference": "Goal/10"})
    response = api.post("", bundle)
    entries = response.json()["entry"]
    assert [e["response"]["status"] for e in entries[:3]] == ["201 Created"] * 3, entries
    assert Goal.objects.get(description="Climb the stairs").plan.title == "Back on her feet"
    assert Goal.objects.get(description="Walk to the bakery").plan.title == "Back on her feet"


def _patient(ssin: str) -> dict:
    return {"resourceType": "Patient", "identifier": [{"system": SSIN, "value": ssin}],
            "name": [{"family": "Claes", "given": ["Louis"]}], "gender": "male"}


def first_search_misses(monkeypatch) -> None:  # noqa: ANN001
    """The race, made deterministic: the conditional check finds nothing, as if the winner's insert
    came just after it; later searches see the database as it is."""
    from careweave.fhir import rest

    real = rest.readable_matches
    calls = []

    def late(ctx, mapping, query, limit=2):  # noqa: ANN001, ANN202
        calls.append(query)
        return [] if len(calls) == 1 else real(ctx, mapping, query, limit)

    monkeypatch.setattr(rest, "readable_matches", late)


def test_a_conditional_create_that_loses_the_race_answers_200_with_the_winner(api, gp, monkeypatch):
    """Deterministic: the check found nothing, then someone else created the person before our insert."""

    ssin = make_ssin(date(1938, 7, 1), 41)
    winner = Person.objects.create(given_name="Louis", family_name="Claes", ssin=ssin, sex="male")
    enrol_registering_professional(gp.user, winner)  # the winner was registered by this GP's other request
    first_search_misses(monkeypatch)
    response = api.post("/Patient", _patient(ssin), HTTP_IF_NONE_EXIST=f"identifier={SSIN}|{ssin}")
    assert response.status_code == 200
    assert Person.objects.filter(ssin=ssin).count() == 1
    assert response["Location"].split("/Patient/")[1].startswith(str(winner.fhir_id))


@pytest.mark.django_db(transaction=True)
def test_conditional_creates_racing_each_other_give_one_201_and_200s(make_api, gp):
    api = make_api(gp.user)
    token = api.headers["HTTP_AUTHORIZATION"]
    ssin = make_ssin(date(1938, 7, 1), 43)
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def create() -> None:
        try:
            barrier.wait()
            with turns:
                response = Client().post("/fhir/R4/Patient", data=_patient(ssin), content_type="application/fhir+json",
                                         HTTP_AUTHORIZATION=token, HTTP_IF_NONE_EXIST=f"identifier={SSIN}|{ssin}")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert Person.objects.filter(ssin=ssin).count() == 1


def test_a_conditional_create_by_identifier_that_loses_the_race_finds_the_winner(api, gp, monkeypatch):
    """Not an SSIN but another system's identifier: the database constraint makes the loser find the winner."""

    system = "https://hospital.example/patients"
    winner = Person.objects.create(given_name="Louis", family_name="Claes", sex="male",
                                   external_id=f"{system}|A-17")
    enrol_registering_professional(gp.user, winner)  # the winner was registered by this GP's other request
    first_search_misses(monkeypatch)
    patient = {"resourceType": "Patient", "identifier": [{"system": system, "value": "A-17"}],
               "name": [{"family": "Claes", "given": ["Louis"]}], "gender": "male"}
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"fullUrl": urn(), "resource": patient,
         "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={system}|A-17"}}]}
    entry = api.post("", bundle).json()["entry"][0]
    assert entry["response"]["status"] == "200 OK", entry
    assert entry["response"]["location"].startswith(f"Patient/{winner.fhir_id}/")
    assert Person.objects.filter(external_id=f"{system}|A-17").count() == 1


def test_a_conditional_update_that_loses_the_create_race_updates_the_winner(api, gp, monkeypatch):
    from careweave.careplans.actions import enrol_registering_professional

    ssin = make_ssin(date(1938, 7, 1), 45)
    winner = Person.objects.create(given_name="Louis", family_name="Claes", ssin=ssin, sex="male")
    enrol_registering_professional(gp.user, winner)
    first_search_misses(monkeypatch)
    body = dict(_patient(ssin), name=[{"family": "Claes", "given": ["Louis", "Marie"]}])
    response = api.put(f"/Patient?identifier={SSIN}|{ssin}", body)
    assert response.status_code == 200, response.json()
    assert Person.objects.filter(ssin=ssin).count() == 1
    assert Person.objects.get(pk=winner.pk).given_name == "Louis Marie"
