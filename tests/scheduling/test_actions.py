"""The appointment actions: who may book, move, cancel and mark done; the rules; audit; concurrency."""

from __future__ import annotations

import pytest

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment
from careweave.versioning import ChangedMeanwhile

from .conftest import at

pytestmark = pytest.mark.django_db


def test_booking_is_audited_on_the_persons_file(cast, visit):  # noqa: ANN001
    assert visit.status == Appointment.Status.BOOKED
    assert set(visit.members.values_list("pk", flat=True)) == {cast.member(cast.nurse).pk,
                                                               cast.member(related=cast.jan).pk}
    event = AuditEvent.objects.get(resource_type="Appointment", resource_id=str(visit.fhir_id), action="C")
    assert event.person_id == cast.maria.pk and event.outcome == "success"


def test_a_stranger_cannot_book_and_the_refusal_is_audited(cast):  # noqa: ANN001
    with pytest.raises(RuleViolation):
        actions.create_appointment(cast.stranger.user, cast.maria, kind="home_visit", start=at(10, 1),
                                   end=at(11, 1))
    assert not Appointment.objects.exists()
    assert AuditEvent.objects.filter(person=cast.maria, outcome="denied",
                                     reason__startswith="scheduling.create_appointment").exists()


def test_a_medical_note_needs_the_full_file(cast):  # noqa: ANN001
    """The OCMW social worker sees the plan, not medical detail (decision 0004)."""
    with pytest.raises(RuleViolation):
        actions.create_appointment(cast.social.user, cast.maria, kind="home_visit", start=at(10, 1),
                                   end=at(11, 1), note="Bloeddruk", is_medical=True)
    plain = actions.create_appointment(cast.social.user, cast.maria, kind="home_visit", start=at(10, 1),
                                       end=at(11, 1), note="Premie aanvragen")
    assert not plain.is_medical


@pytest.mark.parametrize("start,end,code", [
    (at(11, 1), at(10, 1), "appointment_times"),
    (at(8, 1), at(22, 1), "appointment_times"),
    (at(10, 400), at(11, 400), "appointment_start"),
], ids=["end-before-start", "fourteen-hours", "too-far-ahead"])
def test_times_are_checked(cast, start, end, code):  # noqa: ANN001
    with pytest.raises(RuleViolation) as refused:
        actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=start, end=end)
    assert refused.value.rule == code
    assert not Appointment.objects.exists()


def test_only_members_of_the_persons_team_take_part(cast):  # noqa: ANN001
    from careweave.careplans.models import TeamMember

    louis_gp = TeamMember.objects.get(team__person=cast.louis, professional=cast.gp)
    with pytest.raises(RuleViolation) as refused:
        actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(10, 1),
                                   end=at(11, 1), members=[louis_gp])
    assert refused.value.rule == "not_in_team"


def test_moving_with_a_stale_version_changes_nothing(cast, visit):  # noqa: ANN001
    actions.reschedule_appointment(cast.nurse.user, visit, start=at(11, 2), end=at(12, 2), expected_version=1)
    stale = Appointment.objects.get(pk=visit.pk)
    with pytest.raises(ChangedMeanwhile):
        actions.reschedule_appointment(cast.coordinator.user, stale, start=at(9, 3), end=at(10, 3),
                                       expected_version=1)
    visit.refresh_from_db()
    assert (visit.start, visit.version) == (at(11, 2), 2)


def test_who_may_move_cancel_and_mark_done(cast, visit):  # noqa: ANN001
    """The GP is in the team but does not take part: the nurse's visit is not hers to move."""
    with pytest.raises(RuleViolation) as refused:
        actions.reschedule_appointment(cast.gp.user, visit, start=at(11, 2), end=at(12, 2))
    assert refused.value.rule == "appointment_not_yours"
    with pytest.raises(RuleViolation):
        actions.cancel_appointment(cast.jan.user, visit, "Ziek")  # Jan takes part, but is not a professional
    actions.cancel_appointment(cast.maria.user, visit, "Ik ben bij mijn dochter")  # the person decides
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED and visit.cancel_reason == "Ik ben bij mijn dochter"
    with pytest.raises(RuleViolation) as twice:
        actions.cancel_appointment(cast.nurse.user, visit)
    assert twice.value.rule == "appointment_status"


def test_marked_done_once_it_started(cast):  # noqa: ANN001
    soon = actions.create_appointment(cast.nurse.user, cast.maria, kind="phone_call", start=at(10, 1),
                                      end=at(11, 1))
    with pytest.raises(RuleViolation) as early:
        actions.complete_appointment(cast.nurse.user, soon)
    assert early.value.rule == "appointment_not_yet"
    earlier = actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(8, -1),
                                         end=at(9, -1))
    actions.complete_appointment(cast.nurse.user, earlier, expected_version=1)
    earlier.refresh_from_db()
    assert earlier.status == Appointment.Status.DONE
