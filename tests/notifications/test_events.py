"""Every kind of event reaches the right people, from the action where it happens (decision 0030)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from careweave import notifications
from careweave.access.actions import break_the_glass
from careweave.careplans import actions as plan_actions
from careweave.consultations import actions as mdo
from careweave.notifications.kinds import KINDS
from careweave.notifications.models import Event, Notification
from careweave.notifications.tasks import send_reminders
from careweave.people.models import Discipline

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    """The user names a kind of event was fanned out to (latest event of that kind)."""
    event = Event.objects.filter(kind=kind).order_by("-pk").first()
    assert event is not None, f"no {kind} event"
    return set(event.notifications.values_list("recipient__username", flat=True))


def at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_a_task_assigned_is_told_to_its_assignee_only(cast):  # noqa: ANN001
    plan_actions.assign_task(cast.gp.user, cast.plan, "Wondzorg rechterbeen", assignee=cast.member(cast.nurse))
    assert told("task_assigned") == {"nurse"}
    event = Event.objects.filter(kind="task_assigned").latest("pk")
    assert event.actor_name == "An Claes" and event.url.endswith(f"#task-{event.target_id}")


def test_reassigning_a_task_tells_the_new_assignee(cast):  # noqa: ANN001
    task = cast.task_for_nurse
    plan_actions.update_task(cast.gp.user, task, task.version, assignee=cast.member(related=cast.jan))
    assert told("task_assigned") == {"carer"}


def test_due_tomorrow_and_overdue_come_from_the_daily_reminders(cast):  # noqa: ANN001
    Notification.objects.all().delete()
    cast.task_for_jan.__class__.objects.filter(pk=cast.task_for_jan.pk).update(
        due_date=date.today() + timedelta(days=1))
    cast.task_for_nurse.__class__.objects.filter(pk=cast.task_for_nurse.pk).update(
        due_date=date.today() - timedelta(days=1))
    assert send_reminders.call() == 2
    assert told("task_due_tomorrow") == {"carer"}
    assert told("task_overdue") == {"nurse"}


def test_a_journal_message_tells_the_team_and_a_mention_is_its_own_kind(cast):  # noqa: ANN001
    plan_actions.write_in_journal(cast.jan.user, cast.plan,
                                  "Mama was moe vandaag, @Sofie kan je morgen even kijken?")
    assert told("journal_mention") == {"nurse"}
    message = told("journal_message")
    assert "nurse" not in message and "carer" not in message, "the author and the mentioned are not told twice"
    assert {"person", "gp", "socialworker", "coordinator"} <= message


def test_the_carers_too_much_goes_to_the_coordinator(cast):  # noqa: ANN001
    plan_actions.write_in_journal(cast.jan.user, cast.plan, "Ik kan het niet meer aan", carer_feeling="too_much")
    assert told("carer_checkin") == {"coordinator"}


def test_a_proposed_team_member_asks_the_persons_agreement(cast):  # noqa: ANN001
    from careweave.people.models import Professional

    physio = Professional.objects.get(discipline=Discipline.PHYSIOTHERAPIST)
    plan_actions.add_team_member(cast.gp.user, cast.team, professional=physio)
    assert told("agreement_needed") == {"person"}


def test_a_proposed_coordinator_asks_the_member_and_the_person(cast):  # noqa: ANN001
    plan_actions.end_coordination(cast.coordinator.user, cast.team.coordination_episodes.get(status="active"),
                                  reason="handed_back")
    plan_actions.assign_coordinator(cast.gp.user, cast.team, cast.member(cast.nurse))
    assert told("agreement_needed") == {"nurse", "person"}


def test_mdo_invitation_change_cancellation_and_reminder(cast):  # noqa: ANN001
    c = mdo.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=at(1, 10), end=at(1, 11),
                         location="Wijkgezondheidscentrum", reason="Terug thuis na opname")
    mdo.invite_to_mdo(cast.coordinator.user, c, [cast.member(cast.gp), cast.member(cast.nurse)], include_person=True)
    assert told("mdo_invited") == {"gp", "nurse", "person"}
    c.refresh_from_db()
    Notification.objects.all().delete()
    assert send_reminders.call() >= 1
    assert told("mdo_reminder") == {"gp", "nurse", "person"}
    c = mdo.schedule_mdo(cast.coordinator.user, consultation=c, expected_version=c.version, mode="in_person",
                         start=at(2, 10), end=at(2, 11), location="Wijkgezondheidscentrum")
    assert told("mdo_changed") == {"gp", "nurse", "person"}
    mdo.cancel_mdo(cast.coordinator.user, c, "Opname in het ziekenhuis", c.version)
    assert told("mdo_cancelled") == {"gp", "nurse", "person"}


def test_referral_received_accepted_and_refused(cast):  # noqa: ANN001
    from careweave.people.models import Professional
    from careweave.territory import actions as territory

    physio = Professional.objects.get(discipline=Discipline.PHYSIOTHERAPIST)
    physio.user = User.objects.create_user("kine", first_name="Aylin", last_name="Dubois")
    physio.save()
    week = {d: [(time(9), time(17))] for d in range(5)}
    service = territory.register_service(
        physio.user, service={"name": "Kine Ninove", "discipline": "physio", "languages": "nl",
                              "professional": physio},
        location={"postal_code": "9400", "municipality": "Ninove", "latitude": 50.83, "longitude": 4.02}, hours=week)
    referral = territory.refer_to_service(cast.gp.user, cast.maria, service, reason="Valpreventie")
    assert told("referral_received") == {"kine"}
    territory.accept_referral(physio.user, referral, referral.version)
    assert told("referral_accepted") == {"gp"}
    # One open referral per service: the refusal is of a referral to the provider's other service.
    other = territory.register_service(
        physio.user, service={"name": "Kine Aalst", "discipline": "physio", "languages": "nl"},
        location={"postal_code": "9300", "municipality": "Aalst", "latitude": 50.94, "longitude": 4.04}, hours=week)
    refused = territory.refer_to_service(cast.nurse.user, cast.maria, other, reason="Looprek")
    territory.refuse_referral(physio.user, refused, "Geen plaats", refused.version)
    assert told("referral_refused") == {"nurse"}


def test_a_programme_phase_change_tells_the_team(cast):  # noqa: ANN001
    from careweave.programmes.actions import enrol_in_programme, sync_shipped_pathways, usable_versions

    sync_shipped_pathways()
    version = next(v for v in usable_versions() if v.pathway.code == "frail-persons")
    enrol_in_programme(cast.gp.user, cast.maria, version, reference_member=cast.member(cast.nurse), person_agreed=True)
    assert {"person", "nurse", "coordinator", "carer"} <= told("programme_phase")
    assert "gp" not in told("programme_phase"), "the one who acted is not told"


def test_an_assessment_due_comes_from_the_reminders(cast):  # noqa: ANN001
    from careweave.programmes.actions import enrol_in_programme, sync_shipped_pathways, usable_versions
    from careweave.programmes.models import EnrolmentItem

    sync_shipped_pathways()
    version = next(v for v in usable_versions() if v.pathway.code == "frail-persons")
    enrolment = enrol_in_programme(cast.gp.user, cast.maria, version, reference_member=cast.member(cast.nurse),
                                   person_agreed=True)
    task = plan_actions.assign_task(cast.gp.user, cast.plan, "Herbeoordeling", assignee=cast.member(cast.nurse),
                                    due_date=date.today() + timedelta(days=7))
    EnrolmentItem.objects.create(enrolment=enrolment, key="reassess-test", phase=enrolment.phase,
                                 kind="reassessment", task=task)
    Notification.objects.all().delete()
    send_reminders.call()
    assert told("assessment_due") == {"nurse"}


def test_emergency_access_tells_the_person(cast):  # noqa: ANN001
    break_the_glass(cast.stranger.user, cast.maria, "Bewusteloos binnengebracht op spoed")
    assert told("emergency_access") == {"person"}
    assert Event.objects.get(kind="emergency_access").url.endswith("/privacy/")


def test_document_shared_is_reserved_for_the_documents_feature(cast):  # noqa: ANN001
    event = notifications.emit("document_shared", person=cast.maria, target=cast.plan, actor=cast.gp.user)
    assert "gp" not in told("document_shared") and "nurse" in told("document_shared")
    assert event.url.endswith(f"/persons/{cast.maria.fhir_id}/")


def test_every_kind_is_emitted_somewhere_and_unknown_kinds_are_refused(cast):  # noqa: ANN001
    from pathlib import Path

    source = "\n".join(p.read_text() for p in Path(notifications.__file__).parents[1].rglob("*.py")
                       if "notifications" not in p.parts)
    source += (Path(notifications.__file__).parent / "tasks.py").read_text()
    missing = [code for code in KINDS if f'"{code}"' not in source and code != "document_shared"]
    assert not missing, missing
    with pytest.raises(ValueError):
        notifications.emit("made_up", person=cast.maria, actor=cast.gp.user)


def test_a_rolled_back_action_leaves_no_notification(cast):  # noqa: ANN001
    from careweave.careplans.errors import RuleViolation

    before = Notification.objects.count()
    with pytest.raises(RuleViolation):
        plan_actions.assign_task(cast.gp.user, cast.plan, "", assignee=cast.member(cast.nurse))
    assert Notification.objects.count() == before
