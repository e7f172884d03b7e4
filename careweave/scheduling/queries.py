"""What a user's calendar holds between two days: their appointments, the MDOs they convene or are invited to,
their tasks' due dates and the plan reviews of the persons whose team they are in.

The selection is who the user is to each item; whether they may still see it is the permission table's answer
at read time (``scheduling.see_in_calendar``, per item: a medical task needs the full file, a person who ended
the relationship drops out). The page and the feed both read through :func:`calendar_entries`.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.decisions import decide_many, remembered, remembering_decisions
from careweave.access.permissions import check
from careweave.careplans.models import CarePlan, Task, TeamMember
from careweave.consultations.models import Consultation
from careweave.people.models import Person
from careweave.scheduling.models import Appointment

KINDS = ("appointment", "mdo", "task", "review")


@dataclass
class Entry:
    """One item in a calendar: timed (appointments, MDOs) or for a whole day (due dates, reviews)."""

    kind: str
    uid: str
    start: datetime | date
    end: datetime | date | None
    all_day: bool
    title: str
    private_title: str
    person: Person
    url: str
    place: str = ""
    status: str = ""
    status_label: str = ""
    cancelled: bool = False
    version: int = 1
    obj: Any = None

    @property
    def day(self) -> date:
        return self.start if self.all_day else timezone.localdate(self.start)

    @property
    def sort_key(self) -> tuple:
        moment = self.start if not self.all_day else datetime.combine(self.start, time.min)
        if timezone.is_aware(moment):
            moment = timezone.make_naive(timezone.localtime(moment))
        # per day: appointments and MDOs by time first, then due dates and reviews (a busy day's many due
        # tasks must not push the home visit out of sight)
        return (moment.date(), self.all_day, moment, self.kind, self.uid)


def initials(person: Person) -> str:
    """``M.P.``: enough for the reader to tell their appointments apart, nothing about health."""
    parts = [p for p in (person.given_name, person.family_name) if p]
    return "".join(f"{p.strip()[0].upper()}." for p in parts if p.strip())


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(first, time.min)),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)))


def _appointments(user: Any, low: datetime, high: datetime) -> list[Entry]:
    mine = (Q(members__professional__user=user) | Q(members__related_person__user=user) | Q(created_by=user)
            | Q(with_person=True, person__user=user))
    ids = Appointment.objects.filter(mine, start__lt=high, end__gt=low).values("pk")
    out = []
    for a in Appointment.objects.filter(pk__in=ids).select_related("person"):
        name = str(a.person)
        out.append(Entry(
            "appointment", f"appointment-{a.fhir_id}", a.start, a.end, False,
            f"{a.get_kind_display().capitalize()}: {name}", _("Appointment"), a.person,
            reverse("scheduling:appointment", args=[a.fhir_id]), a.place, a.status, a.get_status_display(),
            a.status == Appointment.Status.CANCELLED, a.version, a,
        ))
    return out


def _mdos(user: Any, low: datetime, high: datetime) -> list[Entry]:
    mine = (Q(participants__member__professional__user=user) | Q(participants__member__related_person__user=user)
            | Q(convened_by=user) | Q(participants__member__isnull=True, participants__isnull=False, person__user=user))
    ids = (Consultation.objects.filter(mine, start__lt=high, start__gte=low - timedelta(hours=12))
           .exclude(status=Consultation.Status.PROPOSED).values("pk"))
    out = []
    for c in Consultation.objects.filter(pk__in=ids).select_related("person"):
        end = c.end or c.start + timedelta(hours=1)
        if end <= low:
            continue
        out.append(Entry(
            "mdo", f"mdo-{c.fhir_id}", c.start, end, False, _("MDO: %(name)s") % {"name": c.person},
            _("MDO"), c.person, reverse("consultations:detail", args=[c.fhir_id]), c.location, c.status,
            c.get_status_display(), c.status == Consultation.Status.CANCELLED, c.version, c,
        ))
    return out


def _tasks(user: Any, first: date, last: date) -> list[Entry]:
    mine = (Q(assignee__professional__user=user) | Q(assignee__related_person__user=user)
            | Q(assigned_to_person=True, plan__person__user=user))
    qs = (Task.objects.filter(mine, due_date__gte=first, due_date__lte=last, status__in=Task.OPEN_STATUSES)
          .select_related("plan__person"))
    out = []
    for t in qs:
        person = t.plan.person
        out.append(Entry(
            "task", f"task-{t.fhir_id}", t.due_date, t.due_date + timedelta(days=1), True,
            _("Task due: %(task)s (%(name)s)") % {"task": t.description[:80], "name": person}, _("Task due"),
            person, reverse("web:plan", args=[person.fhir_id]) + f"#task-{t.pk}", "", t.status,
            t.get_status_display(), False, t.version, t,
        ))
    return out


def _reviews(user: Any, first: date, last: date) -> list[Entry]:
    teams = TeamMember.objects.filter(
        Q(professional__user=user) | Q(related_person__user=user), status=TeamMember.Status.ACTIVE
    ).values("team__person")
    qs = (CarePlan.objects.filter(Q(person__in=teams) | Q(person__user=user), review_date__gte=first,
                                  review_date__lte=last)
          .exclude(status__in=[CarePlan.Status.COMPLETED, CarePlan.Status.REVOKED]).select_related("person"))
    out = []
    for p in qs:
        out.append(Entry(
            "review", f"review-{p.fhir_id}-{p.review_date:%Y%m%d}", p.review_date,
            p.review_date + timedelta(days=1), True, _("Plan review: %(name)s") % {"name": p.person},
            _("Plan review"), p.person, reverse("web:plan", args=[p.person.fhir_id]), "", p.status,
            p.get_status_display(), False, p.version, p,
        ))
    return out


def calendar_entries(user: Any, first: date, last: date) -> list[Entry]:
    """Everything of the user's calendar from ``first`` to ``last`` (included) they may see now, in order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    low, high = _bounds(first, last)
    found = _appointments(user, low, high) + _mdos(user, low, high) + _tasks(user, first, last) + \
        _reviews(user, first, last)
    with nullcontext() if remembered() is not None else remembering_decisions():
        decide_many(user, {e.person.pk: e.person for e in found}.values())
        shown = [e for e in found if check(user, "scheduling.see_in_calendar", e.obj, person=e.person)[0]]
    return sorted(shown, key=lambda e: e.sort_key)
