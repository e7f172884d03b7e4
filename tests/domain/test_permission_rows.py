"""Issue 17: every public action of careplans, access, people, assessments and maturity is a row of the
permission table, asked first; a refusal keeps its stable code and is audited on the person's file."""

from __future__ import annotations

import inspect

import pytest

from careweave.access.models import AuditEvent
from careweave.access.permissions import TABLE
from careweave.careplans import actions as careplan_actions
from careweave.careplans.errors import RuleViolation
from careweave.people import actions as people_actions

# Reads and helpers of these modules that change nothing (no row: they are not actions).
NOT_ACTIONS = {
    "careplans": {"active_case_management", "active_case_managements", "active_coordination", "active_coordinations",
                  "members_on", "team_for", "zone_capacity"},
    "people": {"standing", "is_person_or_representative", "grant_proxy_refusal", "withdraw_proxy_refusal",
               "appoint_representative_refusal", "end_representation_refusal"},
}
ACTIONS = {
    "careplans": careplan_actions.__all__,
    "access": ["set_access_choice", "revoke_access_choice", "break_the_glass"],
    "people": [name for name, f in inspect.getmembers(people_actions, inspect.isfunction)
               if f.__module__ == people_actions.__name__ and not name.startswith("_")] + [
        "register_person", "update_contact_details"],
    "assessments": ["start_assessment", "save_answers", "complete_assessment", "amend_assessment",
                    "record_own_judgement", "share_with_team", "mark_entered_in_error", "score_to_goal",
                    "sync_response"],
    "maturity": ["open_round", "close_round", "reopen_round", "invite_participant", "save_score", "submit_scores",
                 "reopen_scores", "send_reminders", "plan_workshop", "record_consensus", "open_vote",
                 "close_vote", "cast_vote"],
}


@pytest.mark.parametrize("app", sorted(ACTIONS))
def test_every_public_action_has_a_row_named_after_it(app):
    names = [n for n in ACTIONS[app] if n not in NOT_ACTIONS.get(app, set())]
    missing = [f"{app}.{n}" for n in names if f"{app}.{n}" not in TABLE]
    assert not missing, missing


def test_a_refusal_keeps_its_code_and_is_on_the_persons_record(person, members, gp):
    """Only the person (or their representative) removes a member: the GP is refused, and the person sees it."""
    with pytest.raises(RuleViolation) as refused:
        careplan_actions.remove_team_member(gp.user, members["nurse"])
    assert refused.value.rule == "person_decides"
    event = AuditEvent.objects.get(person=person, user=gp.user, outcome="denied")
    assert event.reason.startswith("careplans.remove_team_member: ")
    members["nurse"].refresh_from_db()
    assert members["nurse"].status == "active"
