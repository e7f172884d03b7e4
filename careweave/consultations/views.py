"""MDO pages: the list to organise, scheduling, and one MDO with its invitations, minutes and decisions.

Thin views over :mod:`careweave.consultations.actions`. Every page about a person goes through the same
access door as the plan (:func:`careweave.web.access.get_person_or_refuse`), read as an Appointment; a
broken rule re-renders the page with the message beside the form (HTTP 422) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from careweave.access.audit import record_list_read
from careweave.access.decisions import Decision as AccessDecision
from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.consultations import actions
from careweave.consultations.forms import (
    AttendanceForm,
    CancelForm,
    ConcludeForm,
    DecisionForm,
    InviteForm,
    MinutesForm,
    RespondForm,
    ScheduleForm,
)
from careweave.consultations.models import Consultation, Minutes, Participant
from careweave.consultations.queries import my_invitations, to_organise
from careweave.consultations.reimbursement import reimbursement
from careweave.people.models import Person
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import get_person_or_refuse, person_view, refused
from careweave.web.forms.base import add_rule_error, run_form
from careweave.web.views._helpers import conflict_rows, rebind_with_version

RESOURCE = "Appointment"


def detail_url(consultation: Consultation) -> str:
    return reverse("consultations:detail", args=[consultation.fhir_id])


# --------------------------------------------------------------------------- MDOs to organise


@login_required
def organise(request: HttpRequest) -> HttpResponse:
    """Proposals from transition points, upcoming MDOs and held ones whose minutes are still open."""
    items = list(to_organise(request.user))
    record_list_read(request.user, [c.person for c in items], "consultations", resource_type=RESOURCE, request=request)
    now = timezone.now()
    context = {
        "proposals": sorted((c for c in items if c.status == Consultation.Status.PROPOSED),
                            key=lambda c: (c.transition_on or c.created_at.date(), c.pk)),
        "scheduled": sorted((c for c in items if c.status == Consultation.Status.SCHEDULED), key=lambda c: c.start),
        "held": sorted((c for c in items if c.status == Consultation.Status.HELD), key=lambda c: c.start),
        "now": now,
    }
    return render(request, "consultations/organise.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The MDOs the professional is invited to: the answer, the date, the person (issue 18, item 30)."""
    invitations = list(my_invitations(request.user))
    record_list_read(request.user, [p.consultation.person for p in invitations], "my_mdos", resource_type=RESOURCE,
                     request=request)
    today = timezone.localdate()
    context = {
        "coming": [p for p in invitations if p.consultation.is_open and (p.consultation.day or today) >= today],
        "past": [p for p in invitations if not (p.consultation.is_open and (p.consultation.day or today) >= today)],
    }
    return render(request, "consultations/mine.html", context)


# --------------------------------------------------------------------------- one person's MDOs


@person_view(resource_type=RESOURCE)
def person_list(request: HttpRequest, person: Person, decision: AccessDecision) -> HttpResponse:
    consultations = list(person.consultations.all())
    context = {"person": person, "consultations": consultations,
               "may_convene": may(request.user, "consultations.schedule_mdo", person)}
    return render(request, "consultations/person.html", context)


def _form_page(request: HttpRequest, person: Person, form: forms.Form, *, title: str, cancel_url: str,
               status: int = 200, conflict: list | None = None) -> HttpResponse:
    context = {"person": person, "form": form, "title": title, "submit": _("Schedule"), "cancel_url": cancel_url,
               "conflict": conflict}
    return render(request, "web/form_page.html", context, status=status)


@person_view(resource_type=RESOURCE)
def new(request: HttpRequest, person: Person, decision: AccessDecision) -> HttpResponse:
    """Schedule a new MDO for this person."""
    form = ScheduleForm(request.POST or None)
    title = _("Schedule an MDO for %(name)s") % {"name": person}
    cancel = reverse("consultations:person", args=[person.fhir_id])
    if request.method == "POST" and form.is_valid():
        try:
            consultation = actions.schedule_mdo(request.user, person, **form.schedule_kwargs())
        except RuleViolation as exc:
            add_rule_error(form, exc, ScheduleForm.FIELDS)
            return _form_page(request, person, form, title=title, cancel_url=cancel, status=422)
        messages.success(request, _("The MDO is scheduled. Now invite the team."))
        return redirect(detail_url(consultation))
    return _form_page(request, person, form, title=title, cancel_url=cancel, status=422 if form.is_bound else 200)


# --------------------------------------------------------------------------- one MDO


