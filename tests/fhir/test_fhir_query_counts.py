"""Query-count guards (NetBox style): the calls a care team makes all day must stay cheap.

The limits include authentication (token lookup), the access decision and the audit write. When a
change makes them fail, look for a missing select_related before raising a limit.
"""

from __future__ import annotations

from careweave.careplans.actions import assign_task, team_for

READ_CARE_PLAN_MAX = 10
SEARCH_TASKS_MAX = 12


def test_reading_a_care_plan(api, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(READ_CARE_PLAN_MAX):
        response = api.get(f"/CarePlan/{plan.fhir_id}")
    assert response.status_code == 200


def test_searching_tasks_by_patient_does_not_grow_with_the_number_of_tasks(
    api, person, plan, gp, django_assert_max_num_queries
):
    member = team_for(person).members.get(professional=gp)
    for n in range(20):
        assign_task(gp.user, plan, f"Task {n}", assignee=member)
    with django_assert_max_num_queries(SEARCH_TASKS_MAX):
        response = api.get(f"/Task?patient={person.fhir_id}&_count=50")
    assert response.json()["total"] == 22
