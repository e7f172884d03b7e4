"""The demo logins find notifications in their inbox, visible to them (decision 0030)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from careweave.notifications.inbox import inbox, unread_count

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]
DEMO = {"persons": 60, "seed": 42}


def test_the_demo_logins_have_notifications_they_may_see(demo_zone) -> None:  # noqa: ANN001
    result = demo_zone
    assert result["notifications"]
    for name in ("person", "carer", "gp", "nurse", "coordinator", "socialworker"):
        user = User.objects.get(username=name)
        assert unread_count(user) >= 1, name
    maria_first = [g.person.given_name for g in inbox(User.objects.get(username="nurse"))]
    assert "Maria" in maria_first
