"""Issue 18.21: an import keeps what the source said and does not invent what it did not say.

A Synthea time of death keeps its time, ``en-US`` stays ``en-US``; a goal, plan or practitioner
without a start date, author or language gets none served as if the source had said it; what
Careweave adds itself is marked with the ``added-by-careweave`` extension."""

from __future__ import annotations

import json

from careweave.careplans.models import CarePlan, Goal
from careweave.fhir.profiles import EXT_ADDED_BY_CAREWEAVE
from careweave.people.models import Person, Professional

ALFONSO = "Alfonso_Dietrich_96160268-66b9-4c07-aa11-0a72de133a52.json"


def _import(api, path) -> dict:  # noqa: ANN001
    bundle = json.loads(path.read_text(encoding="utf-8"))
    response = api.post("", bundle)
    assert response.status_code == 200, response.content[:1000]
    return bundle


def _all(bundle: dict, rtype: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def _barney(synthea_dir):  # noqa: ANN001, ANN202
    return next(synthea_dir.glob("Barney_Abbott_*.json"))


def test_a_time_of_death_and_a_regional_language_are_served_as_received(api, gp, synthea_dir, validate_r4b):
    bundle = _import(api, _barney(synthea_dir))
    source = _all(bundle, "Patient")[0]
    assert "T" in source["deceasedDateTime"]
    person = Person.objects.get(external_id__endswith=source["identifier"][0]["value"])
    served = api.get(f"/Patient/{person.fhir_id}").json()
    validate_r4b(served)
    assert served["deceasedDateTime"] == source["deceasedDateTime"]
    codes = [c["code"] for item in served["communication"] for c in item["language"]["coding"]]
    assert "en-US" in codes
    assert "en" not in codes
    # a change made in Careweave still wins: another date of death is served as Careweave has it
    person.deceased_on = person.deceased_on.replace(year=person.deceased_on.year - 1)
    person.save_versioned()
    assert api.get(f"/Patient/{person.fhir_id}").json()["deceasedDateTime"] == person.deceased_on.isoformat()


def test_a_practitioner_without_a_language_gets_none_invented(api, gp, synthea_dir, validate_r4b):
    bundle = _import(api, _barney(synthea_dir))
    source = _all(bundle, "Practitioner")[0]
    assert "communication" not in source
    professional = Professional.objects.get(external_id__endswith=source["identifier"][0]["value"])
    assert professional.languages == "nl"  # the model's default, not the source's word
    served = api.get(f"/Practitioner/{professional.fhir_id}").json()
    validate_r4b(served)
    assert "communication" not in served


def test_goals_and_plans_get_no_start_or_author_the_source_did_not_send(api, gp, synthea_dir, validate_r4b):
    bundle = _import(api, synthea_dir / ALFONSO)
    goal_source = _all(bundle, "Goal")[0]
    assert "startDate" not in goal_source and "expressedBy" not in goal_source
    goal = Goal.objects.get(external_id__endswith=goal_source["id"])
    served = api.get(f"/Goal/{goal.fhir_id}").json()
    validate_r4b(served)
    assert "startDate" not in served
    assert "expressedBy" not in served
    plan_source = next(p for p in _all(bundle, "CarePlan") if "author" not in p and "created" not in p)
    plan = CarePlan.objects.get(external_id__endswith=plan_source["id"])
    served = api.get(f"/CarePlan/{plan.fhir_id}").json()
    validate_r4b(served)
    assert served["period"] == plan_source["period"]
    assert "author" not in served
    # when the record was made in Careweave: served, and marked as Careweave's own
    assert served["_created"]["extension"] == [{"url": EXT_ADDED_BY_CAREWEAVE, "valueBoolean": True}]


def test_a_goal_made_in_careweave_keeps_its_start(api, plan):
    goal = plan.goals.first()
    served = api.get(f"/Goal/{goal.fhir_id}").json()
    assert served["startDate"] == goal.created_at.date().isoformat()
    assert "_startDate" not in served


def test_a_partial_date_is_served_as_precisely_as_it_was_received() -> None:
    from careweave.fhir.sources import merge

    received = {"birthDate": "1950", "deceasedDateTime": "2020-03-01T10:00:00+01:00"}
    assert merge({"birthDate": "1950-01-01", "deceasedDateTime": "2020-03-01"}, received) == received
    # a date Careweave changed since is its own: served as Careweave has it
    changed = {"birthDate": "1951-01-01", "deceasedDateTime": "2020-03-02"}
    assert merge(dict(changed), received, stale=True) == changed
