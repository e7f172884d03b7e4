"""C4: case management comes from outside the team, via the zone's contact point, and may recur."""

from __future__ import annotations

from datetime import date

import pytest
from domain_helpers import refused as _rule

from careweave.careplans.actions import (
    accept_coordination,
    active_case_management,
    active_coordination,
    add_team_member,
    agree_to_coordinator,
    appoint_case_manager,
    assign_coordinator,
    decline_case_management,
    end_case_management,
    register_training,
    remove_team_member,
    ring_the_bell,
    take_on_coordination,
    zone_capacity,
)
from careweave.careplans.models import (
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    TeamMember,
    TrainingRecord,
)
from careweave.careplans.models.coordination import Trigger
from careweave.territory.models import ZoneStaff

pytestmark = pytest.mark.django_db

EndReason = CaseManagementEpisode.EndReason


@pytest.fixture
def members(team, gp, nurse, carer, join) -> dict:  # noqa: ANN001
    return {"gp": join(team, gp), "nurse": join(team, nurse), "carer": join(team, carer)}


@pytest.fixture
def bell(person, members, gp) -> CaseManagementRequest:  # noqa: ANN001
    return ring_the_bell(gp.user, person, [Trigger.UNSTABLE_COMPLEX, Trigger.CARE_REFUSAL], "Refuses meals")


@pytest.fixture
def appointed(bell, case_manager, zone_staff) -> CaseManagementEpisode:  # noqa: ANN001
    return appoint_case_manager(zone_staff, bell, case_manager, note="complex situation")


# --- ringing the bell ----------------------------------------------------------------------------


def test_ringing_the_bell_reaches_the_persons_zone(person, zone, bell, gp):
    assert bell.status == CaseManagementRequest.Status.OPEN
    assert bell.zone == zone and bell.reported_by == gp.user
    assert bell.triggers == [Trigger.UNSTABLE_COMPLEX, Trigger.CARE_REFUSAL]
    assert bell.reporter_role == f"discipline:{gp.discipline}"  # a code, shown in the reader's language
    assert len(bell.trigger_labels()) == 2


def test_the_person_may_ring_the_bell_themselves(person):
    request = ring_the_bell(person.user, person, [Trigger.OWN_REQUEST, Trigger.OWN_REQUEST])
    assert request.triggers == [Trigger.OWN_REQUEST], "a reason given twice counts once"


def test_a_coordinator_may_ring_the_bell(person, team, members, nurse):
    episode = take_on_coordination(nurse.user, team)
    agree_to_coordinator(person.user, episode)
    request = ring_the_bell(nurse.user, person, [Trigger.COORDINATION_FAILED])
    assert request.reported_by == nurse.user


def test_at_least_one_reason(person):
    assert _rule(ring_the_bell, person.user, person, []).rule == "trigger_required"


def test_only_known_reasons(person):
    error = _rule(ring_the_bell, person.user, person, [Trigger.OWN_REQUEST, "boredom"])
    assert error.rule == "trigger_unknown" and "boredom" in str(error)


def test_a_zone_is_needed(person, other_zone):
    person.zone = None
    person.save()
    assert _rule(ring_the_bell, person.user, person, [Trigger.OWN_REQUEST]).rule == "zone_required"
    assert ring_the_bell(person.user, person, [Trigger.OWN_REQUEST], zone=other_zone).zone == other_zone


def test_a_stranger_cannot_ring_the_bell_for_someone(person, outsider):
    assert _rule(ring_the_bell, outsider.user, person, [Trigger.UNSTABLE_COMPLEX]).rule == "no_access"
    assert not CaseManagementRequest.objects.exists()


# --- appointment -------------------------------------------------------------------------------------


def test_zone_staff_appoint_a_trained_case_manager(person, bell, appointed, case_manager, zone_staff):
    assert appointed.status == CaseManagementEpisode.Status.ACTIVE
    assert appointed.case_manager == case_manager and appointed.appointed_by == zone_staff
    bell.refresh_from_db()
    assert bell.status == CaseManagementRequest.Status.APPOINTED and bell.decided_by == zone_staff
    assert active_case_management(person) == appointed


@pytest.mark.parametrize("who", ["gp", "person", "representative"])
def test_the_care_team_and_the_person_do_not_appoint(request, bell, case_manager, who):
    actor = request.getfixturevalue(who).user
    assert _rule(appoint_case_manager, actor, bell, case_manager).rule == "appointed_by_zone"


