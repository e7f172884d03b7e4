"""Create, update, history and versioning: every change through the domain actions, never a lost update."""

from __future__ import annotations

from datetime import date

from careweave.access.models import AuditEvent
from careweave.careplans.models import CarePlan, Goal, Task, TeamMember
from careweave.fhir.models import ResourceVersion
from careweave.fhir.profiles import PROFILES, SSIN
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person


def new_patient(ssin: str | None = None, given: str = "Jef", family: str = "Janssens") -> dict:
    resource = {"resourceType": "Patient", "name": [{"use": "official", "family": family, "given": [given]}],
                "gender": "male", "birthDate": "1950-05-05"}
    if ssin:
        resource["identifier"] = [{"system": SSIN, "value": ssin}]
    return resource


def test_create_patient_makes_the_professional_a_team_member(api, gp):
    response = api.post("/Patient", new_patient(make_ssin(date(1950, 5, 5), 21)))
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith(f"/Patient/{body['id']}/_history/1")
    assert response["ETag"] == 'W/"1"'
    person = Person.objects.get(fhir_id=body["id"])
    assert TeamMember.objects.filter(team__person=person, professional=gp, status="active").exists()
    # ...so the registering GP can read the file and start a plan right away
    assert api.get(f"/Patient/{body['id']}").status_code == 200


def test_create_patient_with_a_wrong_ssin_is_422_in_the_requesters_language(make_api, gp):
    response = make_api(gp.user, "en").post("/Patient", new_patient("50050502112"))
    assert response.status_code == 422
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "check digits" in outcome["issue"][0]["diagnostics"]
    assert not Person.objects.filter(family_name="Janssens").exists()


def test_duplicate_ssin_is_409(api, person):
    response = api.post("/Patient", new_patient(person.ssin))
    assert response.status_code == 409
    assert Person.objects.filter(ssin=person.ssin).count() == 1


def test_conditional_create_returns_the_existing_patient(api, person):
    response = api.post("/Patient", new_patient(person.ssin), HTTP_IF_NONE_EXIST=f"identifier={SSIN}|{person.ssin}")
    assert response.status_code == 200
    assert response.json()["id"] == str(person.fhir_id)


def test_create_care_plan_goal_task_and_message_through_the_actions(api, person, gp):
    plan = api.post("/CarePlan", {"resourceType": "CarePlan", "status": "active", "intent": "plan",
                                  "title": "Home after the hospital",
                                  "subject": {"reference": f"Patient/{person.fhir_id}"}})
    assert plan.status_code == 201, plan.json()
    plan_id = plan.json()["id"]
    assert plan.json()["meta"]["profile"] == [PROFILES["CarePlan"]]
    goal = api.post("/Goal", {
        "resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Shower without help"},
        "subject": {"reference": f"Patient/{person.fhir_id}"},
        "extension": [{"url": "https://careweave.org/fhir/StructureDefinition/care-plan",
                       "valueReference": {"reference": f"CarePlan/{plan_id}"}}]})
    assert goal.status_code == 201, goal.json()
    task = api.post("/Task", {
        "resourceType": "Task", "status": "requested", "intent": "plan", "description": "Install a grab bar",
        "for": {"reference": f"Patient/{person.fhir_id}"}, "basedOn": [{"reference": f"CarePlan/{plan_id}"}],
        "owner": {"reference": f"Practitioner/{gp.fhir_id}"}, "focus": {"reference": f"Goal/{goal.json()['id']}"},
        "restriction": {"period": {"end": "2026-12-24"}}})
    assert task.status_code == 201, task.json()
    assert task.json()["owner"]["reference"] == f"Practitioner/{gp.fhir_id}"
    message = api.post("/Communication", {
        "resourceType": "Communication", "status": "completed", "subject": {"reference": f"Patient/{person.fhir_id}"},
        "payload": [{"contentString": "Grab bar ordered."}], "basedOn": [{"reference": f"CarePlan/{plan_id}"}]})
    assert message.status_code == 201, message.json()
    stored = Task.objects.get(fhir_id=task.json()["id"])
    assert stored.plan.fhir_id.hex == plan_id.replace("-", "") and stored.due_date == date(2026, 12, 24)
    # the actions audited each write
    kinds = set(AuditEvent.objects.filter(person=person, user=gp.user, action="C").values_list("resource_type",
                                                                                               flat=True))
    assert {"CarePlan", "Goal", "Task", "Communication"} <= kinds


def test_task_for_someone_outside_the_team_is_a_rule_violation(api, person, plan, stranger):
    response = api.post("/Task", {
        "resourceType": "Task", "status": "requested", "intent": "plan", "description": "Visit",
        "for": {"reference": f"Patient/{person.fhir_id}"}, "owner": {"reference": f"Practitioner/{stranger.fhir_id}"}})
    assert response.status_code == 422
    assert "member of this person's care team" in response.json()["issue"][0]["diagnostics"]


