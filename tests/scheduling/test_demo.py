"""The demo shows the calendar: Maria's MDO and a home visit in the same week, in the calendars of her team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from careweave.consultations.models import Consultation
from careweave.scheduling.models import Appointment
from careweave.scheduling.queries import calendar_entries

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]
DEMO = {"persons": 60, "seed": 42}


def test_the_demo_week_holds_marias_mdo_and_home_visit(demo_zone) -> None:  # noqa: ANN001
    mdo = Consultation.objects.get(person__user__username="person", status="scheduled")
    visit = Appointment.objects.get(person__user__username="person", kind="home_visit")
    mdo_day, visit_day = timezone.localdate(mdo.start), timezone.localdate(visit.start)
    assert visit_day >= timezone.localdate() and mdo_day - visit_day <= timedelta(days=1)
    assert mdo_day.isocalendar()[1] == visit_day.isocalendar()[1]  # the same week (Monday first)
    monday = mdo_day - timedelta(days=mdo_day.weekday())
    for username in ("nurse", "person", "carer"):
        seen = {e.obj for e in calendar_entries(User.objects.get(username=username), monday,
                                                monday + timedelta(days=6))}
        assert {mdo, visit} <= seen, username
    # the GP's phone call with Maria (medical): in the GP's and Maria's calendars
    call = Appointment.objects.get(person__user__username="person", kind="phone_call")
    later = timezone.localdate(call.start)
    for username in ("gp", "person"):
        assert call in {e.obj for e in calendar_entries(User.objects.get(username=username), later, later)}
