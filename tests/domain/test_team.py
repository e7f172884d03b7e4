"""C2: the person decides who is in their care team, and the history of who was in it when is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from careweave.careplans.actions import (
    add_team_member,
    approve_team_member,
    decline_team_member,
    members_on,
    remove_team_member,
    team_for,
)
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CareTeam, TeamMember

pytestmark = pytest.mark.django_db


def _rule(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert str(caught.value).strip(), "a rule violation must explain itself"
    return caught.value


def test_team_for_creates_one_team_and_reuses_it(person):
    team = team_for(person)
    assert team_for(person) == team
    assert CareTeam.objects.filter(person=person).count() == 1


def test_the_person_adds_a_member_who_is_active_at_once(person, team, gp):
    member = add_team_member(person.user, team, professional=gp, role="huisarts")
    assert member.status == TeamMember.Status.ACTIVE
    assert member.added_by == person.user
    assert list(team.active_members()) == [member]


def test_the_representative_adds_a_member_who_is_active_at_once(team, representative, carer):
    member = add_team_member(representative.user, team, related_person=carer)
    assert member.status == TeamMember.Status.ACTIVE


def test_a_professional_in_the_team_only_proposes(person, team, gp, nurse, join):
    join(team, gp)
    proposed = add_team_member(gp.user, team, professional=nurse, reason="wound care")
    assert proposed.status == TeamMember.Status.PROPOSED
    assert nurse not in [m.professional for m in team.active_members()]

    approve_team_member(person.user, proposed)
    proposed.refresh_from_db()
    assert proposed.status == TeamMember.Status.ACTIVE


def test_only_the_person_approves_a_proposal(team, gp, nurse, join):
    join(team, gp)
    proposed = add_team_member(gp.user, team, professional=nurse)
    assert _rule(approve_team_member, gp.user, proposed).rule == "person_decides"
    assert _rule(approve_team_member, nurse.user, proposed).rule == "person_decides"


def test_the_person_declines_a_proposal(person, team, gp, nurse, join):
    join(team, gp)
    proposed = add_team_member(gp.user, team, professional=nurse)
    decline_team_member(person.user, proposed, reason="I already have a nurse")
    proposed.refresh_from_db()
    assert proposed.status == TeamMember.Status.DECLINED
    assert _rule(approve_team_member, person.user, proposed).rule == "not_proposed"


def test_a_stranger_cannot_add_anyone(team, gp, outsider):
    error = _rule(add_team_member, outsider.user, team, professional=gp)
    assert error.rule == "no_access"
    assert not team.members.exists()


def test_an_informal_carer_in_the_team_may_propose_but_not_decide(person, team, carer, gp, join):
    join(team, carer)
    proposed = add_team_member(carer.user, team, professional=gp)
    assert proposed.status == TeamMember.Status.PROPOSED


def test_choose_a_professional_or_an_informal_carer(person, team, gp, carer):
    assert _rule(add_team_member, person.user, team).rule == "member_kind"
    assert _rule(add_team_member, person.user, team, professional=gp, related_person=carer).rule == "member_kind"


def test_a_duplicate_member_is_refused(person, team, gp, carer, join):
    join(team, gp)
    join(team, carer)
    error = _rule(add_team_member, person.user, team, professional=gp)
    assert error.rule == "already_member"
    assert str(gp) in str(error)
    assert _rule(add_team_member, person.user, team, related_person=carer).rule == "already_member"


def test_a_pending_proposal_also_counts_as_duplicate(person, team, gp, nurse, join):
    join(team, gp)
    add_team_member(gp.user, team, professional=nurse)
    assert _rule(add_team_member, person.user, team, professional=nurse).rule == "already_member"


def test_an_informal_carer_of_another_person_is_refused(make_person, make_related, person, team):
    other = make_person("Jozef")
    neighbour_of_other = make_related(other)
    assert _rule(add_team_member, person.user, team, related_person=neighbour_of_other).rule == "member_network"


def test_the_person_removes_a_member(person, team, gp, join):
    member = join(team, gp)
    remove_team_member(person.user, member, reason="moved away")
    member.refresh_from_db()
    assert member.status == TeamMember.Status.ENDED
    assert member.end is not None and member.ended_by == person.user
    assert not team.active_members().exists()


def test_a_member_leaves_by_themselves(team, gp, join):
    member = join(team, gp)
    remove_team_member(gp.user, member)
    member.refresh_from_db()
    assert member.status == TeamMember.Status.ENDED


def test_a_member_cannot_remove_another_member(team, gp, nurse, join):
    join(team, gp)
    nurse_member = join(team, nurse)
    assert _rule(remove_team_member, gp.user, nurse_member).rule == "person_decides"
    nurse_member.refresh_from_db()
    assert nurse_member.status == TeamMember.Status.ACTIVE


def test_an_ended_membership_cannot_be_ended_again(person, team, gp, join):
    member = join(team, gp)
    remove_team_member(person.user, member)
    assert _rule(remove_team_member, person.user, member).rule == "not_member"


def test_members_on_shows_who_was_in_the_team_when(person, team, gp, nurse, join):
    member = join(team, gp)
    gp_start = member.start
    nurse_member = join(team, nurse)
    removed = remove_team_member(person.user, member)
    again = join(team, gp)

    before = gp_start - timedelta(seconds=1)
    during_first = removed.end - timedelta(microseconds=1)
    between = removed.end + (again.start - removed.end) / 2
    now = timezone.now() + timedelta(seconds=1)

    assert members_on(team, before) == []
    assert {m.pk for m in members_on(team, during_first)} == {member.pk, nurse_member.pk}
    assert {m.pk for m in members_on(team, between)} == {nurse_member.pk}
    assert {m.pk for m in members_on(team, now)} == {again.pk, nurse_member.pk}
    periods = team.members.filter(professional=gp).order_by("start")
    assert [p.status for p in periods] == [TeamMember.Status.ENDED, TeamMember.Status.ACTIVE]


def test_members_on_never_lists_a_proposal_that_was_never_agreed(person, team, gp, nurse, join):
    join(team, gp)
    proposed = add_team_member(gp.user, team, professional=nurse)
    remove_team_member(person.user, proposed, reason="not needed after all")
    proposed.refresh_from_db()
    assert proposed.status == TeamMember.Status.DECLINED
    moment = proposed.start + (proposed.end - proposed.start) / 2
    assert nurse not in [m.professional for m in members_on(team, moment)]


def test_every_membership_change_is_a_new_team_version(person, team, gp, nurse, join):
    """Two screens holding the same team must not produce the same version for different contents."""
    start = team.version
    other_copy = CareTeam.objects.get(pk=team.pk)
    join(team, gp)
    join(other_copy, nurse)
    team.refresh_from_db()
    assert team.version == start + 2
