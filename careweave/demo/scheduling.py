"""Appointments in the demo zone (issue 21), booked through the scheduling actions (decision 0003).

For Maria: a home visit by her home nurse with Jan (her son, the carer) in the week of her MDO, and a phone
call with her GP a few days later, so the calendar of the person, carer, nurse and GP shows the MDO and an
appointment side by side. Dates are relative to today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from careweave.access.permissions import may
from careweave.careplans.models import TeamMember
from careweave.consultations.models import Consultation
from careweave.people.models import Person
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def home_visit_day(mdo_day: date) -> date:
    """The day before the MDO when that is in the same week (Monday first), else the MDO's own day."""
    before = mdo_day - timedelta(days=1)
    return before if before.weekday() < mdo_day.weekday() and before >= timezone.localdate() else mdo_day


def load_scheduling(users: dict[str, User], now: datetime) -> dict[str, Any]:
    maria = Person.objects.filter(user=users.get("person")).first()
    nurse, gp, carer = users.get("nurse"), users.get("gp"), users.get("carer")
    if maria is None or nurse is None or not may(nurse, "scheduling.create_appointment", maria):
        return {}
    members = {m.user.username: m for m in TeamMember.objects.filter(team__person=maria,
                                                                       status=TeamMember.Status.ACTIVE)
               .select_related("professional__user", "related_person__user") if m.user is not None}
    mdo = Consultation.objects.filter(person=maria, start__isnull=False).order_by("start").first()
    today = timezone.localdate()
    mdo_day = timezone.localdate(mdo.start) if mdo else today + timedelta(days=2)
    day = home_visit_day(mdo_day)
    actions.create_appointment(
        nurse, maria, kind=Appointment.Kind.HOME_VISIT, start=_at(day, 10), end=_at(day, 10, 45),
        place="Thuis, Kerkstraat 12, Ninove",
        note="Wondzorg en afspraken voor de week overlopen met Jan.",
        members=[m for key, m in members.items() if key in ("nurse", getattr(carer, "username", ""))],
    )
    if gp is not None and may(gp, "scheduling.create_appointment", maria):
        call = mdo_day + timedelta(days=3)
        actions.create_appointment(
            gp, maria, kind=Appointment.Kind.PHONE_CALL, start=_at(call, 13, 30), end=_at(call, 13, 45),
            note="Opvolging medicatie na ontslag.", is_medical=True,
            members=[m for key, m in members.items() if key == "gp"],
        )
    return {"appointments": Appointment.objects.filter(person=maria).count()}
