"""Care-plan actions (C3): life goals, care/support goals, tasks, agreements, journal, reviews.

Edits take the version the editor started from; a stale version raises
:class:`~careweave.versioning.ChangedMeanwhile` instead of overwriting someone else's work.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.actions.team import team_for
from careweave.careplans.errors import RuleViolation
from careweave.careplans.limits import (
    AGREEMENT_MAX,
    GOAL_MAX,
    JOURNAL_MAX,
    LIFE_GOAL_MAX,
    PLAN_SUMMARY_MAX,
    PLAN_TITLE_MAX,
    REVIEW_NOTES_MAX,
    TASK_MAX,
    check_length,
)
from careweave.careplans.models import (
    Agreement,
    CarePlan,
    Goal,
    JournalEntry,
    LifeGoal,
    PlanReview,
    Task,
    TeamMember,
)
from careweave.dates import check_date
from careweave.notifications import emit
from careweave.people.models import Person


def _require_text(value: str, what: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": what})
    return check_length(value, limit, what) if limit else value


def _authorize(actor, name: str, target: Any, *, medical: bool = False) -> None:  # noqa: ANN001
    """The action's row, and full access besides when it writes medical detail (decision 0004)."""
    authorize(actor, name, target)
    if medical:
        authorize(actor, "careplans.write_medical_detail", target)


@atomic_action
def start_care_plan(
    actor,
    person: Person,
    title: str,
    *,
    description: str = "",
    review_date: date | None = None,  # noqa: ANN001
) -> CarePlan:
    """Start the shared plan (and the team, if there is none yet)."""
    authorize(actor, "careplans.start_care_plan", person)
    title = _require_text(title, _("a title"), PLAN_TITLE_MAX)
    check_length(description or "", PLAN_SUMMARY_MAX, _("the summary of the situation"))
    plan = CarePlan.objects.create(
        person=person,
        team=team_for(person),
        title=title,
        description=description,
        review_date=review_date,
        author=actor,
    )
    audit_write(actor, "create", "CarePlan", plan, person)
    return plan


@atomic_action
def update_care_plan(actor, plan: CarePlan, expected_version: int, **changes: Any) -> CarePlan:  # noqa: ANN001
    authorize(actor, "careplans.update_care_plan", plan)
    allowed = {"title", "description", "status", "review_date"}
    _apply(plan, changes, allowed)
    if "title" in changes:
        plan.title = _require_text(plan.title, _("a title"), PLAN_TITLE_MAX)
    check_length(plan.description or "", PLAN_SUMMARY_MAX, _("the summary of the situation"))
    plan.save_versioned(expected_version)
    audit_write(actor, "update", "CarePlan", plan, plan.person)
    return plan


def _apply(obj, changes: dict[str, Any], allowed: set[str]) -> None:  # noqa: ANN001
    unknown = set(changes) - allowed
    if unknown:
        raise RuleViolation(
            "unknown_field",
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
        )
    for key, value in changes.items():
        setattr(obj, key, value)


@atomic_action
def add_life_goal(actor, plan: CarePlan, text: str) -> LifeGoal:  # noqa: ANN001
    """Record what matters to the person, in their own words."""
    authorize(actor, "careplans.add_life_goal", plan)
    text = _require_text(text, _("the life goal"), LIFE_GOAL_MAX)
    position = plan.life_goals.count()
    goal = LifeGoal.objects.create(plan=plan, text=text, recorded_by=actor, position=position)
    audit_write(actor, "create", "Goal", goal, plan.person, reason="life goal")
    return goal


@atomic_action
def update_life_goal(actor, goal: LifeGoal, expected_version: int, text: str) -> LifeGoal:  # noqa: ANN001
    authorize(actor, "careplans.update_life_goal", goal)
    goal.text = _require_text(text, _("the life goal"), LIFE_GOAL_MAX)
    goal.save_versioned(expected_version)
    audit_write(actor, "update", "Goal", goal, goal.plan.person, reason="life goal")
    return goal


