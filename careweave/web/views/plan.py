"""The shared plan: the page everyone in the team works from, and its edits.

Edits of goals, tasks and the plan carry the version the user started from. When someone else
saved in between, the user sees what changed next to what they typed (HTTP 409) and nothing is
overwritten; saving again is then a deliberate choice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.decisions import Decision
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.assessments.views import plan_summary as assessment_summary
from careweave.careplans import actions
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CarePlan, Goal, LifeGoal, Task
from careweave.people.models import Person
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import person_view, require_full
from careweave.web.forms.base import add_rule_error
from careweave.web.forms.plan import (
    PERSON_CHOICE,
    AgreementForm,
    CarerCheckinForm,
    GoalEditForm,
    GoalForm,
    JournalForm,
    LifeGoalEditForm,
    LifeGoalForm,
    PlanForm,
    ReviewForm,
    StartPlanForm,
    TaskEditForm,
    TaskForm,
)
from careweave.web.plandata import build_plan_view, current_plan, visible
from careweave.web.views._helpers import back, conflict_rows, rebind_with_version


def plan_url(person: Person, anchor: str = "") -> str:
    return reverse("web:plan", args=[person.fhir_id]) + anchor


def _plan_or_404(person: Person) -> CarePlan:
    plan = current_plan(person)
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


def render_plan(
    request: HttpRequest,
    person: Person,
    decision: Decision,
    *,
    journal_form: JournalForm | None = None,
    checkin_form: CarerCheckinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = build_plan_view(person, decision, request.user)
    checkins = []
    if view.plan is not None and view.is_informal:
        checkins = list(view.plan.journal.filter(author=request.user, is_carer_checkin=True)[:3])
    context = {
        "v": view,
        "person": person,
        "plan": view.plan,
        "journal_form": journal_form or JournalForm(allow_medical=view.full),
        "checkin_form": checkin_form or CarerCheckinForm(),
        "checkins": checkins,
        "reviews": list(view.plan.reviews.select_related("reviewed_by")[:10]) if view.plan is not None else [],
        "assessments": assessment_summary(request, person),
    }
    return render(request, "web/plan.html", context, status=status)


@person_view()
def plan(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    return render_plan(request, person, decision)


def _form_page(
    request: HttpRequest,
    person: Person,
    form: forms.Form,
    *,
    title: str,
    intro: str = "",
    submit: str = "",
    conflict: list | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "person": person,
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit or _("Save"),
        "conflict": conflict,
        "cancel_url": plan_url(person),
    }
    return render(request, "web/form_page.html", context, status=status)


def _create(
    request: HttpRequest,
    person: Person,
    form: forms.Form,
    save: Callable[[forms.Form], Any],
    *,
    title: str,
    done: str,
    anchor: str = "",
    fields: dict[str, str] | None = None,
    intro: str = "",
) -> HttpResponse:
    """Run an action for a valid form; a broken rule is shown next to its field."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except RuleViolation as exc:
            add_rule_error(form, exc, fields)
        else:
            messages.success(request, done)
            return back(request, plan_url(person), anchor)
    return _form_page(request, person, form, title=title, intro=intro)


