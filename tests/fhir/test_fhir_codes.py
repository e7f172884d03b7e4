"""Issue #18 item 17: an invalid code is refused (422 naming the element), a valid one is kept as sent."""

from __future__ import annotations

import pytest

from careweave.careplans.models import Goal, Task


def _goal(person, status: str) -> dict:  # noqa: ANN001
    return {"resourceType": "Goal", "lifecycleStatus": status, "description": {"text": f"Goal {status}"},
            "subject": {"reference": f"Patient/{person.fhir_id}"}}


def _task(person, plan, status: str = "requested", intent: str = "plan") -> dict:  # noqa: ANN001
    return {"resourceType": "Task", "status": status, "intent": intent, "description": f"Task {status} {intent}",
            "for": {"reference": f"Patient/{person.fhir_id}"}, "owner": {"reference": f"Patient/{person.fhir_id}"},
            "basedOn": [{"reference": f"CarePlan/{plan.fhir_id}"}]}


@pytest.mark.parametrize(("body", "element"), [
    (lambda p, plan: _goal(p, "nonsense"), "lifecycleStatus"),
    (lambda p, plan: _task(p, plan, status="paused"), "status"),
    (lambda p, plan: _task(p, plan, intent="wish"), "intent"),
])
def test_an_invalid_code_is_refused_and_names_the_element(api, person, plan, body, element):
    before = (Goal.objects.count(), Task.objects.count())
    response = api.post(f"/{body(person, plan)['resourceType']}", body(person, plan))
    assert response.status_code == 422, response.json()
    issue = response.json()["issue"][0]
    assert issue["expression"] == [element]
    assert element in issue["diagnostics"]
    assert (Goal.objects.count(), Task.objects.count()) == before


@pytest.mark.parametrize("status", ["entered-in-error", "accepted", "planned", "rejected"])
def test_a_valid_goal_status_is_served_as_sent(api, person, plan, status):
    response = api.post("/Goal", _goal(person, status))
    assert response.status_code == 201, response.json()
    assert response.json()["lifecycleStatus"] == status
    read = api.get(f"/Goal/{response.json()['id']}").json()
    assert read["lifecycleStatus"] == status


@pytest.mark.parametrize(("status", "intent"), [("on-hold", "order"), ("draft", "proposal"), ("ready", "plan")])
def test_a_valid_task_status_and_intent_are_served_as_sent(api, person, plan, status, intent):
    response = api.post("/Task", _task(person, plan, status, intent))
    assert response.status_code == 201, response.json()
    read = api.get(f"/Task/{response.json()['id']}").json()
    assert (read["status"], read["intent"]) == (status, intent)


def test_changing_only_the_fine_grained_code_is_a_new_version(api, person, plan):
    created = api.post("/Task", _task(person, plan, "in-progress")).json()
    body = {**created, "status": "on-hold"}
    updated = api.put(f"/Task/{created['id']}", body)
    assert updated.status_code == 200, updated.json()
    assert updated.json()["status"] == "on-hold"
    assert int(updated.json()["meta"]["versionId"]) == int(created["meta"]["versionId"]) + 1
    # when the care work moves on (done in the web app), the model's own code is served
    task = Task.objects.get(fhir_id=created["id"])
    from careweave.careplans.actions import update_task

    update_task(person.user, task, task.version, status=Task.Status.COMPLETED)
    assert api.get(f"/Task/{created['id']}").json()["status"] == "completed"


def test_a_care_plan_keeps_its_intent_and_status_codes(api, person):
    body = {"resourceType": "CarePlan", "status": "entered-in-error", "intent": "order", "title": "Imported",
            "subject": {"reference": f"Patient/{person.fhir_id}"}}
    created = api.post("/CarePlan", body)
    assert created.status_code == 201, created.json()
    read = api.get(f"/CarePlan/{created.json()['id']}").json()
    assert (read["status"], read["intent"]) == ("entered-in-error", "order")
    assert api.post("/CarePlan", {**body, "intent": "instance-order"}).status_code == 422