@atomic_action
def add_goal(
    actor,  # noqa: ANN001
    plan: CarePlan,
    description: str,
    *,
    life_goal: LifeGoal | None = None,
    kind: str = Goal.Kind.CARE,
    domain: str = Goal.Domain.HEALTH,
    target_date: date | None = None,
    is_medical: bool = False,
    status: str = Goal.Status.ACTIVE,
) -> Goal:
    """A care or support goal; linked to the life goal it serves. A target date is optional."""
    _authorize(actor, "careplans.add_goal", plan, medical=is_medical)
    description = _require_text(description, _("the goal"), GOAL_MAX)
    check_date("goal_target", target_date)
    if life_goal is not None and life_goal.plan_id != plan.pk:
        raise RuleViolation("life_goal_plan", _("This life goal belongs to another plan."))
    goal = Goal.objects.create(
        plan=plan,
        life_goal=life_goal,
        description=description,
        kind=kind,
        domain=domain,
        target_date=target_date,
        is_medical=is_medical,
        status=status,
        author=actor,
    )
    audit_write(actor, "create", "Goal", goal, plan.person)
    return goal


@atomic_action
def update_goal(actor, goal: Goal, expected_version: int, **changes: Any) -> Goal:  # noqa: ANN001
    _authorize(actor, "careplans.update_goal", goal, medical=goal.is_medical or changes.get("is_medical", False))
    previous_target = goal.target_date
    _apply(goal, changes, {"description", "kind", "domain", "status", "target_date", "is_medical", "life_goal"})
    goal.description = _require_text(goal.description, _("the goal"), GOAL_MAX)
    check_date("goal_target", goal.target_date, previous=previous_target)
    if goal.life_goal is not None and goal.life_goal.plan_id != goal.plan_id:
        raise RuleViolation("life_goal_plan", _("This life goal belongs to another plan."))
    goal.save_versioned(expected_version)
    audit_write(actor, "update", "Goal", goal, goal.plan.person)
    return goal


def _check_assignee(plan: CarePlan, assignee: TeamMember | None) -> None:
    if assignee is None:
        return
    if assignee.team.person_id != plan.person_id or assignee.status != TeamMember.Status.ACTIVE:
        raise RuleViolation(
            "assignee_not_member",
            _("A task can only be assigned to a current member of this person's care team."),
        )


@atomic_action
def assign_task(
    actor,  # noqa: ANN001
    plan: CarePlan,
    description: str,
    *,
    assignee: TeamMember | None = None,
    to_person: bool = False,
    goal: Goal | None = None,
    due_date: date | None = None,
    is_medical: bool = False,
) -> Task:
    """Create a task for a named team member (or for the person themselves)."""
    _authorize(actor, "careplans.assign_task", plan, medical=is_medical)
    description = _require_text(description, _("the task"), TASK_MAX)
    check_date("task_due", due_date)
    if assignee is None and not to_person:
        raise RuleViolation("assignee_required", _("Choose who will do this task."))
    _check_assignee(plan, assignee)
    if goal is not None and goal.plan_id != plan.pk:
        raise RuleViolation("goal_plan", _("This goal belongs to another plan."))
    task = Task.objects.create(
        plan=plan,
        goal=goal,
        description=description,
        assignee=assignee,
        assigned_to_person=to_person,
        due_date=due_date,
        is_medical=is_medical,
        author=actor,
    )
    audit_write(actor, "create", "Task", task, plan.person)
    _tell_assignee(actor, task)
    return task


def _tell_assignee(actor, task: Task) -> None:  # noqa: ANN001
    """The one the task is now for hears of it (decision 0030): the team member, or the person."""
    user = task.plan.person.user if task.assigned_to_person else (task.assignee.user if task.assignee else None)
    if user is not None:
        emit("task_assigned", person=task.plan.person, target=task, actor=actor, recipients=[user])


@atomic_action
def update_task(actor, task: Task, expected_version: int, **changes: Any) -> Task:  # noqa: ANN001
    _authorize(actor, "careplans.update_task", task, medical=task.is_medical)
    was_open = task.is_open
    previous_due = task.due_date
    previous_for = (task.assignee_id, task.assigned_to_person)
    _apply(task, changes, {"description", "assignee", "assigned_to_person", "status", "due_date", "goal"})
    task.description = _require_text(task.description, _("the task"), TASK_MAX)
    check_date("task_due", task.due_date, previous=previous_due)
    _check_assignee(task.plan, task.assignee)
    if task.goal is not None and task.goal.plan_id != task.plan_id:
        raise RuleViolation("goal_plan", _("This goal belongs to another plan."))
    if was_open and task.status == Task.Status.COMPLETED:
        # The same row as complete_task: an update must not be a second door around it.
        authorize(actor, "careplans.complete_task", task)
    if task.status == Task.Status.COMPLETED and not task.completed_at:
        task.completed_at, task.completed_by = timezone.now(), actor
    task.save_versioned(expected_version)
    audit_write(actor, "update", "Task", task, task.plan.person)
    if task.is_open and (task.assignee_id, task.assigned_to_person) != previous_for:
        _tell_assignee(actor, task)
    return task