def _edit(
    request: HttpRequest,
    person: Person,
    obj: Any,
    form_class: type[forms.Form],
    form_kwargs: dict[str, Any],
    initial: dict[str, Any],
    save: Callable[[forms.Form], Any],
    *,
    title: str,
    done: str,
    anchor: str = "",
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    """A versioned edit: save, or show what changed meanwhile and keep the user's input."""
    if request.method != "POST":
        form = form_class(initial={**initial, "version": obj.version}, **form_kwargs)
        return _form_page(request, person, form, title=title)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            save(form)
        except ChangedMeanwhile:
            obj.refresh_from_db()
            current = _current_values(obj)
            rows = conflict_rows(form, current)
            form = rebind_with_version(form_class, request, obj.version, **form_kwargs)
            return _form_page(request, person, form, title=title, conflict=rows, status=409)
        except RuleViolation as exc:
            add_rule_error(form, exc, fields)
        else:
            messages.success(request, done)
            return back(request, plan_url(person), anchor)
    return _form_page(request, person, form, title=title)


def _current_values(obj: Any) -> dict[str, Any]:
    """The saved values of a record, keyed like the edit form's fields."""
    if isinstance(obj, Task):
        return {
            "description": obj.description,
            "assignee": PERSON_CHOICE if obj.assigned_to_person else (str(obj.assignee_id) if obj.assignee_id else ""),
            "status": obj.status,
            "goal": obj.goal,
            "due_date": obj.due_date,
        }
    if isinstance(obj, Goal):
        return {
            "description": obj.description,
            "status": obj.status,
            "life_goal": obj.life_goal,
            "kind": obj.kind,
            "domain": obj.domain,
            "target_date": obj.target_date,
            "is_medical": obj.is_medical,
        }
    if isinstance(obj, LifeGoal):
        return {"text": obj.text}
    return {
        "title": obj.title,
        "description": obj.description,
        "status": obj.status,
        "review_date": obj.review_date,
    }


# --- the plan itself -------------------------------------------------------------------------


@person_view()
def plan_start(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    if current_plan(person) is not None:
        return redirect(plan_url(person))
    form = StartPlanForm(request.POST or None, initial={"title": _("Care and support plan")})
    return _create(
        request,
        person,
        form,
        lambda f: actions.start_care_plan(request.user, person, **f.cleaned_data),
        title=_("Start the shared plan"),
        done=_("The plan has been started."),
        fields={"required": "title"},
    )


@person_view()
def plan_edit(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    return _edit(
        request,
        person,
        plan,
        PlanForm,
        {},
        _current_values(plan),
        lambda f: actions.update_care_plan(
            request.user,
            plan,
            f.cleaned_data["version"],
            **{k: f.cleaned_data[k] for k in ("title", "description", "status", "review_date")},
        ),
        title=_("Edit the plan"),
        done=_("The plan has been saved."),
        fields={"required": "title"},
    )


@person_view()
def plan_review(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    form = ReviewForm(request.POST or None)
    return _create(
        request,
        person,
        form,
        lambda f: actions.review_plan(request.user, plan, **f.cleaned_data),
        title=_("Record a review of the plan"),
        intro=_("Go through the plan together with the person and set the date of the next review."),
        done=_("The review has been recorded."),
        fields={
            "review_in_future": "next_review",
            "review_date_required": "next_review",
            "required": "notes",
            "too_long": "notes",
        },
    )


@person_view()
def agreement_add(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    form = AgreementForm(request.POST or None)
    return _create(
        request,
        person,
        form,
        lambda f: actions.record_agreement(request.user, plan, f.cleaned_data["text"]),
        title=_("Add an agreement"),
        done=_("The agreement has been added."),
        anchor="#agreements",
        fields={"required": "text", "too_long": "text"},
    )


# --- life goals and goals ----------------------------------------------------------------------


@person_view()
def life_goal_add(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    form = LifeGoalForm(request.POST or None)
    return _create(
        request,
        person,
        form,
        lambda f: actions.add_life_goal(request.user, plan, f.cleaned_data["text"]),
        title=_("Add what matters"),
        intro=_("Write it the way the person says it."),
        done=_("The life goal has been added."),
        anchor="#life-goals",
        fields={"required": "text", "too_long": "text"},
    )


@person_view()
def life_goal_edit(request: HttpRequest, person: Person, decision: Decision, pk: int) -> HttpResponse:
    plan = _plan_or_404(person)
    life_goal = get_object_or_404(LifeGoal, pk=pk, plan=plan)
    return _edit(
        request,
        person,
        life_goal,
        LifeGoalEditForm,
        {},
        {"text": life_goal.text},
        lambda f: actions.update_life_goal(request.user, life_goal, f.cleaned_data["version"], f.cleaned_data["text"]),
        title=_("Edit what matters"),
        done=_("The life goal has been saved."),
        anchor="#life-goals",
        fields={"required": "text", "too_long": "text"},
    )


@person_view()
def goal_add(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    initial = {"life_goal": request.GET.get("life_goal")}
    form = GoalForm(request.POST or None, initial=initial, plan=plan, allow_medical=_medical(request, person))
    return _create(
        request,
        person,
        form,
        lambda f: actions.add_goal(request.user, plan, **{k: v for k, v in f.cleaned_data.items()}),
        title=_("Add a care or support goal"),
        done=_("The goal has been added."),
        anchor="#goals",
        fields={
            "required": "description",
            "too_long": "description",
            "life_goal_plan": "life_goal",
            "target_in_past": "target_date",
        },
    )


@person_view()
def goal_edit(request: HttpRequest, person: Person, decision: Decision, pk: int) -> HttpResponse:
    plan = _plan_or_404(person)
    goal = get_object_or_404(Goal, pk=pk, plan=plan)
    if goal.is_medical:
        require_full(request, person, "Goal")
    kwargs = {"plan": plan, "allow_medical": _medical(request, person)}
    return _edit(
        request,
        person,
        goal,
        GoalEditForm,
        kwargs,
        _current_values(goal),
        lambda f: actions.update_goal(
            request.user,
            goal,
            f.cleaned_data["version"],
            **{k: v for k, v in f.cleaned_data.items() if k != "version"},
        ),
        title=_("Edit the goal"),
        done=_("The goal has been saved."),
        anchor=f"#goal-{goal.pk}",
        fields={
            "required": "description",
            "too_long": "description",
            "life_goal_plan": "life_goal",
            "target_in_past": "target_date",
        },
    )


# --- tasks -------------------------------------------------------------------------------------


@person_view()
def task_add(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    full = _medical(request, person)
    initial = {"goal": request.GET.get("goal"), "assignee": request.GET.get("assignee")}
    form = TaskForm(
        request.POST or None,
        initial=initial,
        plan=plan,
        allow_medical=full,
        goal_queryset=visible(plan.goals.all(), decision),
    )

    def save(f: TaskForm) -> Task:
        data = f.cleaned_data
        return actions.assign_task(
            request.user,
            plan,
            data["description"],
            goal=data.get("goal"),
            due_date=data.get("due_date"),
            is_medical=data.get("is_medical", False),
            **f.assignment(),
        )

    return _create(
        request,
        person,
        form,
        save,
        title=_("Assign a task"),
        intro=_("A task is done by one named member of the team, or by the person."),
        done=_("The task has been assigned."),
        anchor="#goals",
        fields={
            "required": "description",
            "too_long": "description",
            "due_in_past": "due_date",
            "assignee_not_member": "assignee",
            "assignee_required": "assignee",
        },
    )


def _medical(request: HttpRequest, person: Person) -> bool:
    """Offer the "medical" choice only to whom the table lets write medical detail."""
    return may(request.user, "careplans.write_medical_detail", person)


def _task_for(request: HttpRequest, person: Person, pk: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("plan__team"), pk=pk, plan__person=person)
    if task.is_medical:
        require_full(request, person, "Task")
    return task


@person_view()
def task_edit(request: HttpRequest, person: Person, decision: Decision, pk: int) -> HttpResponse:
    task = _task_for(request, person, pk)
    kwargs = {"plan": task.plan, "goal_queryset": visible(task.plan.goals.all(), decision)}

    def save(f: TaskEditForm) -> Task:
        data = f.cleaned_data
        assignment = f.assignment()
        return actions.update_task(
            request.user,
            task,
            data["version"],
            description=data["description"],
            status=data["status"],
            goal=data.get("goal"),
            due_date=data.get("due_date"),
            assignee=assignment["assignee"],
            assigned_to_person=assignment["to_person"],
        )

    return _edit(
        request,
        person,
        task,
        TaskEditForm,
        kwargs,
        _current_values(task),
        save,
        title=_("Edit the task"),
        done=_("The task has been saved."),
        anchor=f"#task-{task.pk}",
        fields={
            "required": "description",
            "too_long": "description",
            "due_in_past": "due_date",
            "assignee_not_member": "assignee",
            "task_not_yours": "status",
        },
    )


@require_POST
@person_view()
def task_done(request: HttpRequest, person: Person, decision: Decision, pk: int) -> HttpResponse:
    task = _task_for(request, person, pk)
    try:
        actions.complete_task(request.user, task)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: %(task)s") % {"task": task.description})
    return back(request, plan_url(person), f"#task-{task.pk}")


# --- journal and the carer's check-in ------------------------------------------------------------


@person_view(resource_type="Communication")
def journal(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    """The whole journal (GET) and a new message (POST, from here or from the plan page)."""
    plan = _plan_or_404(person)
    full = decision.allows(Level.FULL)
    form = JournalForm(request.POST or None, allow_medical=full)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.write_in_journal(
                    request.user, plan, form.cleaned_data["text"], is_medical=form.cleaned_data.get("is_medical", False)
                )
            except RuleViolation as exc:
                add_rule_error(form, exc, {"required": "text", "too_long": "text"})
            else:
                messages.success(request, _("Your message is in the journal."))
                return back(request, reverse("web:journal", args=[person.fhir_id]), "#journal")
        if request.POST.get("origin") == "plan":
            return render_plan(request, person, decision, journal_form=form)
    entries = visible(plan.journal.all(), decision)
    kind = request.GET.get("kind", "")
    if kind == "checkin":
        entries = entries.filter(is_carer_checkin=True)
    context = {
        "person": person,
        "plan": plan,
        "form": form,
        "entries": entries[:200],
        "kind": kind,
        "hidden": 0 if full else plan.journal.filter(is_medical=True).count(),
    }
    return render(request, "web/journal.html", context)


@require_POST
@person_view(resource_type="Communication")
def carer_checkin(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan_or_404(person)
    form = CarerCheckinForm(request.POST)
    if form.is_valid():
        try:
            actions.write_in_journal(
                request.user, plan, form.message(), carer_checkin=True, carer_feeling=form.cleaned_data["feeling"]
            )
        except RuleViolation as exc:
            add_rule_error(form, exc)
        else:
            messages.success(request, _("Thank you. Your team can read how you are doing."))
            if form.cleaned_data["feeling"] == "too_much":
                messages.warning(
                    request,
                    _(
                        "You do not have to carry this alone. Talk to the coordinator, or ask for a case manager "
                        "on the team page."
                    ),
                )
            return redirect(plan_url(person, "#carer"))
    return render_plan(request, person, decision, checkin_form=form)
