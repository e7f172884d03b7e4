"""``decide_many`` gives every person of a page the answer ``decide`` gives alone, in a fixed number of
queries, and a request remembers decisions only while nothing can change them (issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - shared fixtures

from careweave.access.decisions import decide, decide_many, remembering_decisions
from careweave.access.models import AccessRule, BreakGlass, Level
from careweave.careplans import actions
from careweave.people.models import Person

USERS = ("person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "stranger", "zonestaff",
         "admin")


@pytest.fixture
def situations(cast):  # noqa: ANN001, ANN201, F811
    """Every basis at once: a refusal, a consent, emergency access, besides the cast's team, proxy and case
    management."""
    AccessRule.objects.create(person=cast.maria, professional=cast.social, level=Level.NONE)
    AccessRule.objects.create(person=cast.louis, professional=cast.nurse, level=Level.PLAN)
    BreakGlass.objects.create(person=cast.godelieve, user=cast.stranger.user, reason="Bewusteloos gevonden",
                              expires_at=timezone.now() + timedelta(hours=1))
    return cast


@pytest.mark.parametrize("username", USERS)
def test_decide_many_answers_as_decide_does(situations, username):  # noqa: ANN001
    user = User.objects.get(username=username)
    persons = list(Person.objects.all())
    alone = {p.pk: decide(user, p) for p in persons}
    with CaptureQueriesContext(connection) as queries:
        together = decide_many(user, persons)
    assert together == alone
    assert len(queries) <= 10, "one query per relationship fact, whatever the number of persons"


def test_the_bases_cover_every_relationship(situations):  # noqa: ANN001
    basis = {u: {p.given_name: d.basis for p, d in ((Person.objects.get(pk=pk), d) for pk, d in
                                                      decide_many(User.objects.get(username=u),
                                                                  Person.objects.all()).items())}
             for u in ("carer", "socialworker", "nurse", "stranger", "casemanager")}
    assert basis["carer"]["Godelieve"] == "proxy" and basis["carer"]["Maria"] == "care_relationship"
    assert basis["socialworker"]["Maria"] == "care_relationship"
    assert decide(User.objects.get(username="socialworker"), situations.maria).level == Level.NONE  # her refusal
    assert basis["nurse"]["Louis"] == "consent"
    assert basis["stranger"]["Godelieve"] == "break_glass" and basis["stranger"]["Maria"] == "none"
    assert basis["casemanager"]["Godelieve"] == "case_management"


def test_an_action_never_uses_a_remembered_decision(situations):  # noqa: ANN001
    """A page remembered that the nurse has no access to Louis's file; adding her to his team changes it."""
    nurse = situations.nurse.user
    with remembering_decisions():
        assert decide(nurse, situations.louis).basis == "consent"
        actions.add_team_member(situations.louis.user, actions.team_for(situations.louis),
                                professional=situations.nurse)
        assert decide(nurse, situations.louis).basis == "care_relationship"
