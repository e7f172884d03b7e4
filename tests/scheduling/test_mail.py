"""The MDO invitation e-mail (notifications, decision 0030) carries the meeting as an ``.ics``; booking an
appointment tells those taking part."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from careweave.consultations import actions as mdo_actions
from careweave.notifications.models import Notification
from careweave.scheduling import actions

from .conftest import at

pytestmark = pytest.mark.django_db
NURSE = "sofie.vandamme@example.org"


def _send_queued() -> None:
    """What ``careweave worker`` does with the queued e-mails (the tests' queue is not run by itself)."""
    from careweave.notifications.models import Delivery
    from careweave.notifications.tasks import send

    for pk in Delivery.objects.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True):
        send(pk)


def _ics_of(message) -> Calendar:  # noqa: ANN001
    (found,) = [a for a in message.attachments if a[0] == "invitation.ics"]
    assert found[2].startswith("text/calendar")
    return Calendar.from_ical(found[1])


def test_invitation_change_and_cancellation_mails_carry_the_ics(cast, mailoutbox):  # noqa: ANN001
    cast.nurse.user.email = NURSE
    cast.nurse.user.save()
    c = mdo_actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=at(14, 1),
                                 end=at(15, 1), location="Ninove", reason="Terug thuis na val")
    mdo_actions.invite_to_mdo(cast.coordinator.user, c, [cast.member(cast.nurse)])
    _send_queued()
    to_nurse = [m for m in mailoutbox if m.to == [NURSE]]
    assert to_nurse and len([m for m in to_nurse if m.attachments]) == 1  # the invitation; no other mail has one
    (invited,) = [m for m in to_nurse if m.attachments]
    cal = _ics_of(invited)
    (event,) = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST" and str(event["UID"]) == f"mdo-{c.fhir_id}@careweave"
    assert "val" not in invited.body and "Maria" not in invited.body
    c.refresh_from_db()
    mdo_actions.cancel_mdo(cast.coordinator.user, c, "Ziek")
    _send_queued()
    cancelled = [m for m in mailoutbox if m.to == [NURSE] and m.attachments][-1]
    assert str(_ics_of(cancelled)["METHOD"]) == "CANCEL"


def test_booking_tells_those_taking_part_but_not_the_booker(cast):  # noqa: ANN001
    a = actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(10, 1), end=at(11, 1),
                                   members=[cast.member(cast.nurse), cast.member(related=cast.jan)])
    told = set(Notification.objects.filter(event__kind="appointment_booked").values_list("recipient__username",
                                                                                        flat=True))
    assert told == {"carer", "person"}
    actions.cancel_appointment(cast.maria.user, a, "Bij mijn dochter")
    assert Notification.objects.filter(event__kind="appointment_cancelled", recipient=cast.nurse.user).exists()
