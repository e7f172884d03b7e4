"""C4: care-and-welfare coordination is a role inside the team, held with the person's agreement."""

from __future__ import annotations

import pytest
from domain_helpers import refused as _rule

from careweave.careplans.actions import (
    accept_coordination,
    active_coordination,
    add_team_member,
    agree_to_coordinator,
    assign_coordinator,
    end_coordination,
    hand_back_coordination,
    refuse_coordinator,
    remove_team_member,
    take_on_coordination,
    team_for,
)
from careweave.careplans.models import CoordinationEpisode

pytestmark = pytest.mark.django_db

Status = CoordinationEpisode.Status
Initiator = CoordinationEpisode.Initiator
EndReason = CoordinationEpisode.EndReason


def _reload(episode: CoordinationEpisode) -> CoordinationEpisode:
    return CoordinationEpisode.objects.get(pk=episode.pk)


# --- who may hold the role ------------------------------------------------------------------------


def test_a_professional_taking_it_on_still_needs_the_persons_agreement(person, team, members, nurse):
    episode = take_on_coordination(nurse.user, team, reason="many carers, little overview")
    assert episode.status == Status.PROPOSED
    assert episode.coordinator == members["nurse"]
    assert episode.initiated_by == Initiator.TEAM
    assert episode.accepted_by_coordinator_at is not None and episode.agreed_at is None
    assert active_coordination(team) is None

    agree_to_coordinator(person.user, episode)
    episode = _reload(episode)
    assert episode.status == Status.ACTIVE and episode.started_at is not None
    assert episode.agreed_by == person.user
    assert episode.reimbursable, "coordination by a professional is reimbursable"
    assert active_coordination(team) == episode


def test_the_representative_may_agree_in_the_persons_name(team, members, nurse, representative):
    episode = take_on_coordination(nurse.user, team)
    agree_to_coordinator(representative.user, episode)
    assert _reload(episode).status == Status.ACTIVE


@pytest.mark.parametrize("who", ["gp", "nurse", "carer"])
def test_only_the_person_or_representative_agrees(request, team, members, nurse, who):
    episode = take_on_coordination(nurse.user, team)
    actor = request.getfixturevalue(who).user
    assert _rule(agree_to_coordinator, actor, episode).rule == "person_decides"
    assert _rule(refuse_coordinator, actor, episode).rule == "person_decides"
    assert _reload(episode).status == Status.PROPOSED


def test_a_proposal_by_a_team_member_waits_for_both_the_coordinator_and_the_person(person, team, members, gp, nurse):
    episode = assign_coordinator(gp.user, team, members["nurse"], reason="wound care is the main need")
    assert episode.status == Status.PROPOSED
    assert episode.initiated_by == Initiator.TEAM
    assert episode.accepted_by_coordinator_at is None and episode.agreed_at is None

    agree_to_coordinator(person.user, episode)
    assert _reload(episode).status == Status.PROPOSED, "the nurse has not accepted yet"

    assert _rule(accept_coordination, gp.user, _reload(episode)).rule == "not_the_coordinator"
    accept_coordination(nurse.user, _reload(episode))
    assert _reload(episode).status == Status.ACTIVE


def test_the_coordinator_may_accept_before_the_person_agrees(person, team, members, gp, nurse):
    episode = assign_coordinator(gp.user, team, members["nurse"])
    accept_coordination(nurse.user, episode)
    assert _reload(episode).status == Status.PROPOSED
    agree_to_coordinator(person.user, _reload(episode))
    assert _reload(episode).status == Status.ACTIVE


def test_the_person_proposing_a_professional_only_waits_for_the_professional(person, team, members, nurse):
    episode = assign_coordinator(person.user, team, members["nurse"])
    assert episode.initiated_by == Initiator.PERSON
    assert episode.agreed_at is not None and episode.status == Status.PROPOSED
    accept_coordination(nurse.user, episode)
    assert _reload(episode).status == Status.ACTIVE


def test_the_representative_proposing_is_recorded_as_such(team, members, representative):
    episode = assign_coordinator(representative.user, team, members["gp"])
    assert episode.initiated_by == Initiator.REPRESENTATIVE


def test_the_coordinator_must_be_an_active_team_member(make_person, make_professional, person, team, members, join):
    other_team = team_for(make_person("Jozef"))
    foreign = join(other_team, make_professional())
    assert _rule(assign_coordinator, person.user, team, foreign).rule == "coordinator_not_member"

    remove_team_member(person.user, members["social_worker"])
    members["social_worker"].refresh_from_db()
    assert _rule(assign_coordinator, person.user, team, members["social_worker"]).rule == "coordinator_not_member"


def test_a_proposed_member_cannot_be_coordinator_yet(team, members, gp, make_professional):
    proposed = add_team_member(gp.user, team, professional=make_professional())
    assert _rule(assign_coordinator, gp.user, team, proposed).rule == "coordinator_not_member"


