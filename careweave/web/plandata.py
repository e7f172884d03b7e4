"""What one person's plan page shows, filtered by what the viewer may see.

Medical detail (``is_medical``) needs full access; a welfare professional or an informal carer
sees the rest of the plan and a count of what is hidden, so nobody thinks the plan is complete
when it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from careweave.access.decisions import Decision, remembered, remembering_decisions
from careweave.access.models import BreakGlass, Level
from careweave.access.permissions import may
from careweave.careplans.actions import active_case_management, active_coordination
from careweave.careplans.models import (
    CarePlan,
    CaseManagementRequest,
    CoordinationEpisode,
    Goal,
    JournalEntry,
    Task,
    TeamMember,
)
from careweave.people.models import Person
from careweave.records.clinical import OtherSystems, for_plan

REVIEW_SOON_DAYS = 14
CARER_SIGNAL_DAYS = 30


def carers_asking_for_help(person_ids: list[int] | set[int]) -> dict[int, list[JournalEntry]]:
    """Per person: the informal carers whose latest check-in (last 30 days) says it is too much.

    Only the latest check-in of each carer counts: a carer who later says "I am managing well"
    no longer raises the signal. The callers pass only persons the viewer may open; check-ins are
    never medical detail, so plan-level access is enough to see them.
    """
    since = timezone.now() - timedelta(days=CARER_SIGNAL_DAYS)
    entries = (
        JournalEntry.objects.filter(
            plan__person_id__in=person_ids, is_carer_checkin=True, is_medical=False, created_at__gte=since
        )
        .select_related("plan")
        .order_by("-created_at")
    )
    latest: dict[tuple[int, int | None, str], JournalEntry] = {}
    for entry in entries:
        latest.setdefault((entry.plan.person_id, entry.author_id, entry.author_name), entry)
    signals: dict[int, list[JournalEntry]] = {}
    for (person_id, _author, _name), entry in latest.items():
        if entry.carer_feeling == JournalEntry.CarerFeeling.TOO_MUCH:
            signals.setdefault(person_id, []).append(entry)
    return signals


def current_plan(person: Person) -> CarePlan | None:
    """The plan in use: the newest one still running, else the newest one."""
    plans = person.care_plans.select_related("team").order_by("-created_at")
    running = plans.exclude(status__in=[CarePlan.Status.COMPLETED, CarePlan.Status.REVOKED]).first()
    return running or plans.first()


def visible(qs: QuerySet, decision: Decision) -> QuerySet:
    return qs if decision.allows(Level.FULL) else qs.filter(is_medical=False)


def membership(user, person: Person) -> TeamMember | None:  # noqa: ANN001
    """The viewer's active membership in the person's team (professional or informal)."""
    if not user.is_authenticated:
        return None
    return (
        TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE)
        .filter(Q(professional__user=user) | Q(related_person__user=user))
        .select_related("professional", "related_person", "team")
        .first()
    )


def review_state(review_date: date | None) -> str:
    """'overdue', 'soon' or '' — drives the badge next to the review date."""
    if review_date is None:
        return ""
    today = timezone.localdate()
    if review_date < today:
        return "overdue"
    if review_date <= today + timedelta(days=REVIEW_SOON_DAYS):
        return "soon"
    return ""


def due_state(task: Task) -> str:
    if not task.is_open or task.due_date is None:
        return ""
    today = timezone.localdate()
    if task.due_date < today:
        return "overdue"
    if task.due_date == today:
        return "today"
    return ""


@dataclass
class MemberTasks:
    label: str
    role: str
    member: TeamMember | None
    tasks: list[Task] = field(default_factory=list)


@dataclass
class PlanView:
    """Everything the plan page needs, already filtered by the viewer's access level."""

    person: Person
    decision: Decision
    viewer: object
    plan: CarePlan | None = None
    me: TeamMember | None = None
    life_goals: list = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    loose_tasks: list[Task] = field(default_factory=list)
    tasks_by_member: list[MemberTasks] = field(default_factory=list)
    my_tasks: list[Task] = field(default_factory=list)
    hidden_medical: int = 0
    journal: list[JournalEntry] = field(default_factory=list)
    members: list[TeamMember] = field(default_factory=list)
    proposed_members: list[TeamMember] = field(default_factory=list)
    coordination: CoordinationEpisode | None = None
    proposed_coordination: list[CoordinationEpisode] = field(default_factory=list)
    case_management: object = None
    open_request: CaseManagementRequest | None = None
    break_glass: list[BreakGlass] = field(default_factory=list)
    my_break_glass: BreakGlass | None = None
    other_systems: OtherSystems = field(default_factory=OtherSystems)  # conditions, measurements (issue 12)
    _closing: dict = field(default_factory=dict, repr=False)  # may_close's answers per (plan, assignee)

    @property
    def speaks(self) -> bool:
        """The viewer is the person or their representative/proxy: they decide."""
        return self.decision.basis in ("self", "proxy")

    @property
    def is_self(self) -> bool:
        return self.decision.basis == "self"

    @property
    def full(self) -> bool:
        return self.decision.allows(Level.FULL)

    @property
    def i_coordinate(self) -> bool:
        c = self.coordination
        if c is None:
            return False
        if c.held_by_person:
            return self.is_self
        return self.me is not None and c.coordinator_id == self.me.pk

    @property
    def is_informal(self) -> bool:
        return (self.me is not None and self.me.is_informal) or self.decision.basis == "proxy"

    @property
    def review(self) -> str:
        return review_state(self.plan.review_date) if self.plan else ""

    def may_close(self, task: Task) -> bool:
        """The table's ``careplans.complete_task`` row (which the action enforces): offer the button only then.

        The answer depends on the viewer and the task's assignee only, so it is asked once per
        assignee on a page, not once per task (the plan page's queries do not grow with its tasks).
        """
        if not task.is_open:
            return False
        key = (task.plan_id, task.assignee_id)
        if key not in self._closing:
            memo = remembered()
            memo = {} if memo is None else memo  # the request's, whose relationship facts are reused
            memo.setdefault((getattr(self.viewer, "pk", None), self.person.pk), self.decision)
            with remembering_decisions(memo):
                self._closing[key] = may(self.viewer, "careplans.complete_task", task)
        return self._closing[key]

    def decorate(self, tasks: list[Task]) -> list[Task]:
        for task in tasks:
            task.due_state = due_state(task)
            task.closable = self.may_close(task)
        return tasks