def test_staff_of_another_zone_do_not_appoint(make_user, other_zone, bell, case_manager):
    elsewhere = make_user()
    ZoneStaff.objects.create(user=elsewhere, zone=other_zone, role=ZoneStaff.Role.CONTACT_POINT)
    assert _rule(appoint_case_manager, elsewhere, bell, case_manager).rule == "appointed_by_zone"


def test_policy_makers_of_the_zone_do_not_appoint(make_user, zone, bell, case_manager):
    policy = make_user()
    ZoneStaff.objects.create(user=policy, zone=zone, role=ZoneStaff.Role.POLICY)
    assert _rule(appoint_case_manager, policy, bell, case_manager).rule == "appointed_by_zone"


def test_a_superuser_is_not_a_zone_actor(make_user, bell, case_manager):
    admin = make_user(is_superuser=True, is_staff=True)
    assert _rule(appoint_case_manager, admin, bell, case_manager).rule == "appointed_by_zone"


def test_the_case_manager_must_be_trained_in_that_zone(
    make_case_manager, make_professional, other_zone, bell, zone_staff, zone
):
    trained_elsewhere = make_case_manager(in_zone=other_zone)
    assert _rule(appoint_case_manager, zone_staff, bell, trained_elsewhere).rule == "case_manager_trained"
    untrained = make_professional()
    error = _rule(appoint_case_manager, zone_staff, bell, untrained)
    assert error.rule == "case_manager_trained" and str(zone) in str(error)
    coordinator_only = make_professional()
    TrainingRecord.objects.create(
        professional=coordinator_only,
        function=TrainingRecord.Function.COORDINATOR,
        zone=zone,
        trained_on=date(2025, 1, 1),
    )
    assert _rule(appoint_case_manager, zone_staff, bell, coordinator_only).rule == "case_manager_trained"


def test_the_case_manager_must_have_room_in_their_caseload(make_person, make_case_manager, zone_staff):
    busy = make_case_manager(capacity=1)
    first, second = make_person("Jozef"), make_person("Lea")
    appoint_case_manager(zone_staff, ring_the_bell(first.user, first, [Trigger.OWN_REQUEST]), busy)
    request = ring_the_bell(second.user, second, [Trigger.OWN_REQUEST])
    error = _rule(appoint_case_manager, zone_staff, request, busy)
    assert error.rule == "case_manager_capacity" and "1" in str(error)


def test_a_current_team_member_is_never_the_case_manager(person, team, bell, make_case_manager, zone_staff, join, gp):
    in_team = make_case_manager()
    join(team, in_team)
    assert _rule(appoint_case_manager, zone_staff, bell, in_team).rule == "case_manager_not_in_team"
    proposed = make_case_manager()
    add_team_member(gp.user, team, professional=proposed)
    assert _rule(appoint_case_manager, zone_staff, bell, proposed).rule == "case_manager_not_in_team"


def test_a_former_team_member_may_become_case_manager(person, team, bell, make_case_manager, zone_staff, join):
    former = make_case_manager()
    remove_team_member(person.user, join(team, former))
    assert appoint_case_manager(zone_staff, bell, former).case_manager == former


def test_only_one_active_case_manager_at_a_time(person, appointed, make_case_manager, zone_staff):
    again = ring_the_bell(person.user, person, [Trigger.OWN_REQUEST])
    error = _rule(appoint_case_manager, zone_staff, again, make_case_manager())
    assert error.rule == "case_management_active"
    assert CaseManagementEpisode.objects.filter(person=person, status="active").count() == 1


def test_a_decided_request_is_closed(appointed, bell, make_case_manager, zone_staff):
    bell.refresh_from_db()
    assert _rule(appoint_case_manager, zone_staff, bell, make_case_manager()).rule == "request_closed"
    assert _rule(decline_case_management, zone_staff, bell, "not needed").rule == "request_closed"


def test_the_zone_may_decide_it_is_not_needed_with_a_reason(bell, zone_staff, gp):
    assert _rule(decline_case_management, zone_staff, bell, "  ").rule == "decline_reason"
    assert _rule(decline_case_management, gp.user, bell, "no").rule == "appointed_by_zone"
    declined = decline_case_management(zone_staff, bell, "Coordination by the GP suffices")
    assert declined.status == CaseManagementRequest.Status.DECLINED


# --- a case manager stays outside the team -----------------------------------------------------------


def test_a_case_manager_cannot_be_added_to_the_team(person, team, appointed, case_manager):
    error = _rule(add_team_member, person.user, team, professional=case_manager)
    assert error.rule == "case_manager_not_in_team" and str(case_manager) in str(error)
    assert not team.members.filter(professional=case_manager).exists()


