"""MDO domain rules: scheduling, invitations, attendance, minutes, decisions as tasks, conclusion, transitions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import Task
from careweave.careplans.signals import care_transition
from careweave.consultations import actions
from careweave.consultations.models import Consultation, Decision, Minutes, Participant
from careweave.consultations.signals import mdo_concluded
from careweave.versioning import ChangedMeanwhile

from .conftest import today_at


def refused(code: str, call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001, ANN002, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.rule == code
    assert str(caught.value).strip()
    return caught.value


def _participant(c: Consultation, **filters) -> Participant:  # noqa: ANN003
    return c.participants.get(**filters)


# --------------------------------------------------------------------------- scheduling


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"mode": "in_person", "start": today_at(10, 1), "end": today_at(9, 1), "location": "Hier"}, "mdo_end"),
        ({"mode": "in_person", "start": today_at(10, 1), "end": today_at(10, 1), "location": "Hier"}, "mdo_end"),
        ({"mode": "online", "start": today_at(10, 1), "end": today_at(11, 1)}, "mdo_link"),
        ({"mode": "hybrid", "start": today_at(10, 1), "end": today_at(11, 1), "link": "https://t.example/x"},
         "mdo_location"),
        ({"mode": "online", "start": today_at(10, 1), "end": today_at(11, 1), "link": "not a link"}, "mdo_link"),
        ({"mode": "in_person", "start": today_at(10, -1), "end": today_at(11, -1), "location": "Hier"}, "mdo_start"),
        ({"mode": "in_person", "start": today_at(1, 1), "end": today_at(14, 1), "location": "Hier"}, "mdo_end"),
        ({"mode": "by_pigeon", "start": today_at(10, 1), "end": today_at(11, 1), "location": "Hier"}, "mdo_mode"),
    ],
)
def test_bad_schedules_are_refused_and_change_nothing(cast, kwargs, code) -> None:  # noqa: ANN001
    before = AuditEvent.objects.count()
    refused(code, actions.schedule_mdo, cast.coordinator.user, cast.maria, reason="Overleg", **kwargs)
    assert not Consultation.objects.exists()
    assert AuditEvent.objects.count() == before


def test_online_mdo_with_link_is_scheduled_and_audited(cast) -> None:  # noqa: ANN001
    c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="online", start=today_at(14, 2),
                             end=today_at(15, 2), link="https://teams.example/mdo-maria", reason="Evaluatie")
    assert c.status == "scheduled" and c.plan == cast.plan and c.convened_by == cast.coordinator.user
    assert AuditEvent.objects.filter(resource_type="Appointment", resource_id=str(c.fhir_id), action="C").exists()


def test_informal_carer_and_stranger_cannot_convene(cast) -> None:  # noqa: ANN001
    kwargs = {"mode": "in_person", "start": today_at(10, 1), "end": today_at(11, 1), "location": "Thuis",
              "reason": "Overleg"}
    refused("not_allowed", actions.schedule_mdo, cast.jan.user, cast.maria, **kwargs)
    refused("no_access", actions.schedule_mdo, cast.stranger.user, cast.maria, **kwargs)
    assert not Consultation.objects.exists()


def test_any_professional_of_the_team_may_convene(cast) -> None:  # noqa: ANN001
    c = actions.schedule_mdo(cast.social.user, cast.maria, mode="in_person", start=today_at(10, 1),
                             end=today_at(11, 1), location="OCMW", reason="Woning")
    assert c.convened_by == cast.social.user


# --------------------------------------------------------------------------- invitations


def test_only_team_members_can_be_invited(cast, scheduled) -> None:  # noqa: ANN001
    from careweave.careplans import actions as plan_actions

    louis_member = plan_actions.team_for(cast.louis).members.first()
    count = scheduled.participants.count()
    refused("mdo_invite_not_member", actions.invite_to_mdo, cast.coordinator.user, scheduled, [louis_member])
    assert scheduled.participants.count() == count
    refused("mdo_invite_nobody", actions.invite_to_mdo, cast.coordinator.user, scheduled, [])


def test_inviting_twice_invites_once(cast, scheduled) -> None:  # noqa: ANN001
    count = scheduled.participants.count()
    assert count == cast.team.active_members().count() + 1  # and the person
    assert actions.invite_to_mdo(cast.coordinator.user, scheduled, cast.team.active_members(),
                                 include_person=True) == []
    assert scheduled.participants.count() == count


def test_invitees_answer_for_themselves(cast, scheduled) -> None:  # noqa: ANN001
    gp = _participant(scheduled, member__professional=cast.gp)
    actions.respond_to_invitation(cast.gp.user, gp, "accepted")
    person = _participant(scheduled, member__isnull=True)
    actions.respond_to_invitation(cast.maria.user, person, "declined")
    refused("not_allowed", actions.respond_to_invitation, cast.jan.user, gp, "declined")
    refused("mdo_response", actions.respond_to_invitation, cast.gp.user, gp, "maybe")
    gp.refresh_from_db()
    person.refresh_from_db()
    assert (gp.response, person.response) == ("accepted", "declined")


# --------------------------------------------------------------------------- the meeting


def _hold(cast, c: Consultation, *who) -> Consultation:  # noqa: ANN001
    present = [p for p in c.participants.all() if p.member_id and p.member.member in who]
    return actions.record_attendance(cast.coordinator.user, c, present)


def test_attendance_not_before_the_day(cast) -> None:  # noqa: ANN001
    c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=today_at(10, 3),
                             end=today_at(11, 3), location="Thuis", reason="Overleg")
    actions.invite_to_mdo(cast.coordinator.user, c, cast.team.active_members())
    refused("mdo_not_yet", actions.record_attendance, cast.coordinator.user, c, c.participants.all())
    c.refresh_from_db()
    assert c.status == "scheduled" and not c.participants.filter(attended__isnull=False).exists()


def test_attendance_holds_the_mdo_and_minutes_are_versioned(cast, scheduled) -> None:  # noqa: ANN001
    refused("mdo_attendance_empty", actions.record_attendance, cast.coordinator.user, scheduled, [])
    refused("mdo_status", actions.write_minutes, cast.coordinator.user, scheduled, "Te vroeg")
    c = _hold(cast, scheduled, cast.gp, cast.nurse)
    assert c.status == "held"
    assert set(c.participants.filter(attended=True).values_list("member__professional", flat=True)) == {
        cast.gp.pk, cast.nurse.pk}
    assert c.participants.filter(attended=False).count() == c.participants.count() - 2
    first = actions.write_minutes(cast.coordinator.user, c, "Besproken: valpreventie.")
    actions.write_minutes(cast.gp.user, c, "Besproken: valpreventie en medicatie.", first.version)
    with pytest.raises(ChangedMeanwhile):
        actions.write_minutes(cast.nurse.user, c, "Mijn versie", first.version)
    assert Minutes.objects.get(consultation=c).text == "Besproken: valpreventie en medicatie."


def test_decisions_become_tasks_in_the_plan(cast, scheduled) -> None:  # noqa: ANN001
    c = _hold(cast, scheduled, cast.gp, cast.nurse, cast.jan)
    nurse = cast.member(professional=cast.nurse)
    due = date.today() + timedelta(days=7)
    decision = actions.record_decision(cast.coordinator.user, c, "Valrisico thuis beoordelen", assignee=nurse,
                                       due_date=due, coordination="continue")
    task = Task.objects.get(pk=decision.task_id)
    assert (task.plan, task.assignee, task.due_date, task.description) == (cast.plan, nurse, due,
                                                                           "Valrisico thuis beoordelen")
    assert task.mdo_decision == decision
    before = Task.objects.count()
    refused("assignee_required", actions.record_decision, cast.coordinator.user, c, "Zonder iemand")
    refused("due_in_past", actions.record_decision, cast.coordinator.user, c, "Te laat", assignee=nurse,
            due_date=date.today() - timedelta(days=1))
    louis_member = c.participants.first().member.__class__.objects.filter(team__person=cast.louis).first()
    refused("assignee_not_member", actions.record_decision, cast.coordinator.user, c, "Buiten", assignee=louis_member)
    assert Task.objects.count() == before and Decision.objects.count() == 1


def test_conclude_needs_minutes_and_sends_the_signal_once(cast, scheduled) -> None:  # noqa: ANN001
    received = []

    def listener(sender, **kwargs) -> None:  # noqa: ANN001, ANN003
        received.append(kwargs)

    mdo_concluded.connect(listener)
    try:
        c = _hold(cast, scheduled, cast.gp, cast.nurse, cast.social, cast.coordinator, cast.jan)
        refused("mdo_minutes_required", actions.conclude_mdo, cast.coordinator.user, c)
        c.refresh_from_db()
        assert c.status == "held" and received == []
        actions.write_minutes(cast.coordinator.user, c, "Afspraken gemaakt.")
        actions.conclude_mdo(cast.coordinator.user, c, c.version)
        refused("mdo_status", actions.conclude_mdo, cast.coordinator.user, c)
        refused("mdo_status", actions.record_decision, cast.coordinator.user, c, "Nog iets",
                assignee=cast.member(professional=cast.gp))
        refused("mdo_status", actions.write_minutes, cast.coordinator.user, c, "Later gewijzigd")
    finally:
        mdo_concluded.disconnect(listener)
    assert len(received) == 1
    sent = received[0]
    assert sent["consultation"].pk == c.pk and sent["person"] == cast.maria
    assert sent["held_on"] == timezone.localdate() and sent["reimbursable"] is True
    assert sent["paid_professionals"][0] == cast.gp and len(sent["paid_professionals"]) == 4
    c.refresh_from_db()
    assert c.status == "concluded" and c.reimbursable is True and c.rule is not None


def test_cancel_needs_a_reason(cast, scheduled) -> None:  # noqa: ANN001
    refused("required", actions.cancel_mdo, cast.coordinator.user, scheduled, "  ")
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled"
    actions.cancel_mdo(cast.coordinator.user, scheduled, "Maria is opgenomen", scheduled.version)
    scheduled.refresh_from_db()
    assert scheduled.status == "cancelled"
    refused("mdo_status", actions.invite_to_mdo, cast.coordinator.user, scheduled, [], include_person=True)


# --------------------------------------------------------------------------- transition points


def test_care_transition_proposes_one_mdo_per_transition(cast) -> None:  # noqa: ANN001
    day = date.today()
    kwargs = {"person": cast.maria, "kind": "care_setting", "label": "Van ziekenhuis naar thuis", "on": day,
              "actor": None, "source": cast.plan}
    care_transition.send(sender=None, **kwargs)
    care_transition.send(sender=None, **kwargs)
    proposals = Consultation.objects.filter(person=cast.maria, status="proposed")
    assert proposals.count() == 1
    proposal = proposals.get()
    assert proposal.transition_kind == "care_setting" and proposal.transition_on == day
    assert proposal.reason == "Van ziekenhuis naar thuis"
    care_transition.send(sender=None, **{**kwargs, "kind": "programme_phase", "label": "Fase 2"})
    assert proposals.count() == 2
    # Scheduling the proposal keeps its reason; a new signal for the same transition may propose again.
    actions.schedule_mdo(cast.coordinator.user, consultation=proposal, expected_version=proposal.version,
                         mode="hybrid", start=today_at(10, 1), end=today_at(11, 1), location="WGC",
                         link="https://teams.example/x")
    proposal.refresh_from_db()
    assert proposal.status == "scheduled" and proposal.transition_label == "Van ziekenhuis naar thuis"


def test_proposal_can_be_cancelled_by_the_coordinator_only(cast) -> None:  # noqa: ANN001
    proposal = actions.propose_for_transition(cast.maria, "programme_phase", "Fase 3", date.today())
    refused("not_allowed", actions.cancel_mdo, cast.jan.user, proposal, "Niet nodig")
    actions.cancel_mdo(cast.coordinator.user, proposal, "Net een MDO gehad")
    proposal.refresh_from_db()
    assert proposal.status == "cancelled"


# --------------------------------------------------------------------------- coordination outcomes (issue 18.10)


def _held_mdo(cast, scheduled) -> Consultation:  # noqa: ANN001
    present = [p for p in scheduled.participants.all() if p.professional is not None]
    return actions.record_attendance(cast.coordinator.user, scheduled, present)


@pytest.mark.parametrize(("outcome", "reimbursable", "status"), [
    ("continue_unpaid", False, "active"),
    ("continue", True, "active"),
    ("stop", True, "ended"),
])
def test_the_coordination_outcome_acts_on_the_episode_it_names(cast, scheduled, outcome, reimbursable, status
                                                                ) -> None:  # noqa: ANN001
    """The MDO's "continue reimbursable / continue unpaid / stop" was stored and read nowhere."""
    from careweave.careplans.models import CoordinationEpisode

    episode = CoordinationEpisode.objects.get(team=cast.team, status="active")
    if outcome == "continue":
        CoordinationEpisode.objects.filter(pk=episode.pk).update(reimbursable=False)
    c = _held_mdo(cast, scheduled)
    decision = actions.record_decision(cast.coordinator.user, c, "Evaluatie van de coördinatie",
                                       assignee=cast.member(professional=cast.coordinator), coordination=outcome)
    assert decision.episode == episode
    episode.refresh_from_db()
    assert (episode.reimbursable, episode.status) == (reimbursable, status)
    if outcome == "stop":
        assert episode.end_reason == CoordinationEpisode.EndReason.MDO_DECISION


