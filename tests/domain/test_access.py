"""C5: who sees what of a person's file and why; the person's choices; emergency access; the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from domain_helpers import refused as _rule

from careweave.access.actions import break_the_glass, revoke_access_choice, set_access_choice
from careweave.access.decisions import NO_RELATIONSHIP, RESTRICTED, decide, persons_visible_to
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import AccessRule, AuditEvent, BreakGlass, Level
from careweave.careplans.actions import (
    add_goal,
    add_team_member,
    appoint_case_manager,
    approve_team_member,
    assign_task,
    complete_task,
    remove_team_member,
    ring_the_bell,
    start_care_plan,
    team_for,
    update_goal,
    write_in_journal,
)
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import Goal
from careweave.careplans.models.coordination import Trigger

pytestmark = pytest.mark.django_db


# --- the default matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "level", "basis"),
    [
        ("person", Level.FULL, "self"),
        ("representative", Level.FULL, "proxy"),
        ("gp", Level.FULL, "care_relationship"),
        ("nurse", Level.FULL, "care_relationship"),
        ("social_worker", Level.PLAN, "care_relationship"),
        ("carer", Level.PLAN, "care_relationship"),
        ("outsider", Level.NONE, "none"),
    ],
)
def test_default_matrix(request, person, members, who, level, basis):
    decision = decide(request.getfixturevalue(who).user, person)
    assert (decision.level, decision.basis) == (level, basis)


def test_a_proxy_without_being_representative_also_decides(make_related, person):
    proxy = make_related(person, has_proxy_access=True)
    assert decide(proxy.user, person).basis == "proxy"


def test_an_inactive_representative_has_no_access(representative, person):
    representative.active = False
    representative.save()
    assert decide(representative.user, person).level == Level.NONE


def test_the_appointed_case_manager_sees_everything(person, members, case_manager, zone_staff, gp):
    assert decide(case_manager.user, person).level == Level.NONE
    appoint_case_manager(zone_staff, ring_the_bell(gp.user, person, [Trigger.UNSTABLE_COMPLEX]), case_manager)
    decision = decide(case_manager.user, person)
    assert (decision.level, decision.basis) == (Level.FULL, "case_management")


def test_a_stranger_is_told_how_to_get_access(person, outsider):
    decision = decide(outsider.user, person)
    assert decision.level == Level.NONE
    assert str(decision.explanation) == str(NO_RELATIONSHIP)


def test_anonymous_and_deactivated_users_have_no_access(person, gp, team, join):
    join(team, gp)
    assert decide(AnonymousUser(), person).level == Level.NONE
    person.user.is_active = False
    person.user.save()
    assert decide(person.user, person).level == Level.NONE


def test_zone_staff_and_superusers_have_no_access_by_default(person, zone_staff, make_user):
    admin = make_user(is_superuser=True, is_staff=True)
    for user in (zone_staff, admin):
        assert decide(user, person).level == Level.NONE
        assert person.pk not in persons_visible_to(user)


def test_an_informal_carer_outside_the_team_has_no_access(person, carer):
    assert decide(carer.user, person).level == Level.NONE
    assert person.pk not in persons_visible_to(carer.user)


def test_a_proposed_member_has_no_access_until_the_person_agrees(person, team, gp, nurse, join):
    join(team, gp)
    proposed = add_team_member(gp.user, team, professional=nurse)
    assert decide(nurse.user, person).level == Level.NONE
    approve_team_member(person.user, proposed)
    assert decide(nurse.user, person).level == Level.FULL


def test_a_member_who_left_loses_access(person, members, gp):
    remove_team_member(person.user, members["gp"])
    assert decide(gp.user, person).level == Level.NONE
    assert person.pk not in persons_visible_to(gp.user)


# --- the person's choices ---------------------------------------------------------------------------


def test_the_person_grants_someone_outside_the_team(person, outsider):
    set_access_choice(person.user, person, level=Level.PLAN, professional=outsider, note="second opinion")
    decision = decide(outsider.user, person)
    assert (decision.level, decision.basis) == (Level.PLAN, "consent")
    assert person.pk in persons_visible_to(outsider.user)


def test_welfare_may_see_medical_detail_when_the_person_allows_it(person, members, social_worker):
    set_access_choice(person.user, person, level=Level.FULL, sector=AccessRule.Sector.WELFARE)
    assert decide(social_worker.user, person).level == Level.FULL


@pytest.mark.parametrize("level", [Level.NONE, Level.PLAN])
def test_a_stricter_choice_for_one_gp(person, members, gp, nurse, level):
    set_access_choice(person.user, person, level=level, professional=gp)
    decision = decide(gp.user, person)
    assert decision.level == level
    assert decide(nurse.user, person).level == Level.FULL, "the other care professionals keep their access"
    if level == Level.NONE:
        assert str(decision.explanation) == str(RESTRICTED)
        assert person.pk not in persons_visible_to(gp.user)


def test_an_individual_choice_beats_a_sector_choice(person, members, gp, nurse):
    set_access_choice(person.user, person, level=Level.PLAN, sector=AccessRule.Sector.CARE)
    set_access_choice(person.user, person, level=Level.FULL, professional=gp)
    assert decide(gp.user, person).level == Level.FULL
    assert decide(nurse.user, person).level == Level.PLAN


def test_the_person_may_hide_the_plan_from_an_informal_carer(person, members, carer):
    set_access_choice(person.user, person, level=Level.NONE, related_person=carer)
    assert decide(carer.user, person).level == Level.NONE
    assert person.pk not in persons_visible_to(carer.user)


def test_an_expired_choice_is_ignored(person, members, gp):
    rule = set_access_choice(
        person.user, person, level=Level.NONE, professional=gp, valid_until=timezone.now() + timedelta(days=1)
    )
    assert decide(gp.user, person).level == Level.NONE
    AccessRule.objects.filter(pk=rule.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert decide(gp.user, person).level == Level.FULL


def test_a_new_choice_replaces_the_old_one_and_can_be_revoked(person, members, gp):
    first = set_access_choice(person.user, person, level=Level.NONE, professional=gp)
    second = set_access_choice(person.user, person, level=Level.PLAN, professional=gp)
    first.refresh_from_db()
    assert not first.active
    assert decide(gp.user, person).level == Level.PLAN
    revoke_access_choice(person.user, second)
    assert decide(gp.user, person).level == Level.FULL


@pytest.mark.parametrize("who", ["gp", "carer", "outsider", "zone_staff"])
def test_only_the_person_or_proxy_sets_access_choices(request, person, members, who, nurse):
    actor = request.getfixturevalue(who)
    actor = getattr(actor, "user", actor)
    error = _rule(set_access_choice, actor, person, level=Level.FULL, professional=nurse)
    assert error.rule == "access_choice_by_person"
    assert not AccessRule.objects.filter(person=person).exists()


def test_the_representative_sets_access_choices_on_the_persons_behalf(person, representative, outsider):
    rule = set_access_choice(representative.user, person, level=Level.PLAN, professional=outsider)
    assert rule.recorded_by == representative.user
    event = AuditEvent.objects.get(resource_type="Consent", resource_id=str(rule.fhir_id))
    assert event.user == representative.user and event.basis == "proxy"


def test_an_unknown_level_is_refused(person, outsider):
    assert _rule(set_access_choice, person.user, person, level=7, professional=outsider).rule == "access_level"


# --- break-the-glass ---------------------------------------------------------------------------------


def test_break_the_glass_gives_full_access_for_12_hours(person, outsider, monkeypatch):
    event = break_the_glass(outsider.user, person, "Found unconscious at home, need medication list")
    assert event.expires_at - event.started_at == timedelta(hours=12)
    decision = decide(outsider.user, person)
    assert (decision.level, decision.basis) == (Level.FULL, "break_glass")
    assert person.pk in persons_visible_to(outsider.user)

    started = event.started_at
    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(hours=11, minutes=59))
    assert decide(outsider.user, person).level == Level.FULL
    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(hours=12, seconds=1))
    assert decide(outsider.user, person).level == Level.NONE
    assert person.pk not in persons_visible_to(outsider.user)


def test_break_the_glass_needs_a_real_reason(person, outsider):
    assert _rule(break_the_glass, outsider.user, person, "urgent").rule == "break_glass_reason"
    assert _rule(break_the_glass, outsider.user, person, "   urgent!   ").rule == "break_glass_reason"
    assert not BreakGlass.objects.exists()


def test_only_an_active_care_professional_breaks_the_glass(person, social_worker, carer, zone_staff, outsider):
    reason = "Emergency at night, no team member reachable"
    for user in (social_worker.user, carer.user, zone_staff):
        assert _rule(break_the_glass, user, person, reason).rule == "break_glass_professional"
    outsider.active = False
    outsider.save()
    assert _rule(break_the_glass, outsider.user, person, reason).rule == "break_glass_professional"
    assert not BreakGlass.objects.exists()


def test_breaking_the_glass_is_in_the_persons_audit_trail(person, outsider):
    reason = "Found unconscious at home, need medication list"
    break_the_glass(outsider.user, person, reason)
    event = AuditEvent.objects.get(person=person, basis="break_glass")
    assert event.user == outsider.user and event.reason == reason


# --- the guard and the audit trail -------------------------------------------------------------------


def test_require_access_audits_an_allowed_read(person, members, nurse):
    decision = require_access(nurse.user, person, action="read", resource_type="CarePlan", resource_id="42")
    assert decision.level == Level.FULL
    event = AuditEvent.objects.get(person=person, user=nurse.user)
    assert (event.outcome, event.action, event.basis, event.resource_id) == ("success", "R", "care_relationship", "42")


def test_require_access_audits_and_explains_a_refusal(person, outsider):
    with pytest.raises(AccessRefused) as caught:
        require_access(outsider.user, person, action="read", resource_type="Patient")
    assert str(caught.value) == str(NO_RELATIONSHIP)
    event = AuditEvent.objects.get(person=person, user=outsider.user)
    assert (event.outcome, event.basis) == ("denied", "none")
    assert event.reason == str(NO_RELATIONSHIP)


def test_require_access_refuses_medical_detail_to_welfare(person, members, social_worker):
    with pytest.raises(AccessRefused) as caught:
        require_access(social_worker.user, person, action="read", resource_type="Goal", needed=Level.FULL)
    assert str(caught.value) == str(RESTRICTED)
    assert caught.value.decision.level == Level.PLAN
    assert AuditEvent.objects.get(person=person, user=social_worker.user).outcome == "denied"


def test_persons_visible_to_lists_exactly_the_files_one_may_open(make_person, person, members, gp, representative):
    other = make_person("Jozef")
    third = make_person("Lea")
    add_team_member(third.user, team_for(third), professional=gp)
    assert persons_visible_to(gp.user) == sorted([person.pk, third.pk])
    assert persons_visible_to(person.user) == [person.pk]
    assert persons_visible_to(representative.user) == [person.pk]
    assert other.pk not in persons_visible_to(gp.user)
    assert persons_visible_to(AnonymousUser()) == []


def test_medical_goal_refused_for_welfare_until_the_person_allows_it(person, members, social_worker):
    plan = start_care_plan(person.user, person, "Plan")
    error = _rule(add_goal, social_worker.user, plan, "Lower blood pressure", is_medical=True)
    assert error.rule == "no_access"
    # They do have a care relationship: the refusal says only this part is withheld, as the guard does.
    assert str(error) == str(RESTRICTED)
    assert not plan.goals.exists()
    assert AuditEvent.objects.filter(person=person, user=social_worker.user, outcome="denied").exists()
    add_goal(social_worker.user, plan, "Find a day centre")  # non-medical is fine

    set_access_choice(person.user, person, level=Level.FULL, sector=AccessRule.Sector.WELFARE)
    goal = add_goal(social_worker.user, plan, "Lower blood pressure", is_medical=True)
    assert goal.is_medical


def test_welfare_writes_no_medical_journal_entry_by_default(person, members, social_worker):
    plan = start_care_plan(person.user, person, "Plan")
    assert (
        _rule(write_in_journal, social_worker.user, plan, "Saw the cardiologist", is_medical=True).rule == "no_access"
    )


def test_every_action_leaves_an_audit_event(person, members, gp, nurse, case_manager, zone_staff):
    def events() -> list[tuple]:
        return list(
            AuditEvent.objects.filter(person=person)
            .order_by("recorded_at", "pk")
            .values_list("user_id", "action", "resource_type", "outcome", "basis")
        )

    before = len(events())
    plan = start_care_plan(gp.user, person, "Plan")
    assert events()[-1] == (gp.user.pk, "C", "CarePlan", "success", "care_relationship")
    goal = add_goal(gp.user, plan, "Walk again", is_medical=True)
    assert events()[-1] == (gp.user.pk, "C", "Goal", "success", "care_relationship")
    task = assign_task(gp.user, plan, "Physio", assignee=members["nurse"], goal=goal)
    assert events()[-1][2] == "Task"
    complete_task(nurse.user, task)
    assert events()[-1] == (nurse.user.pk, "U", "Task", "success", "care_relationship")
    request = ring_the_bell(gp.user, person, [Trigger.UNSTABLE_COMPLEX])
    assert events()[-1][2] == "ServiceRequest"
    appoint_case_manager(zone_staff, request, case_manager)
    assert events()[-1] == (zone_staff.pk, "C", "EpisodeOfCare", "success", "zone")
    remove_team_member(person.user, members["carer"])
    assert events()[-1] == (person.user.pk, "U", "CareTeam", "success", "self")
    assert len(events()) == before + 7


def test_welfare_cannot_edit_or_reveal_medical_goals(person, members, social_worker, gp):
    plan = start_care_plan(person.user, person, "Plan")
    medical = add_goal(gp.user, plan, "Lower blood pressure", is_medical=True)
    social = add_goal(gp.user, plan, "Join the Tuesday walking group")
    assert _rule(update_goal, social_worker.user, medical, medical.version, status="on-hold").rule == "no_access"
    assert _rule(update_goal, social_worker.user, social, social.version, is_medical=True).rule == "no_access"
    update_goal(social_worker.user, social, social.version, description="Join the Tuesday and Friday walks")
    assert Goal.objects.get(pk=medical.pk).status == Goal.Status.ACTIVE


def test_a_deactivated_professional_keeps_no_access_even_while_still_in_the_team(person, members, gp):
    assert decide(gp.user, person).level == Level.FULL
    gp.active = False
    gp.save()
    decision = decide(gp.user, person)
    assert decision.level == Level.NONE
    assert person.pk not in persons_visible_to(gp.user)


def test_a_refused_emergency_access_attempt_stays_in_the_persons_audit_trail(person, social_worker):
    with pytest.raises(RuleViolation):
        break_the_glass(social_worker.user, person, "I want to read the medical file please")
    refused = AuditEvent.objects.get(person=person, user=social_worker.user)
    assert refused.outcome == AuditEvent.Outcome.DENIED
    assert refused.basis == "break_glass"
    assert not BreakGlass.objects.filter(person=person).exists()


def test_actions_called_from_a_request_audit_its_channel_and_address(person, members, gp, rf):
    from careweave.access.audit import AuditContextMiddleware

    plan = start_care_plan(gp.user, person, "Plan")
    request = rf.post("/fhir/R4/Goal", REMOTE_ADDR="192.0.2.7")

    def view(_request):
        add_goal(gp.user, plan, "Walk to the market")
        from django.http import HttpResponse

        return HttpResponse()

    AuditContextMiddleware(view)(request)
    event = AuditEvent.objects.filter(person=person, resource_type="Goal").latest("recorded_at")
    assert event.channel == "api" and event.ip_address == "192.0.2.7"
    add_goal(gp.user, plan, "Outside any request")
    assert AuditEvent.objects.filter(person=person, resource_type="Goal").latest("recorded_at").channel == "cli"