def test_a_case_manager_cannot_take_on_coordination(team, appointed, case_manager):
    assert _rule(take_on_coordination, case_manager.user, team).rule == "coordinator_not_member"
    assert not team.coordination_episodes.exists()


def test_a_case_manager_cannot_be_assigned_as_coordinator(person, team, appointed, case_manager):
    """Even when older data (an import) left the case manager in the team, the role is refused."""
    legacy = TeamMember.objects.create(team=team, professional=case_manager, status=TeamMember.Status.ACTIVE)
    assert _rule(assign_coordinator, person.user, team, legacy).rule == "case_manager_not_coordinator"
    assert _rule(take_on_coordination, case_manager.user, team).rule == "case_manager_not_coordinator"


def test_a_case_manager_may_start_coordination_by_proposing_a_coordinator(
    person, team, members, appointed, case_manager, nurse
):
    episode = assign_coordinator(case_manager.user, team, members["nurse"], reason="needs a coordinator")
    assert episode.initiated_by == CoordinationEpisode.Initiator.CASE_MANAGER
    assert episode.status == CoordinationEpisode.Status.PROPOSED
    accept_coordination(nurse.user, episode)
    agree_to_coordinator(person.user, CoordinationEpisode.objects.get(pk=episode.pk))
    assert active_coordination(team).coordinator == members["nurse"]


def test_a_case_manager_may_propose_a_new_team_member(team, appointed, case_manager, make_professional):
    proposed = add_team_member(case_manager.user, team, professional=make_professional())
    assert proposed.status == TeamMember.Status.PROPOSED


def test_coordinator_and_case_manager_coexist(person, team, members, nurse, appointed, case_manager):
    episode = take_on_coordination(nurse.user, team)
    agree_to_coordinator(person.user, episode)
    assert active_coordination(team).coordinator.professional == nurse
    assert active_case_management(person).case_manager == case_manager


# --- ending, and starting again ----------------------------------------------------------------------


def test_end_then_a_new_request_and_appointment_later(person, appointed, case_manager, zone_staff, gp):
    assert _rule(end_case_management, case_manager.user, appointed, "done").rule == "end_reason"
    assert _rule(end_case_management, gp.user, appointed, EndReason.STABILISED).rule == "end_case_management_by"
    end_case_management(case_manager.user, appointed, EndReason.STABILISED)
    appointed.refresh_from_db()
    assert appointed.status == CaseManagementEpisode.Status.ENDED and appointed.ended_by == case_manager.user
    assert active_case_management(person) is None
    assert _rule(end_case_management, case_manager.user, appointed, EndReason.STABILISED).rule == "not_active"

    again = ring_the_bell(gp.user, person, [Trigger.COORDINATION_FAILED])
    second = appoint_case_manager(zone_staff, again, case_manager)
    assert active_case_management(person) == second
    assert CaseManagementEpisode.objects.filter(person=person).count() == 2


@pytest.mark.parametrize("who", ["person", "representative", "zone_staff"])
def test_the_person_or_the_zone_may_end_it(request, appointed, who):
    actor = request.getfixturevalue(who)
    actor = getattr(actor, "user", actor)
    end_case_management(actor, appointed, EndReason.PERSON_REFUSED)
    appointed.refresh_from_db()
    assert appointed.end_reason == EndReason.PERSON_REFUSED


# --- the zone's registry ------------------------------------------------------------------------------


def test_the_registry_is_kept_by_zone_staff(zone, zone_staff, make_professional, gp, appointed, case_manager):
    pro = make_professional()
    assert (
        _rule(register_training, gp.user, pro, TrainingRecord.Function.CASE_MANAGER, zone, date(2025, 6, 1)).rule
        == "registry_by_zone"
    )
    assert (
        _rule(
            register_training, zone_staff, pro, TrainingRecord.Function.CASE_MANAGER, zone, date(2025, 6, 1), capacity=0
        ).rule
        == "capacity"
    )
    record = register_training(zone_staff, pro, TrainingRecord.Function.CASE_MANAGER, zone, date(2025, 6, 1), 12)
    assert record.capacity == 12
    rows = {row["record"].professional_id: row for row in zone_capacity(zone)}
    assert rows[pro.pk]["caseload"] == 0 and rows[pro.pk]["capacity"] == 12
    assert rows[case_manager.pk]["caseload"] == 1