@atomic_action
def complete_task(actor, task: Task, expected_version: int | None = None) -> Task:  # noqa: ANN001
    """Mark a task done: by the one it is assigned to, the person, or the coordinator."""
    if task.is_medical:
        authorize(actor, "careplans.write_medical_detail", task)
    authorize(actor, "careplans.complete_task", task)
    if not task.is_open:
        raise RuleViolation(
            "task_closed", _("This task is already %(status)s.") % {"status": task.get_status_display()}
        )
    task.status = Task.Status.COMPLETED
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.save_versioned(expected_version, update_fields=["status", "completed_at", "completed_by_id"])
    audit_write(actor, "update", "Task", task, task.plan.person, reason="completed")
    return task


@atomic_action
def write_in_journal(
    actor,
    plan: CarePlan,
    text: str,
    *,
    is_medical: bool = False,
    carer_checkin: bool = False,  # noqa: ANN001
    carer_feeling: str = "",
) -> JournalEntry:
    """A message in the shared journal, visible to the whole team including the person.

    A carer's check-in may say how they are doing (``carer_feeling``, a code): "too much" is a
    signal on the coordinator's home and on the caseload.
    """
    _authorize(actor, "careplans.write_in_journal", plan, medical=is_medical)
    text = _require_text(text, _("a message"), JOURNAL_MAX)
    if carer_feeling and carer_feeling not in JournalEntry.CarerFeeling.values:
        raise RuleViolation("unknown_feeling", _("Choose how you are doing."))
    entry = JournalEntry.objects.create(
        plan=plan,
        author=actor,
        author_name=actor.get_full_name() or actor.get_username(),
        text=text,
        is_medical=is_medical,
        is_carer_checkin=carer_checkin or bool(carer_feeling),
        carer_feeling=carer_feeling,
    )
    audit_write(actor, "create", "Communication", entry, plan.person)
    _tell_about_entry(actor, plan, entry)
    return entry


def _tell_about_entry(actor, plan: CarePlan, entry: JournalEntry) -> None:  # noqa: ANN001
    """The team hears of a new message; those named with @ are told so; "too much" goes to the coordinator."""
    from careweave.notifications.events import coordinator_users, mentioned_users, team_users

    person = plan.person
    mentioned = mentioned_users(person, entry.text)
    emit("journal_mention", person=person, target=entry, actor=actor, recipients=mentioned)
    emit("journal_message", person=person, target=entry, actor=actor, recipients=team_users(person) - mentioned)
    if entry.carer_feeling == JournalEntry.CarerFeeling.TOO_MUCH:
        emit("carer_checkin", person=person, target=entry, actor=actor, recipients=coordinator_users(person),
             url=reverse("web:coordination"))


@atomic_action
def record_agreement(actor, plan: CarePlan, text: str, agreed_on: date | None = None) -> Agreement:  # noqa: ANN001
    authorize(actor, "careplans.record_agreement", plan)
    text = _require_text(text, _("the agreement"), AGREEMENT_MAX)
    agreement = Agreement.objects.create(
        plan=plan, text=text, agreed_on=agreed_on or date.today(), recorded_by=actor
    )
    audit_write(actor, "create", "CarePlan", plan, plan.person, reason="agreement")
    return agreement


@atomic_action
def review_plan(actor, plan: CarePlan, *, notes: str = "", next_review: date | None = None) -> PlanReview:  # noqa: ANN001
    """Record a review with the person and set the next review date.

    What was discussed and the next date are both required: an empty review would otherwise
    clear the planned date and leave nothing in the history (issue 11.2).
    """
    authorize(actor, "careplans.review_plan", plan)
    if next_review is not None and next_review <= date.today():
        raise RuleViolation("review_in_future", _("The next review date must be in the future."))
    notes = _require_text(notes, _("what was discussed"), REVIEW_NOTES_MAX)
    if next_review is None:
        raise RuleViolation("review_date_required", _("Choose the date of the next review."))
    review = PlanReview.objects.create(
        plan=plan, reviewed_on=date.today(), reviewed_by=actor, notes=notes, next_review=next_review
    )
    plan.review_date = next_review
    plan.save_versioned(update_fields=["review_date"])
    audit_write(actor, "update", "CarePlan", plan, plan.person, reason="review")
    return review