def test_an_informal_coordination_cannot_be_made_reimbursable(cast, scheduled) -> None:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    episode = CoordinationEpisode.objects.get(team=cast.team, status="active")
    CoordinationEpisode.objects.filter(pk=episode.pk).update(held_by_person=True, reimbursable=False)
    c = _held_mdo(cast, scheduled)
    before = Decision.objects.count()
    refused("coordination_not_reimbursable", actions.record_decision, cast.coordinator.user, c, "Verder",
            assignee=cast.member(professional=cast.coordinator), coordination="continue")
    episode.refresh_from_db()
    assert episode.reimbursable is False and Decision.objects.count() == before


def test_the_data_migration_turns_a_stored_french_transition_into_its_code(cast) -> None:  # noqa: ANN001
    """Issue 18 item 25: proposals stored before keep their sentence as a code, recognised in any language."""
    import importlib

    from django.apps import apps
    from django.utils import translation

    from careweave.programmes.actions import usable_versions

    frail = next(v for v in usable_versions() if v.pathway.code == "frail-persons")
    with translation.override("fr"):
        label = translation.gettext("%(person)s joins the programme “%(programme)s” in the phase “%(phase)s”.") % {
            "person": cast.maria, "programme": frail.pathway.title["fr"],
            "phase": frail.template["phases"][0]["title"]["fr"]}
    c = Consultation.objects.create(person=cast.maria, reason=label, transition_kind="programme_phase",
                                    transition_label=label)
    importlib.import_module("careweave.consultations.migrations.0006_generated_transition_texts").to_codes(apps, None)
    c.refresh_from_db()
    assert (c.reason, c.message_code) == ("", "programmes.joins")
    assert c.message_params["programme"] == {"texts": frail.pathway.title}
    with translation.override("nl"):
        assert frail.pathway.title["nl"] in c.reason_text and "rejoint" not in c.reason_text