def build_plan_view(person: Person, decision: Decision, viewer, journal_limit: int = 8) -> PlanView:  # noqa: ANN001
    view = PlanView(person=person, decision=decision, viewer=viewer)
    view.plan = plan = current_plan(person)
    view.me = membership(viewer, person)
    now = timezone.now()
    view.break_glass = list(
        BreakGlass.objects.filter(person=person, started_at__gte=now - timedelta(days=30)).select_related("user")
    )
    view.my_break_glass = next((b for b in view.break_glass if b.user_id == viewer.pk and b.expires_at > now), None)
    view.other_systems = for_plan(person, decision)
    view.case_management = active_case_management(person)
    view.open_request = person.case_management_requests.filter(status=CaseManagementRequest.Status.OPEN).first()
    team = plan.team if plan and plan.team_id else person.care_teams.filter(external_id="").first()
    if team is not None:
        view.members = list(
            team.members.filter(status=TeamMember.Status.ACTIVE).select_related("professional", "related_person")
        )
        view.proposed_members = list(
            team.members.filter(status=TeamMember.Status.PROPOSED).select_related("professional", "related_person")
        )
        view.coordination = active_coordination(team)
        view.proposed_coordination = list(
            team.coordination_episodes.filter(status=CoordinationEpisode.Status.PROPOSED).select_related(
                "coordinator__professional", "coordinator__related_person"
            )
        )
    if plan is None:
        return view

    all_tasks = list(
        plan.tasks.select_related("assignee__professional", "assignee__related_person", "goal").order_by(
            "status", "due_date", "created_at"
        )
    )
    shown_tasks = [t for t in all_tasks if view.full or not t.is_medical]
    all_goals = list(plan.goals.select_related("life_goal"))
    shown_goals = [g for g in all_goals if view.full or not g.is_medical]
    view.hidden_medical = (len(all_tasks) - len(shown_tasks)) + (len(all_goals) - len(shown_goals))
    view.decorate(shown_tasks)

    by_goal: dict[int, list[Task]] = {}
    for task in shown_tasks:
        by_goal.setdefault(task.goal_id or 0, []).append(task)
    shown_goal_ids = {g.pk for g in shown_goals}
    for goal in shown_goals:
        goal.shown_tasks = by_goal.get(goal.pk, [])
    view.goals = shown_goals
    view.loose_tasks = [t for t in shown_tasks if not t.goal_id or t.goal_id not in shown_goal_ids]

    life_goals = list(plan.life_goals.all())
    for life_goal in life_goals:
        life_goal.shown_goals = [g for g in shown_goals if g.life_goal_id == life_goal.pk]
    view.life_goals = life_goals

    open_tasks = [t for t in shown_tasks if t.is_open]
    groups: dict[object, MemberTasks] = {}
    for task in open_tasks:
        if task.assigned_to_person or task.assignee is None:
            key, label, role, member = "person", str(person), "", None
        else:
            key, label, role, member = (
                task.assignee_id,
                str(task.assignee.member),
                task.assignee.display_role,
                task.assignee,
            )
        groups.setdefault(key, MemberTasks(label=label, role=role, member=member)).tasks.append(task)
    view.tasks_by_member = sorted(groups.values(), key=lambda g: (g.member is not None, g.label))
    if view.me is not None:
        view.my_tasks = [t for t in open_tasks if t.assignee_id == view.me.pk]
    elif view.is_self:
        view.my_tasks = [t for t in open_tasks if t.assigned_to_person]

    view.journal = list(visible(plan.journal.all(), decision)[:journal_limit])
    return view
