"""Forms validate with the message next to the field, in the user's language; rules explain themselves."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from careweave.access.models import AccessRule
from careweave.careplans.models import CaseManagementRequest, Task
from careweave.people.identifiers import make_ssin

pytestmark = pytest.mark.django_db


def field_error(html: str, field: str) -> str:
    """The error text rendered next to one field (``<p class="error" id="id_<field>_error">``)."""
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field}"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_a_mistyped_ssin_says_what_is_wrong(cast, client_for):
    good = make_ssin(date(1958, 3, 14), 2)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    html = client_for("stranger").get(reverse("web:emergency"), {"ssin": typo}).content.decode()
    assert "check digits" in field_error(html, "ssin")
    short = client_for("stranger").get(reverse("web:emergency"), {"ssin": "58.03.14-002"}).content.decode()
    assert "exactly 11 digits" in field_error(short, "ssin")
    assert 'aria-invalid="true"' in short
    assert 'aria-describedby="id_ssin_help id_ssin_error"' in short


def test_an_ssin_typed_with_dots_and_dashes_is_found(cast, client_for):
    ssin = cast.maria.ssin
    typed = f"{ssin[0:2]}.{ssin[2:4]}.{ssin[4:6]}-{ssin[6:9]}.{ssin[9:]}"
    html = client_for("stranger").get(reverse("web:emergency"), {"ssin": typed}).content.decode()
    assert 'data-test="found"' in html


def test_field_errors_are_in_the_users_language(cast, client_for):
    url = reverse("web:life_goal_add", args=[cast.maria.fhir_id])
    assert field_error(client_for("person", "en").post(url, {"text": ""}).content.decode(), "text") == (
        "This field is required."
    )
    assert field_error(client_for("person", "nl").post(url, {"text": ""}).content.decode(), "text") == (
        "Dit veld is verplicht."
    )
    assert field_error(client_for("person", "fr").post(url, {"text": ""}).content.decode(), "text") == (
        "Ce champ est obligatoire."
    )


def test_a_task_needs_someone_to_do_it_and_a_due_date_not_in_the_past(cast, client_for):
    url = reverse("web:task_add", args=[cast.maria.fhir_id])
    html = (
        client_for("gp")
        .post(
            url, {"description": "Call the pharmacy", "assignee": "", "due_date": str(date.today() - timedelta(days=1))}
        )
        .content.decode()
    )
    assert "Choose who will do this task" in field_error(html, "assignee")
    assert "in the past" in field_error(html, "due_date")
    assert cast.plan.tasks.count() == 3


def test_a_stale_form_explains_that_the_member_left(cast, client_for):
    """The member left the team after the form was opened: the message says so, next to the field."""
    from careweave.careplans import actions

    member = cast.member(professional=cast.social)
    actions.remove_team_member(cast.maria.user, member, "moved")
    html = (
        client_for("gp")
        .post(reverse("web:task_add", args=[cast.maria.fhir_id]), {"description": "Visit", "assignee": str(member.pk)})
        .content.decode()
    )
    assert "no longer in the team" in field_error(html, "assignee")


def test_a_rule_violation_is_shown_next_to_the_field_it_concerns(cast, client_for):
    """Only the assignee, the person or the coordinator may close a task: the action's rule answers."""
    task = cast.task_for_jan
    html = (
        client_for("socialworker")
        .post(
            reverse("web:task_edit", args=[cast.maria.fhir_id, task.pk]),
            {
                "description": task.description,
                "assignee": str(task.assignee_id),
                "status": "completed",
                "goal": task.goal_id,
                "version": task.version,
            },
        )
        .content.decode()
    )
    assert "Only the team member this task is assigned to" in field_error(html, "status")
    assert Task.objects.get(pk=task.pk).status == Task.Status.REQUESTED


def test_the_next_review_must_be_in_the_future(cast, client_for):
    html = (
        client_for("coordinator")
        .post(reverse("web:plan_review", args=[cast.maria.fhir_id]), {"notes": "ok", "next_review": str(date.today())})
        .content.decode()
    )
    assert "must be in the future" in field_error(html, "next_review")


