"""Saving never loses work: the second editor sees what changed meanwhile, nothing is overwritten (C3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from careweave.careplans.models import CarePlan, Goal, Task

pytestmark = pytest.mark.django_db


def _version_in_form(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def _plan_data(plan: CarePlan, version: int, **changes: str) -> dict:
    data = {
        "title": plan.title,
        "description": plan.description,
        "status": plan.status,
        "review_date": str(plan.review_date or ""),
        "version": version,
    }
    data.update(changes)
    return data


def test_two_people_edit_the_plan_the_second_sees_a_diff_and_keeps_their_input(cast, client_for):
    url = reverse("web:plan_edit", args=[cast.maria.fhir_id])
    gp, nurse = client_for("gp"), client_for("nurse")
    gp_version = _version_in_form(gp.get(url).content.decode())
    nurse_version = _version_in_form(nurse.get(url).content.decode())
    assert gp_version == nurse_version

    first = nurse.post(url, _plan_data(cast.plan, nurse_version, title="Thuis blijven, veilig en gezond"))
    assert first.status_code == 302

    second = gp.post(url, _plan_data(cast.plan, gp_version, title="Samen gezond thuis"))
    html = second.content.decode()
    assert second.status_code == 409
    assert 'data-test="conflict"' in html and "Changed meanwhile" in html
    assert "Thuis blijven, veilig en gezond" in html, "what the other person saved is shown"
    assert 'value="Samen gezond thuis"' in html, "the user's own input is kept in the form"
    assert _version_in_form(html) == gp_version + 1
    cast.plan.refresh_from_db()
    assert cast.plan.title == "Thuis blijven, veilig en gezond", "nothing was overwritten"

    again = gp.post(url, _plan_data(cast.plan, _version_in_form(html), title="Samen gezond thuis"))
    assert again.status_code == 302, "saving again after seeing the diff is a deliberate choice"
    cast.plan.refresh_from_db()
    assert cast.plan.title == "Samen gezond thuis"


def test_a_task_changed_meanwhile_shows_the_new_assignee_and_due_date(cast, client_for):
    task = cast.task_for_nurse
    url = reverse("web:task_edit", args=[cast.maria.fhir_id, task.pk])
    base = {"description": task.description, "status": task.status, "goal": task.goal_id, "version": task.version}
    coordinator_member = cast.member(professional=cast.coordinator)
    first = client_for("coordinator").post(
        url, {**base, "assignee": str(coordinator_member.pk), "due_date": "2026-12-24"}
    )
    assert first.status_code == 302
    html = (
        client_for("gp")
        .post(
            url,
            {
                **base,
                "assignee": str(task.assignee_id),
                "description": "Voeten en schoenen nakijken",
                "due_date": str(task.due_date),
            },
        )
        .content.decode()
    )
    assert "Changed meanwhile" in html
    assert "Els Wouters" in html and "Sofie Van Damme" in html
    assert "Voeten en schoenen nakijken" in html
    stored = Task.objects.get(pk=task.pk)
    assert stored.assignee_id == coordinator_member.pk and stored.description == "Voeten nakijken"


def test_a_goal_edited_twice_is_not_overwritten(cast, client_for):
    goal = cast.goal
    url = reverse("web:goal_edit", args=[cast.maria.fhir_id, goal.pk])
    base = {
        "description": goal.description,
        "kind": goal.kind,
        "domain": goal.domain,
        "status": goal.status,
        "life_goal": goal.life_goal_id,
        "version": goal.version,
    }
    assert client_for("person").post(url, {**base, "status": "on-hold"}).status_code == 302
    response = client_for("gp").post(url, {**base, "description": "Dagelijks 30 minuten wandelen"})
    assert response.status_code == 409
    assert "on hold" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ON_HOLD and goal.description == "Dagelijks 20 minuten wandelen"


def test_completing_a_task_someone_else_just_completed_says_so(cast, client_for):
    url = reverse("web:task_done", args=[cast.maria.fhir_id, cast.task_for_jan.pk])
    assert client_for("carer").post(url).status_code == 302
    response = client_for("person").post(url, follow=True)
    assert "This task is already done" in response.content.decode()