def test_update_creates_a_new_version_with_etag_and_history(api, plan):
    current = api.get(f"/CarePlan/{plan.fhir_id}").json()
    current["title"] = "Keep living at home, safely"
    response = api.put(f"/CarePlan/{plan.fhir_id}", current, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200, response.json()
    assert response["ETag"] == 'W/"2"'
    assert response.json()["meta"]["versionId"] == "2"
    history = api.get(f"/CarePlan/{plan.fhir_id}/_history").json()
    assert history["type"] == "history"
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    assert [e["resource"]["title"] for e in history["entry"]] == ["Keep living at home, safely", "Keep living at home"]
    old = api.get(f"/CarePlan/{plan.fhir_id}/_history/1")
    assert old.status_code == 200 and old.json()["title"] == "Keep living at home"
    assert old["ETag"] == 'W/"1"'
    assert api.get(f"/CarePlan/{plan.fhir_id}/_history/7").status_code == 404
    snapshot = ResourceVersion.objects.get(resource_type="CarePlan", resource_id=str(plan.fhir_id), version_id=2)
    assert snapshot.author == plan.author  # the GP who sent the update


def test_stale_if_match_is_412_and_changes_nothing(api, plan):
    body = api.get(f"/CarePlan/{plan.fhir_id}").json()
    body["title"] = "First editor"
    assert api.put(f"/CarePlan/{plan.fhir_id}", body, HTTP_IF_MATCH='W/"1"').status_code == 200
    body["title"] = "Second editor, from an old copy"
    response = api.put(f"/CarePlan/{plan.fhir_id}", body, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412
    assert response.json()["resourceType"] == "OperationOutcome"
    plan.refresh_from_db()
    assert plan.title == "First editor" and plan.version == 2


def test_unchanged_update_keeps_the_version(api, plan):
    body = api.get(f"/CarePlan/{plan.fhir_id}").json()
    response = api.put(f"/CarePlan/{plan.fhir_id}", body)
    assert response.status_code == 200 and response["ETag"] == 'W/"1"'


def test_completing_a_task_goes_through_the_closing_rule(make_api, api, person, plan, welfare_member):
    task = plan.tasks.get(description="Order a walking frame")
    body = api.get(f"/Task/{task.fhir_id}").json()
    body["status"] = "completed"
    refused = make_api(welfare_member.user).put(f"/Task/{task.fhir_id}", body)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["details"]["coding"][0]["code"] == "task_not_yours"
    done = api.put(f"/Task/{task.fhir_id}", body)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert "executionPeriod" in done.json()


def test_snapshots_are_written_for_changes_made_outside_the_api(gp, plan):
    from careweave.careplans.actions import update_care_plan

    update_care_plan(gp.user, plan, plan.version, title="Changed in the web app")
    versions = ResourceVersion.objects.filter(resource_type="CarePlan", resource_id=str(plan.fhir_id))
    assert sorted(versions.values_list("version_id", flat=True)) == [1, 2]
    assert versions.get(version_id=2).data["title"] == "Changed in the web app"


def test_history_of_a_bulk_loaded_record_is_its_current_version(api, person, gp):
    from careweave.careplans.actions import team_for

    [bulk] = CarePlan.objects.bulk_create([CarePlan(person=person, team=team_for(person), title="Bulk")])
    history = api.get(f"/CarePlan/{bulk.fhir_id}/_history").json()
    assert history["total"] == 1 and history["entry"][0]["resource"]["title"] == "Bulk"


def test_medical_goal_update_by_welfare_professional_is_refused(make_api, plan, welfare_member):
    goal = plan.goals.get(is_medical=True)
    response = make_api(welfare_member.user).get(f"/Goal/{goal.fhir_id}")
    assert response.status_code == 403
    assert Goal.objects.get(pk=goal.pk).version == 1


def test_conditional_create_does_not_show_a_patient_the_requester_may_not_see(make_api, stranger, person):
    """Issue #17: a match the requester may not read counts as none; what follows is a plain
    registration, refused the way registering a known SSIN always is (no id, no name, no Location)."""
    stan = make_api(stranger.user)
    conditional = stan.post("/Patient", new_patient(person.ssin), HTTP_IF_NONE_EXIST=f"identifier={SSIN}|{person.ssin}")
    plain = stan.post("/Patient", new_patient(person.ssin))
    assert conditional.status_code == plain.status_code != 200
    assert conditional.json() == plain.json()
    assert str(person.fhir_id) not in conditional.get("Location", "") + conditional.content.decode()
    assert person.family_name not in conditional.content.decode()
    assert Person.objects.filter(ssin=person.ssin).count() == 1
