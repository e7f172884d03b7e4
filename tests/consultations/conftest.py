"""Fixtures for the MDO tests: the web tests' cast and clients (Maria's team with GP, nurse, social worker,
coordinator and her son Jan), and a scheduled MDO about Maria."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - shared fixtures

from careweave.consultations import actions
from careweave.consultations.models import Consultation


def today_at(hour: int, days: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def scheduled(cast) -> Consultation:  # noqa: ANN001, F811
    """An in-person MDO about Maria today, convened by her coordinator, everyone in the team invited."""
    c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=today_at(0),
                             end=today_at(1), location="Wijkgezondheidscentrum Ninove", reason="Terug thuis")
    actions.invite_to_mdo(cast.coordinator.user, c, cast.team.active_members(), include_person=True)
    c.refresh_from_db()
    return c
