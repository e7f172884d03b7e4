"""Fixtures for the MDO tests: the web tests' cast (Maria's team with GP, nurse, social worker,
coordinator and her son Jan), and a scheduled MDO about Maria."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from web.scenario import Cast, build_cast

from careweave.consultations import actions
from careweave.consultations.models import Consultation
from careweave.web.language import SESSION_KEY


@pytest.fixture
def cast(db, settings) -> Cast:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_cast()


def today_at(hour: int, days: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def scheduled(cast) -> Consultation:  # noqa: ANN001
    """An in-person MDO about Maria today, convened by her coordinator, everyone in the team invited."""
    c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=today_at(0),
                             end=today_at(1), location="Wijkgezondheidscentrum Ninove", reason="Terug thuis")
    actions.invite_to_mdo(cast.coordinator.user, c, cast.team.active_members(), include_person=True)
    c.refresh_from_db()
    return c


@pytest.fixture
def client_for(cast) -> Callable[[str], Client]:  # noqa: ANN001
    def make(username: str, language: str = "en") -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.session
        session[SESSION_KEY] = language
        session.save()
        return client

    return make