def test_someone_outside_the_team_cannot_take_it_on(person, team, members, outsider):
    assert _rule(take_on_coordination, outsider.user, team).rule == "no_access"
    assert not team.coordination_episodes.exists()


def test_the_person_coordinating_themselves_starts_at_once_and_is_not_reimbursable(person, team):
    episode = take_on_coordination(person.user, team)
    assert episode.status == Status.ACTIVE
    assert episode.held_by_person and episode.coordinator is None
    assert episode.initiated_by == Initiator.PERSON
    assert not episode.reimbursable


def test_an_informal_carer_as_coordinator_is_not_reimbursable(person, team, members, carer):
    episode = take_on_coordination(carer.user, team)
    assert episode.status == Status.PROPOSED and not episode.reimbursable
    agree_to_coordinator(person.user, episode)
    episode = _reload(episode)
    assert episode.status == Status.ACTIVE and not episode.reimbursable


def test_the_representative_in_the_team_coordinating_starts_at_once(team, members, representative, join):
    join(team, representative)
    episode = take_on_coordination(representative.user, team)
    assert episode.status == Status.ACTIVE
    assert not episode.reimbursable
    assert episode.initiated_by == Initiator.REPRESENTATIVE


def test_the_same_proposal_twice_is_refused(team, members, nurse):
    take_on_coordination(nurse.user, team)
    assert _rule(take_on_coordination, nurse.user, team).rule == "coordination_exists"


def test_an_unknown_initiator_is_refused(team, members, nurse):
    assert _rule(take_on_coordination, nurse.user, team, initiated_by="mayor").rule == "initiator"


def test_a_refused_coordinator_stays_in_the_record(person, team, members, nurse):
    episode = take_on_coordination(nurse.user, team)
    refuse_coordinator(person.user, episode, reason="I prefer my GP")
    episode = _reload(episode)
    assert episode.status == Status.REFUSED and "I prefer my GP" in episode.reason
    assert _rule(agree_to_coordinator, person.user, episode).rule == "not_proposed"


# --- hand-over and ending ---------------------------------------------------------------------------


@pytest.fixture
def coordinated(person, team, members, nurse) -> CoordinationEpisode:  # noqa: ANN001
    episode = take_on_coordination(nurse.user, team)
    agree_to_coordinator(person.user, episode)
    return _reload(episode)


def test_a_second_coordinator_taking_over_ends_the_first(person, team, coordinated, gp):
    second = take_on_coordination(gp.user, team)
    assert _reload(coordinated).status == Status.ACTIVE, "the hand-over waits for the person"
    agree_to_coordinator(person.user, second)
    first = _reload(coordinated)
    assert first.status == Status.ENDED and first.end_reason == EndReason.HANDED_OVER
    assert active_coordination(team) == _reload(second)
    assert team.coordination_episodes.filter(status=Status.ACTIVE).count() == 1


def test_the_person_taking_over_ends_the_professionals_coordination(person, team, coordinated):
    mine = take_on_coordination(person.user, team)
    assert mine.status == Status.ACTIVE
    assert _reload(coordinated).end_reason == EndReason.HANDED_OVER


def test_ending_needs_a_valid_reason(person, coordinated):
    assert _rule(end_coordination, person.user, coordinated, "").rule == "end_reason"
    assert _rule(end_coordination, person.user, coordinated, "bored").rule == "end_reason"
    assert _reload(coordinated).status == Status.ACTIVE


@pytest.mark.parametrize("who", ["gp", "carer", "outsider"])
def test_only_the_coordinator_or_the_person_ends_it(request, coordinated, who):
    actor = request.getfixturevalue(who).user
    assert _rule(end_coordination, actor, coordinated, EndReason.NEEDS_FADED).rule == "end_coordination_by"
    assert _reload(coordinated).status == Status.ACTIVE


def test_the_person_ends_it_when_needs_fade(person, coordinated):
    ended = end_coordination(person.user, coordinated, EndReason.NEEDS_FADED)
    assert ended.status == Status.ENDED and ended.ended_by == person.user and ended.ended_at
    assert _rule(end_coordination, person.user, ended, EndReason.NEEDS_FADED).rule == "not_active"


def test_the_coordinator_hands_the_role_back(team, coordinated, nurse):
    hand_back_coordination(nurse.user, coordinated)
    assert _reload(coordinated).end_reason == EndReason.HANDED_BACK
    assert active_coordination(team) is None


def test_a_coordinator_who_leaves_the_team_ends_the_episode(team, coordinated, members, nurse):
    remove_team_member(nurse.user, members["nurse"])
    episode = _reload(coordinated)
    assert episode.status == Status.ENDED and episode.end_reason == EndReason.LEFT_TEAM
    assert active_coordination(team) is None


def test_a_pending_proposal_ends_when_the_proposed_member_is_removed(person, team, members, nurse):
    episode = take_on_coordination(nurse.user, team)
    remove_team_member(person.user, members["nurse"])
    assert _reload(episode).status == Status.ENDED
    assert _reload(episode).end_reason == EndReason.LEFT_TEAM
