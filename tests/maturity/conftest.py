"""A zone with its staff, an outsider and a round with three participants (set-up through the models)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import MaturityRound, Participant
from careweave.territory.models import Zone, ZoneStaff


@pytest.fixture
def zone(db) -> Zone:  # noqa: ANN001
    return Zone.objects.create(code="ELZ-MAT", name="ELZ Maturiteit", region=Zone.Region.FLANDERS)


@pytest.fixture
def staff(zone) -> User:  # noqa: ANN001
    user = User.objects.create_user("lotte")
    ZoneStaff.objects.create(user=user, zone=zone, role=ZoneStaff.Role.STAFF)
    return user


@pytest.fixture
def outsider(db) -> User:  # noqa: ANN001
    other = Zone.objects.create(code="ELZ-OTHER", name="ELZ Elders", region=Zone.Region.FLANDERS)
    user = User.objects.create_user("elders")
    ZoneStaff.objects.create(user=user, zone=other, role=ZoneStaff.Role.STAFF)
    return user


@pytest.fixture
def round_(zone, staff) -> MaturityRound:  # noqa: ANN001
    return actions.open_round(staff, zone, 2026)


@pytest.fixture
def invite(round_, staff) -> Callable[[str], Participant]:  # noqa: ANN001
    def make(username: str, organisation: str = "Thuiszorg") -> Participant:
        user = User.objects.create_user(username)
        return actions.invite_participant(staff, round_, user, organisation, "verpleegkundige")

    return make


def fill(participant: Participant, scores: list[int], argument: str = "Omdat het zo is") -> None:
    """Score all twelve dimensions (through the action) and submit."""
    for code, score in zip(codes(), scores, strict=True):
        actions.save_score(participant.user, participant, code, score, f"{argument} ({code})")
    actions.submit_scores(participant.user, participant)
