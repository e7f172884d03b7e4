"""Calendar pages: the user's calendar (week, month, list), an appointment, booking one, and the feed.

Thin views over :mod:`careweave.scheduling.actions` and :mod:`careweave.scheduling.queries`. The calendar shows
only what the permission table lets the user see now, each person shown audited as a list read; the feed is
served without a session to whoever holds its secret URL, and answers 404 once the URL is renewed or stopped.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from careweave.access.audit import record_list_read
from careweave.access.decisions import decide_many
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CaseManagementEpisode, TeamMember
from careweave.people.models import Person
from careweave.scheduling import actions, ics
from careweave.scheduling.forms import (
    TIME_FIELDS,
    AppointmentForm,
    CancelForm,
    DoneForm,
    FeedTitlesForm,
    RescheduleForm,
)
from careweave.scheduling.models import Appointment, FeedToken, hash_token
from careweave.scheduling.queries import calendar_entries
from careweave.web import once
from careweave.web.access import person_view, refused
from careweave.web.forms.base import run_form
from careweave.web.language import preferred_language
from careweave.web.views._helpers import conflict_rows

RESOURCE = "Appointment"
VIEWS = ("week", "month", "list")
LIST_DAYS = 28
FEED_BEFORE, FEED_AFTER = 31, 366


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _range(view: str, day: date) -> tuple[date, date, date, date]:
    """First and last day shown, and the days the previous/next links lead to."""
    if view == "month":
        first_of_month = _month_start(day)
        first = _monday(first_of_month)
        last_of_month = _month_start(day, 1) - timedelta(days=1)
        last = _monday(last_of_month) + timedelta(days=6)
        return first, last, _month_start(day, -1), _month_start(day, 1)
    if view == "list":
        span = timedelta(days=LIST_DAYS)
        return day, day + span - timedelta(days=1), day - span, day + span
    first = _monday(day)
    return first, first + timedelta(days=6), first - timedelta(days=7), first + timedelta(days=7)


def _bookable_persons(user: Any) -> list[Person]:
    """Persons the user may book an appointment with (the table decides, for each)."""
    persons = list(Person.objects.filter(
        Q(care_teams__members__professional__user=user, care_teams__members__status=TeamMember.Status.ACTIVE)
        | Q(pk__in=CaseManagementEpisode.objects.filter(case_manager__user=user,
                                                        status=CaseManagementEpisode.Status.ACTIVE).values("person"))
        | Q(user=user)
    ).distinct().order_by("family_name", "given_name")[:200])
    decide_many(user, persons)
    return [p for p in persons if may(user, "scheduling.create_appointment", p)]


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's calendar: a week (the default on a wide screen), a month, or a list (the default on a phone)."""
    requested = request.GET.get("view", "")
    view = requested if requested in VIEWS else "week"
    day = _day(request.GET.get("day"))
    first, last, previous, following = _range(view, day)
    entries = calendar_entries(request.user, first, last)
    record_list_read(request.user, {e.person.pk: e.person for e in entries}.values(), "calendar",
                     resource_type=RESOURCE, request=request)
    by_day: dict[date, list] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    today = timezone.localdate()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    cells = [{"day": d, "entries": by_day.get(d, []), "today": d == today,
              "outside": view == "month" and d.month != day.month, "weekday": WEEKDAYS[d.weekday()]} for d in days]
    context = {
        # no view asked: the week grid and the same week as a list, which CSS shows on a narrow screen
        "view": view, "auto": not requested, "day": day, "first": first, "last": last, "today": today,
        "previous": previous, "following": following, "cells": cells,
        "weeks": [cells[i:i + 7] for i in range(0, len(cells), 7)],
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
        "listed": [c for c in cells if c["entries"]],
        "bookable": _bookable_persons(request.user),
        "month_label": _month_start(day),
    }
    return render(request, "scheduling/calendar.html", context)


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """The calendar's "book an appointment with…" choice, sent on to that person's booking form."""
    try:
        key = uuid.UUID(request.GET.get("person", ""))
    except ValueError:
        key = None
    person = Person.objects.filter(fhir_id=key).first() if key else None
    if person is None:
        return redirect("scheduling:calendar")
    return redirect("scheduling:new", person_id=person.fhir_id)


@person_view(resource_type=RESOURCE)
def new(request: HttpRequest, person: Person, decision: Any) -> HttpResponse:
    """Book an appointment with this person."""
    initial = {"day": request.GET.get("day") or timezone.localdate()}
    form = AppointmentForm(request.POST or None, person=person, initial=initial)
    title = _("Book an appointment with %(name)s") % {"name": person}
    status = 200
    if request.method == "POST":
        created: list[Appointment] = []
        if run_form(form, lambda: created.append(
                actions.create_appointment(request.user, person, **form.action_kwargs())), TIME_FIELDS):
            messages.success(request, _("The appointment is booked."))
            return redirect("scheduling:appointment", fhir_id=created[0].fhir_id)
        status = 422
    context = {"person": person, "form": form, "title": title, "submit": _("Book"),
               "cancel_url": reverse("scheduling:calendar")}
    return render(request, "web/form_page.html", context, status=status)


