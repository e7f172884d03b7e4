"""Fixtures for the calendar tests: the web tests' cast (Maria's team: GP, nurse, social worker, coordinator,
her son Jan) with an MDO about Maria and a home visit by the nurse with Jan, both in the coming days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - shared fixtures

from careweave.consultations import actions as mdo_actions
from careweave.consultations.models import Consultation
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment


def at(hour: int, days: int = 0, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def mdo(cast) -> Consultation:  # noqa: ANN001, F811
    """An MDO about Maria tomorrow at 14:00, convened by her coordinator, the whole team and Maria invited."""
    c = mdo_actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=at(14, 1),
                                 end=at(15, 1), location="Wijkgezondheidscentrum Ninove",
                                 reason="Terug thuis na val met heupfractuur")
    mdo_actions.invite_to_mdo(cast.coordinator.user, c, cast.team.active_members(), include_person=True)
    c.refresh_from_db()
    return c


@pytest.fixture
def visit(cast) -> Appointment:  # noqa: ANN001, F811
    """A home visit by the nurse with Jan tomorrow at 10:00 (booked through the action)."""
    return actions.create_appointment(
        cast.nurse.user, cast.maria, kind=Appointment.Kind.HOME_VISIT, start=at(10, 1), end=at(10, 1, 45),
        place="Kerkstraat 12, Ninove", note="Wondzorg na heupoperatie",
        members=[cast.member(cast.nurse), cast.member(related=cast.jan)],
    )