def test_an_access_choice_needs_a_grantee_and_an_end_date_after_today(cast, client_for):
    html = (
        client_for("person")
        .post(
            reverse("web:privacy", args=[cast.maria.fhir_id]),
            {"grantee": "", "level": "2", "valid_until": str(date.today() - timedelta(days=3))},
        )
        .content.decode()
    )
    assert field_error(html, "grantee")
    assert "after today" in field_error(html, "valid_until")
    assert not AccessRule.objects.exists()


def test_emergency_access_needs_a_real_reason(cast, client_for):
    html = (
        client_for("stranger")
        .post(reverse("web:break_glass", args=[cast.maria.fhir_id]), {"reason": "now"})
        .content.decode()
    )
    assert "at least 10 characters" in field_error(html, "reason")


def test_someone_new_in_the_network_needs_a_name_and_relationship(cast, client_for):
    html = (
        client_for("person")
        .post(reverse("web:add_network", args=[cast.maria.fhir_id]), {"given_name": "Rita"})
        .content.decode()
    )
    assert field_error(html, "family_name")
    assert field_error(html, "relationship")


def test_calling_in_a_case_manager_needs_a_reason(cast, client_for):
    html = (
        client_for("coordinator")
        .post(reverse("web:ring_the_bell", args=[cast.maria.fhir_id]), {"description": "Things go wrong"})
        .content.decode()
    )
    assert "at least one reason" in field_error(html, "triggers")
    assert not CaseManagementRequest.objects.filter(person=cast.maria).exists()


def test_declining_a_request_needs_an_explanation(cast, client_for):
    request = CaseManagementRequest.objects.get(person=cast.louis)
    html = (
        client_for("zonestaff")
        .post(reverse("web:zone_request", args=[request.pk]), {"do": "decline", "note": ""})
        .content.decode()
    )
    assert field_error(html, "note")
    request.refresh_from_db()
    assert request.status == CaseManagementRequest.Status.OPEN


def test_a_full_case_manager_cannot_be_appointed_and_the_rule_says_so(cast, client_for):
    from careweave.careplans import actions
    from careweave.careplans.models.coordination import Trigger

    bell = actions.ring_the_bell(cast.maria.user, cast.maria, [Trigger.OWN_REQUEST])
    actions.appoint_case_manager(cast.zone_staff, bell, cast.case_manager)  # now 2 of 2
    request = CaseManagementRequest.objects.get(person=cast.louis)
    response = client_for("zonestaff").post(
        reverse("web:zone_request", args=[request.pk]), {"do": "appoint", "case_manager": cast.case_manager.pk}
    )
    html = response.content.decode()
    assert "reached their caseload of 2" in html
    assert "caseload 2 of 2" in html


def test_journal_messages_cannot_be_empty(cast, client_for):
    html = (
        client_for("person")
        .post(reverse("web:journal", args=[cast.maria.fhir_id]), {"text": "   ", "origin": "plan"})
        .content.decode()
    )
    assert field_error(html, "text")
    assert 'data-test="plan-title"' in html, "the plan page is shown again with the message next to the field"


def test_task_status_stays_open_when_someone_else_may_not_close_it(cast, client_for):
    """Marking someone else's task done is refused with the rule's message (the social worker is not assignee)."""
    url = reverse("web:task_done", args=[cast.maria.fhir_id, cast.task_for_jan.pk])
    response = client_for("socialworker").post(url, follow=True)
    assert "Only the team member this task is assigned to" in response.content.decode()
    assert Task.objects.get(pk=cast.task_for_jan.pk).status == Task.Status.REQUESTED


def test_a_task_due_in_2999_is_refused_beside_its_field(cast, client_for):
    """Issue 18: a task due in 2999 was accepted."""
    url = reverse("web:task_add", args=[cast.maria.fhir_id])
    member = cast.team.members.filter(professional=cast.nurse).first()
    html = client_for("gp").post(url, {"description": "Later", "assignee": str(member.pk),
                                       "due_date": "2999-01-01"}).content.decode()
    assert "Choose the due date from" in field_error(html, "due_date")
    assert not cast.plan.tasks.filter(description="Later").exists()
