"""Plan reviews keep their history and never wipe data; plan texts and dates have clear limits (issue 11.2, 11.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from careweave.careplans import actions
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CarePlan, Goal
from web.test_forms import field_error

pytestmark = pytest.mark.django_db


def _plan(cast) -> CarePlan:  # noqa: ANN001
    return CarePlan.objects.get(pk=cast.plan.pk)


def test_an_empty_review_is_refused_and_keeps_the_next_review_date(cast, client_for) -> None:  # noqa: ANN001
    planned = date.today() + timedelta(days=30)
    CarePlan.objects.filter(pk=cast.plan.pk).update(review_date=planned)
    response = client_for("coordinator").post(
        reverse("web:plan_review", args=[cast.maria.fhir_id]), {"notes": "", "next_review": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The review has been recorded" not in html
    assert "what was discussed" in field_error(html, "notes")
    assert "next review" in field_error(html, "next_review")
    assert _plan(cast).review_date == planned
    assert not _plan(cast).reviews.exists()


def test_the_review_action_refuses_an_empty_review_for_every_door(cast) -> None:  # noqa: ANN001
    planned = date.today() + timedelta(days=30)
    CarePlan.objects.filter(pk=cast.plan.pk).update(review_date=planned)
    with pytest.raises(RuleViolation) as caught:
        actions.review_plan(cast.coordinator.user, _plan(cast), notes="  ", next_review=None)
    assert caught.value.rule == "required"
    with pytest.raises(RuleViolation) as caught:
        actions.review_plan(cast.coordinator.user, _plan(cast), notes="Went well", next_review=None)
    assert caught.value.rule == "review_date_required"
    assert _plan(cast).review_date == planned and not _plan(cast).reviews.exists()


def test_what_was_discussed_is_shown_in_the_plans_review_history(cast, client_for) -> None:  # noqa: ANN001
    next_review = date.today() + timedelta(days=90)
    client = client_for("coordinator")
    response = client.post(
        reverse("web:plan_review", args=[cast.maria.fhir_id]),
        {"notes": "Maria walks to the market again; fewer visits from the nurse.", "next_review": str(next_review)},
    )
    assert response.status_code == 302
    html = client_for("person").get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    history = html.split('data-test="review-history"', 1)[1].split("</section>", 1)[0]
    assert "Maria walks to the market again; fewer visits from the nurse." in history
    assert history.count('data-test="review"') == 1
    assert _plan(cast).review_date == next_review


def test_a_very_long_life_goal_is_refused_with_a_clear_message(cast, client_for) -> None:  # noqa: ANN001
    url = reverse("web:life_goal_add", args=[cast.maria.fhir_id])
    before = cast.plan.life_goals.count()
    html = client_for("person").post(url, {"text": "x" * 12000}).content.decode()
    assert "at most 500 characters" in field_error(html, "text")
    assert cast.plan.life_goals.count() == before


@pytest.mark.parametrize(
    ("call", "limit"),
    [
        (lambda c, t: actions.add_life_goal(c.gp.user, c.plan, t), 500),
        (lambda c, t: actions.add_goal(c.gp.user, c.plan, t), 1000),
        (lambda c, t: actions.assign_task(c.gp.user, c.plan, t, to_person=True), 500),
        (lambda c, t: actions.write_in_journal(c.gp.user, c.plan, t), 4000),
        (lambda c, t: actions.record_agreement(c.gp.user, c.plan, t), 1000),
    ],
)
def test_the_actions_refuse_texts_over_the_limit_in_the_users_language(cast, call, limit) -> None:  # noqa: ANN001
    call(cast, "y" * limit)  # exactly the limit is fine
    with translation.override("en"), pytest.raises(RuleViolation) as caught:
        call(cast, "y" * (limit + 1))
    assert caught.value.rule == "too_long"
    assert f"at most {limit} characters (it has {limit + 1})" in str(caught.value)


def test_a_goal_target_date_in_the_past_is_refused_like_a_tasks_due_date(cast, client_for) -> None:  # noqa: ANN001
    url = reverse("web:goal_add", args=[cast.maria.fhir_id])
    before = cast.plan.goals.count()
    yesterday = date.today() - timedelta(days=1)
    html = client_for("gp").post(
        url, {"description": "Walk 20 minutes", "kind": "care", "domain": "health", "target_date": str(yesterday)}
    ).content.decode()
    assert "The target date is in the past" in field_error(html, "target_date")
    assert cast.plan.goals.count() == before
    with pytest.raises(RuleViolation) as caught:
        actions.add_goal(cast.gp.user, cast.plan, "Walk", target_date=yesterday)
    assert caught.value.rule == "target_in_past"
    with pytest.raises(RuleViolation) as caught:
        actions.assign_task(cast.gp.user, cast.plan, "Call", to_person=True, due_date=yesterday)
    assert caught.value.rule == "due_in_past"


def test_an_old_goal_keeps_its_passed_target_date_but_cannot_move_to_another_past_date(cast, client_for) -> None:  # noqa: ANN001
    passed = date.today() - timedelta(days=20)
    Goal.objects.filter(pk=cast.goal.pk).update(target_date=passed)
    goal = Goal.objects.get(pk=cast.goal.pk)
    url = reverse("web:goal_edit", args=[cast.maria.fhir_id, goal.pk])
    base = {"description": goal.description, "status": goal.status, "kind": goal.kind, "domain": goal.domain,
            "version": goal.version}
    client = client_for("gp")
    response = client.post(url, {**base, "description": "Walk to the market and back", "target_date": str(passed)})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.description == "Walk to the market and back" and goal.target_date == passed
    earlier = passed - timedelta(days=5)
    html = client.post(url, {**base, "version": goal.version, "target_date": str(earlier)}).content.decode()
    assert "The target date is in the past" in field_error(html, "target_date")
    assert Goal.objects.get(pk=goal.pk).target_date == passed