def _appointment_page(request: HttpRequest, appointment: Appointment, *, forms: dict | None = None,
                      status: int = 200, conflict: list | None = None) -> HttpResponse:
    user = request.user
    forms = forms or {}
    context = {
        "a": appointment, "person": appointment.person, "conflict": conflict,
        "members": list(appointment.members.select_related("professional", "related_person", "team")),
        "may_move": may(user, "scheduling.reschedule_appointment", appointment),
        "may_cancel": may(user, "scheduling.cancel_appointment", appointment),
        "may_done": may(user, "scheduling.complete_appointment", appointment),
        "move_form": forms.get("move") or RescheduleForm(initial=RescheduleForm.initial_for(appointment)),
        "cancel_form": forms.get("cancel") or CancelForm(initial={"version": appointment.version}),
        "done_form": forms.get("done") or DoneForm(initial={"version": appointment.version}),
        "started": appointment.start <= timezone.now(),
    }
    return render(request, "scheduling/appointment.html", context, status=status)


@login_required
def appointment(request: HttpRequest, fhir_id: Any) -> HttpResponse:
    """One appointment: when, where, who; its note when the reader may see it; move, cancel, mark done."""
    a = get_object_or_404(Appointment.objects.select_related("person"), fhir_id=fhir_id)
    needed = Level.FULL if a.is_medical else Level.PLAN
    try:
        require_access(request.user, a.person, action="read" if request.method == "GET" else "update",
                       resource_type=RESOURCE, resource_id=str(a.fhir_id), needed=needed, request=request,
                       audit=request.method == "GET")
    except AccessRefused as exc:
        return refused(request, exc, a.person)
    if request.method != "POST":
        return _appointment_page(request, a)
    step = request.POST.get("step", "")
    forms_by_step = {"move": RescheduleForm, "cancel": CancelForm, "done": DoneForm}
    if step not in forms_by_step:
        raise Http404
    form = forms_by_step[step](request.POST)

    def run() -> None:
        version = form.cleaned_data.get("version")
        if step == "move":
            start, end = form.moments()
            actions.reschedule_appointment(request.user, a, start=start, end=end, place=form.cleaned_data["place"],
                                           expected_version=version)
        elif step == "cancel":
            actions.cancel_appointment(request.user, a, form.cleaned_data["reason"], expected_version=version)
        else:
            actions.complete_appointment(request.user, a, expected_version=version)

    if run_form(form, run, TIME_FIELDS):
        messages.success(request, {"move": _("The appointment is moved."), "cancel": _("The appointment is cancelled."),
                                   "done": _("The appointment is marked done.")}[step])
        return redirect("scheduling:appointment", fhir_id=a.fhir_id)
    a.refresh_from_db()
    conflict = None
    if step == "move" and form.is_bound and form.cleaned_data.get("version") not in (None, a.version):
        conflict = conflict_rows(form, RescheduleForm.initial_for(a))
    return _appointment_page(request, a, forms={step: form}, status=422, conflict=conflict)


# --------------------------------------------------------------------------- the personal feed


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The secret feed URL: make or renew it (shown once), stop it, opt in to titles."""
    token = FeedToken.objects.filter(user=request.user).first()
    new_url = ""
    titles = FeedTitlesForm(initial={"show_titles": token.show_titles if token else False})
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "renew":
                secret = actions.renew_feed(request.user)
                new_url = request.build_absolute_uri(reverse("scheduling:feed", args=[secret]))
                once.saved_here(request, reverse("scheduling:feed_settings"))
                messages.success(request, _("Your new calendar link is ready; any earlier link no longer works."))
            elif step == "stop":
                actions.stop_feed(request.user)
                messages.success(request, _("Your calendar link no longer works."))
                return redirect("scheduling:feed_settings")
            elif step == "titles":
                titles = FeedTitlesForm(request.POST)
                if titles.is_valid():
                    actions.set_feed_titles(request.user, titles.cleaned_data["show_titles"])
                    messages.success(request, _("Your choice is saved."))
                    return redirect("scheduling:feed_settings")
                status = 422
            else:
                raise Http404
        except RuleViolation as exc:
            messages.error(request, str(exc))
            status = 422
        token = FeedToken.objects.filter(user=request.user).first()
    context = {"token": token, "new_url": new_url, "titles": titles}
    return render(request, "scheduling/feed.html", context, status=status)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed (``text/calendar``), no session: the secret in the URL says whose calendar it is.

    The permission table decides each item now, as for the page; a feed that shows titles and names is
    audited on each person's file like the calendar page.
    """
    found = FeedToken.objects.filter(token_hash=hash_token(token)).select_related("user").first()
    if found is None or not found.user.is_active:
        raise Http404
    user = found.user
    today = timezone.localdate()
    language = preferred_language(user) or translation.get_language()
    with translation.override(language):
        entries = calendar_entries(user, today - timedelta(days=FEED_BEFORE), today + timedelta(days=FEED_AFTER))
        body = ics.feed(entries, show_titles=found.show_titles, name=_("Careweave calendar"))
    if found.show_titles:
        record_list_read(user, {e.person.pk: e.person for e in entries}.values(), "calendar_feed",
                         resource_type=RESOURCE, request=request)
    FeedToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="careweave.ics"'
    return response
