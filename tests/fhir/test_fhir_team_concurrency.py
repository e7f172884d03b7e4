"""Care-team participants through the team actions, and two editors saving at the same moment."""

from __future__ import annotations

import contextlib
import copy
import threading

import pytest
from django.db import connection
from django.test import Client

from careweave.careplans.actions import team_for
from careweave.careplans.models import CarePlan, TeamMember


def test_care_team_lists_participants_with_periods(api, person, gp, welfare_member, validate_r4b):
    team = team_for(person)
    body = api.get(f"/CareTeam/{team.fhir_id}").json()
    validate_r4b(body)
    members = {p["member"]["reference"] for p in body["participant"]}
    assert members == {f"Practitioner/{gp.fhir_id}", f"Practitioner/{welfare_member.fhir_id}"}
    assert body["meta"]["profile"][0].endswith("be-careteam")


def test_person_removes_a_member_with_put_and_the_history_keeps_them(make_api, person, gp, welfare_member):
    maria = make_api(person.user)
    team = team_for(person)
    body = maria.get(f"/CareTeam/{team.fhir_id}").json()
    before = body["meta"]["versionId"]
    body["participant"] = [p for p in body["participant"]
                           if p["member"]["reference"] != f"Practitioner/{welfare_member.fhir_id}"]
    response = maria.put(f"/CareTeam/{team.fhir_id}", body, HTTP_IF_MATCH=f'W/"{before}"')
    assert response.status_code == 200, response.json()
    assert int(response.json()["meta"]["versionId"]) > int(before)
    ended = [p for p in response.json()["participant"]
             if p["member"]["reference"] == f"Practitioner/{welfare_member.fhir_id}"]
    assert ended and "end" in ended[0]["period"]
    assert TeamMember.objects.get(team=team, professional=welfare_member).status == "ended"


def test_a_professional_adding_a_member_only_proposes_them(api, person, social_worker):
    team = team_for(person)
    body = api.get(f"/CareTeam/{team.fhir_id}").json()
    body["participant"].append({"member": {"reference": f"Practitioner/{social_worker.fhir_id}"},
                                "role": [{"text": "social worker"}]})
    response = api.put(f"/CareTeam/{team.fhir_id}", body)
    assert response.status_code == 200, response.json()
    proposed = [p for p in response.json()["participant"]
                if p["member"]["reference"] == f"Practitioner/{social_worker.fhir_id}"]
    assert proposed[0]["extension"][0]["valueCode"] == "proposed"


def test_a_stranger_cannot_change_a_team(make_api, person, stranger):
    team = team_for(person)
    body = make_api(person.user).get(f"/CareTeam/{team.fhir_id}").json()
    body["participant"] = []
    response = make_api(stranger.user).put(f"/CareTeam/{team.fhir_id}", body)
    assert response.status_code == 403
    assert TeamMember.objects.filter(team=team, status="active").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_updates_with_the_same_if_match_exactly_one_wins(make_api, plan):
    """Two editors load version 1 and save at the same moment: one is saved, the other gets 412."""
    api = make_api(plan.author)
    token = api.headers["HTTP_AUTHORIZATION"]
    body = api.get(f"/CarePlan/{plan.fhir_id}").json()
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    # SQLite's shared in-memory test database fails concurrent writers at once instead of waiting
    # (a real SQLite file waits on its busy timeout), so there the two requests take turns.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def edit(title: str) -> None:
        try:
            mine = dict(body, title=title)
            barrier.wait()
            with turns:
                response = Client().put(f"/fhir/R4/CarePlan/{plan.fhir_id}", data=mine,
                                        content_type="application/fhir+json", HTTP_AUTHORIZATION=token,
                                        HTTP_IF_MATCH='W/"1"')
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(title,)) for title in ("Editor A", "Editor B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 412]
    saved = CarePlan.objects.get(pk=plan.pk)
    assert saved.version == 2 and saved.title in ("Editor A", "Editor B")


def test_a_change_made_while_the_request_ran_is_refused_not_overwritten(api, plan, gp, monkeypatch):
    """The If-Match check passed on a copy loaded before someone else saved: the conditional UPDATE
    in the database still refuses the stale write (no lost update)."""
    from careweave.careplans.actions import update_care_plan
    from careweave.fhir.mapping.careplans import CarePlanMapping

    body = api.get(f"/CarePlan/{plan.fhir_id}").json()
    stale = CarePlan.objects.get(pk=plan.pk)
    update_care_plan(gp.user, CarePlan.objects.get(pk=plan.pk), 1, title="Saved by a colleague")
    monkeypatch.setattr(CarePlanMapping, "get", lambda self, rid: copy.deepcopy(stale))
    response = api.put(f"/CarePlan/{plan.fhir_id}", dict(body, title="Mine"), HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412
    without_if_match = api.put(f"/CarePlan/{plan.fhir_id}", dict(body, title="Mine"))
    assert without_if_match.status_code == 409
    assert CarePlan.objects.get(pk=plan.pk).title == "Saved by a colleague"


def test_a_refused_write_stays_in_the_audit_trail(make_api, person, stranger):
    from careweave.access.models import AuditEvent

    team = team_for(person)
    body = make_api(person.user).get(f"/CareTeam/{team.fhir_id}").json()
    make_api(stranger.user).put(f"/CareTeam/{team.fhir_id}", dict(body, participant=[]))
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [{
        "resource": {"resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Sneaky"},
                     "subject": {"reference": f"Patient/{person.fhir_id}"}},
        "request": {"method": "POST", "url": "Goal"}}]}
    assert make_api(stranger.user).post("", bundle).status_code == 403
    refused = AuditEvent.objects.filter(person=person, user=stranger.user, outcome="denied")
    assert refused.count() >= 2
