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


# --------------------------------------------------------------------------- the ten demo roles (issue 17)

ROLES = ("person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff", "physio",
         "admin")


@pytest.fixture
def roles(cast):  # noqa: ANN001, ANN201, F811
    """The demo logins as users: Maria, Jan (her son, informal carer in her team, not her representative), her
    GP, nurse, OCMW social worker (welfare, plan level) and coordinator, a case manager (of Jan's mother), zone
    staff, a physiotherapist without any relationship to Maria, and the platform administrator."""
    from django.contrib.auth.models import User

    from careweave.people.identifiers import make_nihdi
    from careweave.people.models import Discipline, Professional

    physio = User.objects.create_user("physio", first_name="Aylin", last_name="Physio")
    Professional.objects.create(given_name="Aylin", family_name="Physio", discipline=Discipline.PHYSIOTHERAPIST,
                                nihdi=make_nihdi(1, 908, 3), user=physio, zone=cast.zone)
    return {name: User.objects.get(username=name) for name in ROLES}


def assert_row(name: str, target, allowed: set[str], users: dict) -> None:  # noqa: ANN001
    """Each role gets the table's answer for ``name`` on ``target``; every refused role, tried for real through
    ``authorize``, leaves a denied AuditEvent on the person's file naming the row."""
    from careweave.access.models import AuditEvent
    from careweave.access.permissions import authorize, may, person_of
    from careweave.careplans.errors import RuleViolation

    person = person_of(target)
    answers = {role: may(user, name, target) for role, user in users.items()}
    assert {role for role, ok in answers.items() if ok} == allowed, name
    for role, user in users.items():
        if role in allowed:
            continue
        with pytest.raises(RuleViolation):
            authorize(user, name, target)
        denied = AuditEvent.objects.filter(user=user, outcome="denied", reason__startswith=f"{name}:")
        if person is not None:
            denied = denied.filter(person=person)
        assert denied.exists(), f"{role}: no denied audit row for {name}"
