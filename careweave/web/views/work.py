"""Professionals' and coordinators' screens: caseload, my tasks, coordination, case management.

Lists show only persons the user may open (:func:`careweave.access.decisions.persons_visible_to`,
the same rule as a FHIR search); opening one person's plan is then checked and audited.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.audit import record_list_read
from careweave.access.decisions import decide_many, persons_visible_to
from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.assessments.alerts import standing_alerts_for
from careweave.careplans import actions
from careweave.careplans.actions.coordination import caseload as caseload_of
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import (
    CarePlan,
    CareTeam,
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    Task,
    TeamMember,
)
from careweave.people.models import Person
from careweave.web.access import get_person_or_refuse, refused
from careweave.web.forms.coordination import CaseloadFilterForm, EndCaseManagementForm
from careweave.web.plandata import REVIEW_SOON_DAYS, carers_asking_for_help, due_state, review_state
from careweave.web.roles import coordination_episodes_of, memberships_of, roles_for
from careweave.web.views._helpers import back

RUNNING = [CarePlan.Status.ACTIVE, CarePlan.Status.DRAFT, CarePlan.Status.ON_HOLD]
CASELOAD_PAGE = 50


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """Persons whose team I am in, with what needs attention; filters work with and without htmx."""
    roles = roles_for(request)
    form = CaseloadFilterForm(request.GET or None)
    form.is_valid()
    q = form.cleaned_data.get("q", "") if form.is_bound else ""
    show = (form.cleaned_data.get("show") if form.is_bound else "") or "all"
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or "name"
    today = timezone.localdate()
    mine = memberships_of(request.user).select_related("team__person", "professional", "related_person")
    if roles.professional is not None:
        mine = mine.filter(professional=roles.professional)
    visible = set(persons_visible_to(request.user))
    member_by_person = {m.team.person_id: m for m in mine if m.team.person_id in visible}
    persons = Person.objects.filter(pk__in=member_by_person)
    for word in q.split()[:4]:
        persons = persons.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(municipality__icontains=word)
        )
    persons = persons.annotate(
        open_tasks=Count(
            "care_plans__tasks", filter=Q(care_plans__tasks__status__in=Task.OPEN_STATUSES), distinct=True
        ),
        overdue=Count(
            "care_plans__tasks",
            filter=Q(care_plans__tasks__status__in=Task.OPEN_STATUSES, care_plans__tasks__due_date__lt=today),
            distinct=True,
        ),
        next_review=Min("care_plans__review_date", filter=Q(care_plans__status__in=RUNNING)),
    )
    coordinated = set(
        coordination_episodes_of(request.user)
        .filter(status=CoordinationEpisode.Status.ACTIVE)
        .values_list("team__person_id", flat=True)
    )
    waiting = set(
        TeamMember.objects.filter(team__person__in=member_by_person, status=TeamMember.Status.PROPOSED).values_list(
            "team__person_id", flat=True
        )
    ) | set(
        CoordinationEpisode.objects.filter(
            team__person__in=member_by_person, status=CoordinationEpisode.Status.PROPOSED
        ).values_list("team__person_id", flat=True)
    )
    if show == "coordinating":
        persons = persons.filter(pk__in=coordinated)
    elif show == "overdue":
        persons = persons.filter(overdue__gt=0)
    elif show == "review":
        persons = persons.filter(next_review__lte=today + timedelta(days=REVIEW_SOON_DAYS))
    elif show == "waiting":
        persons = persons.filter(pk__in=waiting)
    carer_help = carers_asking_for_help(set(member_by_person))
    if show == "carer_help":
        persons = persons.filter(pk__in=carer_help)
    order = {"review": ["next_review", "family_name"], "overdue": ["-overdue", "family_name"]}.get(
        sort, ["family_name", "given_name"]
    )
    page = Paginator(persons.order_by(*order), CASELOAD_PAGE).get_page(request.GET.get("page"))
    rows = []
    for person in page.object_list:
        rows.append(
            {
                "person": person,
                "member": member_by_person[person.pk],
                "coordinating": person.pk in coordinated,
                "waiting": person.pk in waiting,
                "carer_help": carer_help.get(person.pk, []),
                "review_state": review_state(person.next_review),
            }
        )
    emergency = Person.objects.filter(
        break_glass_events__user=request.user, break_glass_events__expires_at__gt=timezone.now()
    ).distinct()
    record_list_read(request.user, [*page.object_list, *emergency], "caseload", request=request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "total": len(member_by_person),
        "emergency": emergency,
        "show": show,
    }
    return render(request, "web/caseload.html", context)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """My tasks across all persons: overdue first, then today, this week, later, no date."""
    today = timezone.localdate()
    visible = persons_visible_to(request.user)
    base = Task.objects.filter(assignee__in=memberships_of(request.user), plan__person__in=visible).select_related(
        "plan__person", "plan__team", "goal", "assignee__professional", "assignee__related_person"
    )
    open_tasks = list(base.filter(status__in=Task.OPEN_STATUSES).order_by("due_date", "created_at"))
    recent_done = list(
        base.filter(status=Task.Status.COMPLETED, completed_at__gte=timezone.now() - timedelta(days=7)).order_by(
            "-completed_at"
        )[:20]
    )
    # One decision per person on the page, all looked up at once (issue 19: queries independent of rows).
    shown = {t.plan.person_id: t.plan.person for t in (*open_tasks, *recent_done)}
    decisions = decide_many(request.user, shown.values())

    def may_see(task: Task) -> bool:
        return decisions[task.plan.person_id].allows(Level.FULL) or not task.is_medical

    open_tasks = [t for t in open_tasks if may_see(t)]
    for task in open_tasks:
        task.due_state = due_state(task)
        task.closable = True
    week = today + timedelta(days=7)
    groups = [
        ("overdue", _("Overdue"), [t for t in open_tasks if t.due_date and t.due_date < today]),
        ("today", _("Today"), [t for t in open_tasks if t.due_date == today]),
        ("week", _("This week"), [t for t in open_tasks if t.due_date and today < t.due_date <= week]),
        ("later", _("Later"), [t for t in open_tasks if t.due_date and t.due_date > week]),
        ("undated", _("No due date"), [t for t in open_tasks if not t.due_date]),
    ]
    done = [t for t in recent_done if may_see(t)]
    record_list_read(
        request.user, [t.plan.person for t in (*open_tasks, *done)], "tasks", resource_type="Task", request=request
    )
    context = {"groups": groups, "done": done, "count": len(open_tasks), "today": today}
    return render(request, "web/my_tasks.html", context)


@require_POST
@login_required
def my_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my tasks done from the list (the person page has its own door with the same rule)."""
    task = get_object_or_404(Task.objects.select_related("plan__person", "plan__team"), pk=pk)
    needed = Level.FULL if task.is_medical else Level.PLAN
    try:
        get_person_or_refuse(request, task.plan.person.fhir_id, needed, resource_type="Task")
    except AccessRefused as exc:
        return refused(request, exc, task.plan.person)
    try:
        actions.complete_task(request.user, task)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: %(task)s") % {"task": task.description})
    return back(request, reverse("web:my_tasks"))


