"""C3: the shared care and support plan, who may close a task, and no silent overwrites."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from domain_helpers import refused as _rule

from careweave.careplans.actions import (
    add_goal,
    add_life_goal,
    agree_to_coordinator,
    assign_task,
    complete_task,
    record_agreement,
    remove_team_member,
    review_plan,
    start_care_plan,
    take_on_coordination,
    team_for,
    update_care_plan,
    update_goal,
    update_life_goal,
    update_task,
    write_in_journal,
)
from careweave.careplans.models import CarePlan, Goal, LifeGoal, Task
from careweave.versioning import ChangedMeanwhile

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(person, members) -> CarePlan:  # noqa: ANN001
    return start_care_plan(person.user, person, "Living at home safely", description="Lives alone since 2024")


def test_start_care_plan_uses_the_persons_team(person, plan):
    assert plan.team == team_for(person)
    assert plan.author == person.user
    assert plan.status == CarePlan.Status.ACTIVE


def test_a_stranger_cannot_start_a_plan(person, outsider):
    assert _rule(start_care_plan, outsider.user, person, "Plan").rule == "no_access"
    assert not CarePlan.objects.filter(person=person).exists()


def test_a_plan_needs_a_title(person):
    assert _rule(start_care_plan, person.user, person, "   ").rule == "required"


def test_life_goal_to_goal_to_task_for_a_named_member(person, plan, members, gp):
    life = add_life_goal(person.user, plan, "I want to keep walking to the market on Saturdays")
    goal = add_goal(gp.user, plan, "Walk 500 m with a rollator", life_goal=life, kind=Goal.Kind.CARE)
    task = assign_task(
        gp.user,
        plan,
        "Physio twice a week",
        assignee=members["nurse"],
        goal=goal,
        due_date=date.today() + timedelta(days=14),
    )
    assert list(plan.life_goals.all()) == [life]
    assert list(life.goals.all()) == [goal]
    assert goal.target_date is None  # no forced deadline
    assert task.assignee == members["nurse"] and task.goal == goal
    assert task.status == Task.Status.REQUESTED and task.is_open


def test_a_task_may_be_for_the_person_themselves(person, plan):
    task = assign_task(person.user, plan, "Keep the walking diary", to_person=True)
    assert task.assigned_to_person and task.assignee is None


def test_a_task_needs_someone_to_do_it(person, plan):
    assert _rule(assign_task, person.user, plan, "Something").rule == "assignee_required"


def test_a_task_cannot_go_to_someone_outside_the_team(make_person, make_professional, person, plan, join):
    other = make_person("Jozef")
    other_member = join(team_for(other), make_professional())
    assert _rule(assign_task, person.user, plan, "Visit", assignee=other_member).rule == "assignee_not_member"


def test_a_task_cannot_go_to_a_former_member(person, plan, members):
    remove_team_member(person.user, members["nurse"])
    members["nurse"].refresh_from_db()
    assert _rule(assign_task, person.user, plan, "Visit", assignee=members["nurse"]).rule == "assignee_not_member"


def test_reassigning_a_task_to_a_former_member_is_refused(person, plan, members):
    task = assign_task(person.user, plan, "Visit", assignee=members["gp"])
    remove_team_member(person.user, members["nurse"])
    members["nurse"].refresh_from_db()
    error = _rule(update_task, person.user, task, task.version, assignee=members["nurse"])
    assert error.rule == "assignee_not_member"
    assert Task.objects.get(pk=task.pk).assignee == members["gp"]


def test_goals_and_life_goals_stay_within_their_plan(make_person, person, plan, join, gp):
    other = make_person("Jozef")
    other_plan = start_care_plan(other.user, other, "Other plan")
    foreign_life = add_life_goal(other.user, other_plan, "Go fishing")
    foreign_goal = add_goal(other.user, other_plan, "Fish once a month")
    assert _rule(add_goal, person.user, plan, "x", life_goal=foreign_life).rule == "life_goal_plan"
    assert _rule(assign_task, person.user, plan, "x", to_person=True, goal=foreign_goal).rule == "goal_plan"
    goal = add_goal(person.user, plan, "Own goal")
    assert _rule(update_goal, person.user, goal, goal.version, life_goal=foreign_life).rule == "life_goal_plan"
    task = assign_task(person.user, plan, "Own task", to_person=True)
    assert _rule(update_task, person.user, task, task.version, goal=foreign_goal).rule == "goal_plan"


def test_only_known_fields_can_be_changed(person, plan):
    goal = add_goal(person.user, plan, "Goal")
    assert _rule(update_goal, person.user, goal, goal.version, author=None).rule == "unknown_field"


# --- who may mark a task done ------------------------------------------------------------------


@pytest.fixture
def task(person, plan, members) -> Task:  # noqa: ANN001
    return assign_task(person.user, plan, "Collect the prescription", assignee=members["carer"])


def test_the_assignee_completes_their_task(task, carer):
    done = complete_task(carer.user, task)
    assert done.status == Task.Status.COMPLETED
    assert done.completed_by == carer.user and done.completed_at is not None
    assert Task.objects.get(pk=task.pk).status == Task.Status.COMPLETED


def test_the_person_completes_any_task(task, person):
    assert complete_task(person.user, task).status == Task.Status.COMPLETED


def test_the_representative_completes_any_task(task, representative):
    assert complete_task(representative.user, task).status == Task.Status.COMPLETED


def test_the_coordinator_completes_any_task(person, team, task, nurse):
    episode = take_on_coordination(nurse.user, team)
    agree_to_coordinator(person.user, episode)
    assert complete_task(nurse.user, task).status == Task.Status.COMPLETED


def test_another_team_member_cannot_complete_the_task(task, gp):
    assert _rule(complete_task, gp.user, task).rule == "task_not_yours"
    assert Task.objects.get(pk=task.pk).is_open


def test_another_team_member_cannot_close_it_through_an_update_either(task, gp):
    assert _rule(update_task, gp.user, task, task.version, status=Task.Status.COMPLETED).rule == "task_not_yours"
    assert Task.objects.get(pk=task.pk).is_open


def test_a_done_task_cannot_be_done_again(task, carer, person):
    complete_task(carer.user, task)
    assert _rule(complete_task, person.user, task).rule == "task_closed"


def test_a_stranger_cannot_complete_a_task(task, outsider):
    assert _rule(complete_task, outsider.user, task).rule == "no_access"


# --- optimistic concurrency ---------------------------------------------------------------------


def test_two_editors_of_a_goal_the_second_is_told(person, plan, gp, nurse):
    goal = add_goal(person.user, plan, "Sleep through the night")
    first, second = Goal.objects.get(pk=goal.pk), Goal.objects.get(pk=goal.pk)
    version = first.version
    update_goal(gp.user, first, expected_version=version, description="Sleep 6 hours without waking")
    with pytest.raises(ChangedMeanwhile) as caught:
        update_goal(nurse.user, second, expected_version=version, description="Sleep with less medication")
    assert caught.value.current == version + 1
    stored = Goal.objects.get(pk=goal.pk)
    assert stored.description == "Sleep 6 hours without waking"
    assert stored.version == version + 1


def test_two_editors_of_a_task_the_second_is_told(person, plan, members, gp, nurse):
    task = assign_task(person.user, plan, "Order a rollator", assignee=members["gp"])
    first, second = Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)
    update_task(gp.user, first, first.version, due_date=date.today() + timedelta(days=3))
    with pytest.raises(ChangedMeanwhile):
        update_task(nurse.user, second, second.version, description="Order a wheelchair")
    stored = Task.objects.get(pk=task.pk)
    assert stored.description == "Order a rollator"
    assert stored.due_date == date.today() + timedelta(days=3)
    with pytest.raises(ChangedMeanwhile):
        complete_task(gp.user, Task.objects.get(pk=task.pk), expected_version=task.version)


def test_two_editors_of_the_plan_the_second_is_told(person, plan, gp, nurse):
    first, second = CarePlan.objects.get(pk=plan.pk), CarePlan.objects.get(pk=plan.pk)
    update_care_plan(gp.user, first, first.version, description="Daughter visits daily")
    with pytest.raises(ChangedMeanwhile) as caught:
        update_care_plan(nurse.user, second, second.version, description="Neighbour visits daily")
    assert str(caught.value)
    assert CarePlan.objects.get(pk=plan.pk).description == "Daughter visits daily"


def test_two_editors_of_a_life_goal_the_second_is_told(person, plan, representative):
    life = add_life_goal(person.user, plan, "Stay at home")
    first, second = LifeGoal.objects.get(pk=life.pk), LifeGoal.objects.get(pk=life.pk)
    update_life_goal(person.user, first, first.version, "Stay at home with my cat")
    with pytest.raises(ChangedMeanwhile):
        update_life_goal(representative.user, second, second.version, "Stay at home, near my daughter")
    assert LifeGoal.objects.get(pk=life.pk).text == "Stay at home with my cat"


def test_an_editor_with_the_current_version_succeeds_after_reloading(person, plan, gp, nurse):
    goal = add_goal(person.user, plan, "Goal")
    update_goal(gp.user, Goal.objects.get(pk=goal.pk), goal.version, status=Goal.Status.ON_HOLD)
    fresh = Goal.objects.get(pk=goal.pk)
    update_goal(nurse.user, fresh, fresh.version, status=Goal.Status.ACTIVE)
    assert Goal.objects.get(pk=goal.pk).version == goal.version + 2


# --- journal, agreements, reviews ---------------------------------------------------------------


def test_the_journal_is_shared_with_the_team_and_the_person(person, plan, carer, gp):
    write_in_journal(carer.user, plan, "Mum ate well today", carer_checkin=True)
    write_in_journal(gp.user, plan, "Blood pressure 130/80", is_medical=True)
    entries = list(plan.journal.all())
    assert [e.text for e in entries] == ["Blood pressure 130/80", "Mum ate well today"]
    assert entries[1].is_carer_checkin and entries[1].author == carer.user
    assert entries[1].author_name == carer.user.get_username()


def test_an_empty_message_is_refused(person, plan):
    assert _rule(write_in_journal, person.user, plan, "  ").rule == "required"


def test_agreements_are_recorded(person, plan, representative):
    agreement = record_agreement(representative.user, plan, "The daughter calls every evening")
    assert agreement.agreed_on == date.today()
    assert list(plan.agreements.all()) == [agreement]


def test_review_sets_the_next_review_date(person, plan, gp):
    next_review = date.today() + timedelta(days=90)
    review = review_plan(gp.user, plan, notes="Stable", next_review=next_review)
    assert review.reviewed_on == date.today()
    assert CarePlan.objects.get(pk=plan.pk).review_date == next_review


@pytest.mark.parametrize("days", [-1, 0])
def test_a_next_review_date_in_the_past_is_refused(person, plan, gp, days):
    error = _rule(review_plan, gp.user, plan, next_review=date.today() + timedelta(days=days))
    assert error.rule == "review_in_future"
    assert not plan.reviews.exists()
