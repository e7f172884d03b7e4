"""The demo's maturity rounds obey the rules the actions enforce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from careweave.demo.maturity import PANEL, load_maturity
from careweave.maturity import actions
from careweave.maturity.aggregation import WORKSHOP_MAX, WORKSHOP_MIN
from careweave.maturity.models import MaturityRound
from careweave.territory.models import Zone, ZoneStaff

pytestmark = pytest.mark.django_db


def test_demo_rounds_are_consistent() -> None:
    zone = Zone.objects.create(code="ZORA", name="ELZ Zora", region=Zone.Region.FLANDERS)
    users = {name: User.objects.create_user(name) for name in PANEL}
    ZoneStaff.objects.create(user=users["zonestaff"], zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    load_maturity(users, datetime(2026, 12, 3, 9, tzinfo=UTC))
    closed, current = MaturityRound.objects.get(year=2025), MaturityRound.objects.get(year=2026)
    assert not closed.is_open and current.is_open and actions.manages(users["zonestaff"], zone)
    for round_ in (closed, current):
        for p in round_.participants.all():
            assert all(0 <= s.score <= 5 for s in p.scores.all())
            if p.submitted:
                assert actions.missing_dimensions(p) == [], p
    nurse = current.participants.get(user=users["nurse"])
    assert not nurse.submitted and len(actions.missing_dimensions(nurse)) == 8
    gp = current.participants.get(user=users["gp"])
    assert gp.reminders.count() == 1 and not nurse.reminders.exists()  # the GP was reminded, the nurse not yet
    workshop = closed.workshops.get()
    assert WORKSHOP_MIN <= workshop.dimensions.count() <= WORKSHOP_MAX
    assert all(d.argument for d in workshop.dimensions.all())
    assert actions.previous_round(current) == closed
    changes = actions.round_stats(current)["readiness_to_change"].mean - actions.round_stats(closed)[
        "readiness_to_change"].mean
    assert changes > 0, "the demo shows progress on dimension 1"