@login_required
def coordination(request: HttpRequest) -> HttpResponse:
    """The plans I coordinate, reviews due, members waiting to be added, and proposals for me."""
    today = timezone.localdate()
    episodes = (
        coordination_episodes_of(request.user)
        .filter(status=CoordinationEpisode.Status.ACTIVE)
        .select_related("team__person", "coordinator")
        .order_by("team__person__family_name")
    )
    episodes = list(episodes)
    person_ids = [e.team.person_id for e in episodes]
    team_ids = [e.team_id for e in episodes]
    # Every row's facts in one query each (issue 19: the page's queries do not grow with its plans).
    plans: dict[int, CarePlan] = {}
    for plan in (
        CarePlan.objects.filter(person_id__in=person_ids, status__in=RUNNING)
        .annotate(
            open_count=Count("tasks", filter=Q(tasks__status__in=Task.OPEN_STATUSES)),
            overdue_count=Count("tasks", filter=Q(tasks__status__in=Task.OPEN_STATUSES, tasks__due_date__lt=today)),
        )
        .order_by("person_id", "-created_at")
    ):
        plans.setdefault(plan.person_id, plan)
    proposed: dict[int, list[TeamMember]] = {}
    for member in (
        TeamMember.objects.filter(team_id__in=team_ids, status=TeamMember.Status.PROPOSED)
        .select_related("professional", "related_person", "team__person")
        .order_by("start")
    ):
        proposed.setdefault(member.team_id, []).append(member)
    members = dict(
        TeamMember.objects.filter(team_id__in=team_ids, status=TeamMember.Status.ACTIVE)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    managing = actions.active_case_managements(person_ids)
    requested = set(
        CaseManagementRequest.objects.filter(
            person_id__in=person_ids, status=CaseManagementRequest.Status.OPEN
        ).values_list("person_id", flat=True)
    )
    rows = []
    for episode in episodes:
        person = episode.team.person
        plan = plans.get(person.pk)
        rows.append(
            {
                "episode": episode,
                "person": person,
                "plan": plan,
                "review_state": review_state(plan.review_date) if plan else "",
                "open_tasks": plan.open_count if plan else 0,
                "overdue": plan.overdue_count if plan else 0,
                "proposed": proposed.get(episode.team_id, []),
                "members": members.get(episode.team_id, 0),
                "case_management": managing.get(person.pk),
                "open_request": person.pk in requested,
            }
        )
    visible = set(persons_visible_to(request.user))
    carer_help = carers_asking_for_help({r["person"].pk for r in rows if r["person"].pk in visible})
    for row in rows:
        row["carer_help"] = carer_help.get(row["person"].pk, [])
    reviews_due = sorted(
        (r for r in rows if r["review_state"] in ("overdue", "soon")), key=lambda r: r["plan"].review_date
    )
    proposals = (
        coordination_episodes_of(request.user)
        .filter(status=CoordinationEpisode.Status.PROPOSED)
        .select_related("team__person")
    )
    shown = [r["person"] for r in rows] + [e.team.person for e in proposals]
    record_list_read(request.user, shown, "coordination", resource_type="CarePlan", request=request)
    context = {
        "rows": rows,
        "reviews_due": reviews_due,
        "proposals": proposals,
        "waiting_members": [m for r in rows for m in r["proposed"]],
        "carers_need_help": [(r["person"], entry) for r in rows for entry in r["carer_help"]],
        "critical_alerts": standing_alerts_for(request.user, [r["person"] for r in rows if r["person"].pk in visible],
                                               get_language(), request=request),
    }
    return render(request, "web/coordination.html", context)


@login_required
def case_management(request: HttpRequest) -> HttpResponse:
    """A case manager's persons: they read the plan through the case-management basis, not as members."""
    professional = roles_for(request).professional
    episodes = CaseManagementEpisode.objects.none()
    ended = CaseManagementEpisode.objects.none()
    trainings = []
    if professional is not None:
        episodes = (
            CaseManagementEpisode.objects.filter(case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE)
            .select_related("person", "zone", "request")
            .order_by("person__family_name")
        )
        ended = CaseManagementEpisode.objects.filter(
            case_manager=professional, status=CaseManagementEpisode.Status.ENDED
        ).select_related("person")[:10]
        trainings = list(professional.trainings.filter(active=True).select_related("zone"))
    episodes = list(episodes)
    # Each person's own team, its coordination and its size, in one query each (issue 19).
    teams: dict[int, CareTeam] = {}
    for team in CareTeam.objects.filter(person_id__in=[e.person_id for e in episodes], external_id=""):
        teams.setdefault(team.person_id, team)
    team_ids = [t.pk for t in teams.values()]
    coordinations = actions.active_coordinations(team_ids)
    members = dict(
        TeamMember.objects.filter(team_id__in=team_ids, status=TeamMember.Status.ACTIVE)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for episode in episodes:
        team = teams.get(episode.person_id)
        rows.append(
            {
                "episode": episode,
                "coordination": coordinations.get(team.pk) if team else None,
                "members": members.get(team.pk, 0) if team else 0,
            }
        )
    for training in trainings:
        training.load = caseload_of(professional) if training.function == "case_manager" else None
    shown = [e.person for e in (*episodes, *ended)]
    record_list_read(request.user, shown, "case_management", resource_type="EpisodeOfCare", request=request)
    context = {"rows": rows, "ended": ended, "trainings": trainings, "end_form": EndCaseManagementForm()}
    return render(request, "web/case_management.html", context)


@require_POST
@login_required
def end_case_management(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_object_or_404(CaseManagementEpisode, pk=pk)
    form = EndCaseManagementForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.end_case_management(request.user, episode, reason)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Case management for %(name)s has ended.") % {"name": episode.person})
    return back(request, reverse("web:case_management"))
