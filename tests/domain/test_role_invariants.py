"""C4 as properties: whatever sequence of actions a small cast tries, the role rules hold after every step.

Each generated sequence runs in a savepoint that is rolled back afterwards, so one database
cast serves every example. Refused steps (``RuleViolation``) are part of the game; anything else
raised (an IntegrityError, a crash) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from careweave.careplans.actions import (
    accept_coordination,
    add_team_member,
    agree_to_coordinator,
    appoint_case_manager,
    approve_team_member,
    assign_coordinator,
    end_case_management,
    end_coordination,
    remove_team_member,
    ring_the_bell,
    take_on_coordination,
    team_for,
)
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CaseManagementEpisode, CoordinationEpisode, TeamMember
from careweave.careplans.models.coordination import Trigger
from careweave.people.models import Professional, RelatedPerson

pytestmark = pytest.mark.django_db

MEMBERS = ["gp", "nurse", "carer", "cm1"]
ACTORS = ["person", *MEMBERS]
CASE_MANAGERS = ["cm1", "cm2"]

steps = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("add"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("propose"), st.sampled_from(ACTORS), st.sampled_from(MEMBERS)),
    st.tuples(st.just("approve"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("remove"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("leave"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("take_on"), st.sampled_from(ACTORS)),
    st.tuples(st.just("take_on"), st.sampled_from(["nurse", "gp", "carer"])),
    st.tuples(st.just("assign"), st.sampled_from(ACTORS), st.sampled_from(MEMBERS)),
    st.tuples(st.just("accept"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("agree"), st.sampled_from(["person", "person", "gp", "carer"])),
    st.tuples(st.just("agree"), st.just("person")),
    st.tuples(st.just("end_coordination"), st.sampled_from(["person", "nurse", "gp", "carer"])),
    st.tuples(st.just("appoint"), st.sampled_from(CASE_MANAGERS)),
    st.tuples(st.just("end_case_management"), st.sampled_from(["person", *CASE_MANAGERS])),
)


@pytest.fixture
def cast(person, gp, nurse, social_worker, carer, make_case_manager, zone_staff) -> dict:  # noqa: ANN001
    return {
        "person": person,
        "gp": gp,
        "nurse": nurse,
        "social_worker": social_worker,
        "carer": carer,
        "cm1": make_case_manager(),
        "cm2": make_case_manager(),
        "zone_staff": zone_staff,
    }


def _membership(team, who) -> TeamMember | None:  # noqa: ANN001
    key = "professional" if isinstance(who, Professional) else "related_person"
    return (
        team.members.filter(**{key: who}, status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED])
        .order_by("-pk")
        .first()
    )


def _run(step: tuple, cast: dict, record: Callable[[str], None] = lambda _: None) -> None:
    """Try one step. A step that needs something absent (no membership, no open proposal) is skipped;
    a refusal must be a RuleViolation with a code and a message; anything else fails the test."""
    person = cast["person"]
    team = team_for(person)
    kind, *args = step
    user = cast[args[0]].user if args else None
    who = cast[args[-1]] if args else None
    key = "professional" if isinstance(who, Professional) else "related_person"
    membership = _membership(team, who) if isinstance(who, (Professional, RelatedPerson)) else None
    proposals = team.coordination_episodes.filter(status=CoordinationEpisode.Status.PROPOSED).order_by("-pk")
    own_proposal = proposals.filter(coordinator=membership).first() if membership else None
    active = team.coordination_episodes.filter(status=CoordinationEpisode.Status.ACTIVE).first()
    case_management = person.case_management_episodes.filter(status=CaseManagementEpisode.Status.ACTIVE).first()
    needs = {
        "approve": membership,
        "remove": membership,
        "leave": membership,
        "assign": membership,
        "accept": own_proposal,
        "agree": proposals.first(),
        "end_coordination": active,
        "end_case_management": case_management,
    }
    if kind in needs and needs[kind] is None:
        record(f"skipped: {kind}")
        return
    actions: dict[str, Callable[[], object]] = {
        "add": lambda: add_team_member(person.user, team, **{key: who}),
        "propose": lambda: add_team_member(user, team, **{key: who}),
        "approve": lambda: approve_team_member(person.user, membership),
        "remove": lambda: remove_team_member(person.user, membership),
        "leave": lambda: remove_team_member(who.user, membership),
        "take_on": lambda: take_on_coordination(user, team),
        "assign": lambda: assign_coordinator(user, team, membership),
        "accept": lambda: accept_coordination(who.user, own_proposal),
        "agree": lambda: agree_to_coordinator(user, proposals.first()),
        "end_coordination": lambda: end_coordination(user, active, CoordinationEpisode.EndReason.NEEDS_FADED),
        "appoint": lambda: appoint_case_manager(
            cast["zone_staff"], ring_the_bell(person.user, person, [Trigger.OWN_REQUEST]), who
        ),
        "end_case_management": lambda: end_case_management(
            user, case_management, CaseManagementEpisode.EndReason.STABILISED
        ),
    }
    try:
        actions[kind]()
        record(f"done: {kind}")
    except RuleViolation as refused:
        assert refused.rule and str(refused)
        record(f"refused: {refused.rule}")


def _check_invariants(cast: dict) -> None:
    person = cast["person"]
    team = team_for(person)
    active = list(team.coordination_episodes.filter(status=CoordinationEpisode.Status.ACTIVE))
    assert len(active) <= 1, "at most one active coordinator per team"
    for episode in active:
        if episode.held_by_person:
            assert episode.coordinator is None and not episode.reimbursable
        else:
            assert episode.coordinator.status == TeamMember.Status.ACTIVE, "the coordinator is an active member"
            assert episode.coordinator.team_id == team.pk
            assert episode.reimbursable == (not episode.coordinator.is_informal)
            assert episode.accepted_by_coordinator_at and episode.agreed_at, "both agreed before it started"

    case_management = list(person.case_management_episodes.filter(status=CaseManagementEpisode.Status.ACTIVE))
    assert len(case_management) <= 1, "at most one active case manager per person"
    for episode in case_management:
        in_team = team.members.filter(
            professional=episode.case_manager, status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED]
        )
        assert not in_team.exists(), "a case manager is never in the team"
        assert not any(e.coordinator and e.coordinator.professional_id == episode.case_manager_id for e in active)

    for member in team.members.filter(status=TeamMember.Status.ACTIVE):
        periods = team.members.filter(
            professional=member.professional,
            related_person=member.related_person,
            status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED],
        )
        assert periods.count() == 1, "nobody is in the team twice at once"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(with_team=st.booleans(), sequence=st.lists(steps, min_size=5, max_size=30))
def test_role_rules_hold_after_every_step(cast, with_team, sequence):
    prefix = [("add", "gp"), ("add", "nurse"), ("add", "carer")] if with_team else []
    with transaction.atomic():
        for step in prefix + sequence:
            _run(step, cast, event)
            _check_invariants(cast)
        transaction.set_rollback(True)


def test_a_scripted_story_keeps_the_rules(cast):
    """One long, meaningful story through the same machinery (a regression anchor)."""
    story = [
        ("add", "gp"), ("add", "nurse"), ("add", "carer"), ("take_on", "nurse"), ("agree", "person"),
        ("appoint", "cm1"), ("add", "cm1"), ("take_on", "cm1"), ("assign", "cm1", "gp"), ("accept", "gp"),
        ("agree", "person"), ("remove", "gp"), ("end_case_management", "cm1"), ("add", "cm1"),
        ("appoint", "cm1"), ("appoint", "cm2"), ("take_on", "person"),
    ]  # fmt: skip
    for step in story:
        _run(step, cast)
        _check_invariants(cast)
    team = team_for(cast["person"])
    assert team.members.filter(professional=cast["cm1"], status=TeamMember.Status.ACTIVE).exists()
    assert cast["person"].case_management_episodes.get(status="active").case_manager == cast["cm2"]
    assert team.coordination_episodes.get(status="active").held_by_person
    assert list(
        team.coordination_episodes.filter(status="ended").order_by("pk").values_list("end_reason", flat=True)
    ) == [CoordinationEpisode.EndReason.HANDED_OVER, CoordinationEpisode.EndReason.LEFT_TEAM]