def _open(request: HttpRequest, fhir_id: Any) -> tuple[Consultation, Person, AccessDecision]:
    consultation = get_object_or_404(Consultation.objects.select_related("person", "plan__team"), fhir_id=fhir_id)
    person, decision = get_person_or_refuse(request, consultation.person.fhir_id, Level.PLAN, resource_type=RESOURCE)
    return consultation, person, decision


def consultation_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the MDO and check access to its person (audited); refusals render the explained 403."""

    @login_required
    def wrapper(request: HttpRequest, fhir_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            consultation, person, decision = _open(request, fhir_id)
        except AccessRefused as exc:
            found = Consultation.objects.filter(fhir_id=fhir_id).select_related("person").first()
            return refused(request, exc, found.person if found else None)
        return view(request, consultation, person, decision, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def render_detail(request: HttpRequest, consultation: Consultation, person: Person, decision: AccessDecision,
                  *, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    minutes = Minutes.objects.filter(consultation=consultation).first()
    participants = list(consultation.participants.select_related(
        "member__professional", "member__related_person", "member__professional__user",
        "member__related_person__user"))
    full = decision.allows(Level.FULL)
    mine = [p for p in participants if may(request.user, "consultations.respond_to_invitation", p)]
    decisions = list(consultation.decisions.select_related(
        "task__assignee__professional", "task__assignee__related_person"))
    for d in decisions:
        d.hidden = d.task is not None and d.task.is_medical and not full
    context = {
        "c": consultation,
        "person": person,
        "participants": participants,
        "my_invitations": [p for p in mine if consultation.status == Consultation.Status.SCHEDULED],
        "minutes": minutes,
        "decisions": decisions,
        "money": reimbursement(consultation),
        "invite_form": forms_.get("invite_form") or InviteForm(consultation=consultation),
        "attendance_form": forms_.get("attendance_form") or AttendanceForm(
            consultation=consultation,
            initial={"present": [str(p.pk) for p in participants
                                 if p.attended or (p.attended is None and p.response == "accepted")],
                     "version": consultation.version}),
        "minutes_form": forms_.get("minutes_form") or MinutesForm(
            initial={"text": minutes.text if minutes else "", "version": minutes.version if minutes else 0}),
        "decision_form": forms_.get("decision_form") or DecisionForm(plan=consultation.plan, allow_medical=full),
        "cancel_form": forms_.get("cancel_form") or CancelForm(initial={"version": consultation.version}),
        "conclude_form": forms_.get("conclude_form") or ConcludeForm(initial={"version": consultation.version}),
        "conflict": forms_.get("conflict"),
        "conflict_section": forms_.get("conflict_section"),
        "day_reached": consultation.day is not None and consultation.day <= timezone.localdate(),
    }
    return render(request, "consultations/detail.html", context, status=status)


@consultation_view
def detail(request: HttpRequest, consultation: Consultation, person: Person, decision: AccessDecision
           ) -> HttpResponse:
    return render_detail(request, consultation, person, decision)


@consultation_view
def schedule(request: HttpRequest, consultation: Consultation, person: Person, decision: AccessDecision
             ) -> HttpResponse:
    """Schedule a proposal, or move a scheduled MDO."""
    title = _("Schedule the MDO for %(name)s") % {"name": person}
    if request.method != "POST":
        form = ScheduleForm(initial=ScheduleForm.initial_for(consultation))
        return _form_page(request, person, form, title=title, cancel_url=detail_url(consultation))
    form = ScheduleForm(request.POST)
    if run_form(form, lambda: actions.schedule_mdo(
            request.user, consultation=consultation, expected_version=form.cleaned_data.get("version"),
            **form.schedule_kwargs()), ScheduleForm.FIELDS):
        messages.success(request, _("The MDO is scheduled."))
        return redirect(detail_url(consultation))
    return _form_page(request, person, form, title=title, cancel_url=detail_url(consultation), status=422)


def _no_kwargs(consultation: Consultation, decision: AccessDecision) -> dict[str, Any]:
    return {}


def _for_consultation(consultation: Consultation, decision: AccessDecision) -> dict[str, Any]:
    return {"consultation": consultation}


Current = Callable[[Consultation], tuple[int, dict[str, Any]]]


def detail_action(section: str, form_class: type[forms.Form], done: str | Promise,
                  fields: dict[str, str] | None = None, *,
                  form_kwargs: Callable[[Consultation, AccessDecision], dict[str, Any]] = _no_kwargs,
                  current: Current | None = None,
                  ) -> Callable[[Callable[..., object]], Callable[..., HttpResponse]]:
    """Make ``action(request, consultation, form)`` a POST-only view for one form of the MDO page.

    The form is ``<section>_form`` on the page, in the section ``#<section>``. A valid form runs the action, then
    redirects back to the section with the message ``done``; an invalid form, a change made meanwhile or a broken
    rule re-renders the page with the error beside the form (HTTP 422). With ``current`` (the record's version and
    values now), a change made meanwhile is a merge, as on the plan's edit forms: what the other person saved is
    shown next to the user's input, which is kept and now based on the current version (HTTP 409), so saving
    again is a deliberate choice and succeeds.
    """

    def decorate(action: Callable[..., object]) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, consultation: Consultation, person: Person, decision: AccessDecision
                 ) -> HttpResponse:
            kwargs = form_kwargs(consultation, decision)
            form = form_class(request.POST, **kwargs)
            clash: list[tuple[int, dict[str, Any]]] = []

            def run() -> object:
                try:
                    return action(request, consultation, form)
                except ChangedMeanwhile:
                    if current is not None:
                        clash.append(current(consultation))
                    raise

            if run_form(form, run, fields):
                messages.success(request, str(done))
                return redirect(detail_url(consultation) + f"#{section}")
            consultation.refresh_from_db()
            if clash:
                version, values = clash[0]
                rows = conflict_rows(form, values)
                form = rebind_with_version(form_class, request, version, **kwargs)
                return render_detail(request, consultation, person, decision, status=409,
                                     conflict=rows, conflict_section=section, **{f"{section}_form": form})
            return render_detail(request, consultation, person, decision, status=422, **{f"{section}_form": form})

        view.__name__ = view.__qualname__ = action.__name__  # consultation_view copies them to its wrapper
        view.__doc__ = action.__doc__
        return require_POST(consultation_view(view))

    return decorate


@detail_action("invite", InviteForm, gettext_lazy("The invitations are sent."),
               {"mdo_invite_nobody": "members", "mdo_invite_not_member": "members"}, form_kwargs=_for_consultation)
def invite(request: HttpRequest, consultation: Consultation, form: InviteForm) -> None:
    actions.invite_to_mdo(request.user, consultation, form.chosen_members(),
                          include_person=form.cleaned_data.get("include_person", False))


@require_POST
@consultation_view
def respond(request: HttpRequest, consultation: Consultation, person: Person, decision: AccessDecision,
            pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk, consultation=consultation)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether you will come or not."))
        return redirect(detail_url(consultation))
    try:
        actions.respond_to_invitation(request.user, participant, form.cleaned_data["response"])
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect(detail_url(consultation) + "#participants")


@detail_action("attendance", AttendanceForm, gettext_lazy("Attendance is recorded."),
               {"mdo_attendance_empty": "present"}, form_kwargs=_for_consultation)
def attendance(request: HttpRequest, consultation: Consultation, form: AttendanceForm) -> None:
    actions.record_attendance(request.user, consultation, form.cleaned_data["present"],
                              form.cleaned_data.get("version"))


def _current_minutes(consultation: Consultation) -> tuple[int, dict[str, Any]]:
    minutes = Minutes.objects.filter(consultation=consultation).first()
    return (minutes.version, {"text": minutes.text}) if minutes else (0, {"text": ""})


@detail_action("minutes", MinutesForm, gettext_lazy("The minutes are saved."), {"required": "text", "too_long": "text"},
               current=_current_minutes)
def minutes(request: HttpRequest, consultation: Consultation, form: MinutesForm) -> None:
    actions.write_minutes(request.user, consultation, form.cleaned_data["text"], form.cleaned_data.get("version"))


@detail_action("decision", DecisionForm, gettext_lazy("The decision is recorded and is now a task in the plan."),
               DecisionForm.FIELDS,
               form_kwargs=lambda c, decision: {"plan": c.plan, "allow_medical": decision.allows(Level.FULL)})
def record_decision(request: HttpRequest, consultation: Consultation, form: DecisionForm) -> None:
    data = form.cleaned_data
    actions.record_decision(request.user, consultation, data["text"], **form.assignment(),
                            due_date=data.get("due_date"), coordination=data.get("coordination") or "",
                            is_medical=data.get("is_medical", False))


@detail_action("conclude", ConcludeForm, gettext_lazy("The MDO is concluded."))
def conclude(request: HttpRequest, consultation: Consultation, form: ConcludeForm) -> None:
    actions.conclude_mdo(request.user, consultation, form.cleaned_data.get("version"))


@detail_action("cancel", CancelForm, gettext_lazy("The MDO is cancelled."), {"required": "reason"})
def cancel(request: HttpRequest, consultation: Consultation, form: CancelForm) -> None:
    actions.cancel_mdo(request.user, consultation, form.cleaned_data["reason"], form.cleaned_data.get("version"))
