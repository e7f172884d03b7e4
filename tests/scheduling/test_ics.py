"""The MDO invitation (.ics) and the personal feed, parsed with the ``icalendar`` library (RFC 5545)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from careweave.access.models import AuditEvent
from careweave.consultations import actions as mdo_actions
from careweave.scheduling.ics import mdo_invitation

from .conftest import at

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_invitation_is_a_request_with_a_stable_uid_and_a_growing_sequence(cast, mdo):  # noqa: ANN001
    invitation = mdo.participants.get(member__professional=cast.nurse)
    cast.nurse.user.email = "sofie.vandamme@example.org"
    cast.nurse.user.save()
    first = Calendar.from_ical(mdo_invitation(mdo, invitation))
    assert str(first["METHOD"]) == "REQUEST"
    (event,) = first.walk("VEVENT")
    assert str(event["UID"]) == f"mdo-{mdo.fhir_id}@careweave"
    assert event.decoded("DTSTART") == at(14, 1)
    assert str(event["ATTENDEE"]) == "mailto:sofie.vandamme@example.org"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    text = mdo_invitation(mdo, invitation).decode()
    assert "heupfractuur" not in text and "Maria" not in text  # no health detail, no name: "MDO M.P."
    assert "MDO M.P." in str(event["SUMMARY"])
    moved = mdo_actions.schedule_mdo(cast.coordinator.user, consultation=mdo, mode="in_person", start=at(15, 2),
                                     end=at(16, 2), location="Ninove", reason=mdo.reason)
    (again,) = _events(mdo_invitation(moved, invitation))
    assert str(again["UID"]) == str(event["UID"])
    assert int(again["SEQUENCE"]) > int(event["SEQUENCE"])
    cancelled = mdo_actions.cancel_mdo(cast.coordinator.user, moved, "De huisarts is ziek")
    cal = Calendar.from_ical(mdo_invitation(cancelled, invitation))
    assert str(cal["METHOD"]) == "CANCEL"
    (gone,) = cal.walk("VEVENT")
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) > int(again["SEQUENCE"])


def _make_feed(client) -> str:  # noqa: ANN001
    page = client.post(reverse("scheduling:feed_settings"), {"step": "renew"}).content.decode()
    return re.search(r'value="(http[^"]+\.ics)"', page).group(1).replace("http://testserver", "")


def test_the_feed_holds_the_mdo_without_health_detail(cast, client_for, mdo, visit):  # noqa: ANN001
    url = _make_feed(client_for("nurse"))
    from django.test import Client

    response = Client().get(url)  # no session: the secret is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = {str(e["UID"]): e for e in _events(response.content)}
    assert f"mdo-{mdo.fhir_id}@careweave" in events
    assert f"appointment-{visit.fhir_id}@careweave" in events
    body = response.content.decode()
    for detail in ("Maria", "Peeters", "heupfractuur", "Wondzorg", "Voeten nakijken", "Kerkstraat"):
        assert detail not in body
    assert str(events[f"mdo-{mdo.fhir_id}@careweave"]["SUMMARY"]) == "MDO M.P."
    assert not AuditEvent.objects.filter(reason__contains="calendar_feed").exists()


def test_titles_are_an_opt_in_and_then_audited(cast, client_for, mdo):  # noqa: ANN001
    nurse = client_for("nurse")
    url = _make_feed(nurse)
    nurse.post(reverse("scheduling:feed_settings"), {"step": "titles", "show_titles": "on"})
    from django.test import Client

    body = Client().get(url).content.decode()
    assert "MDO: Maria Peeters" in body and "Voeten nakijken" in body
    assert AuditEvent.objects.filter(person=cast.maria, reason__contains="calendar_feed").exists()


def test_a_renewed_or_stopped_link_is_gone(cast, client_for, mdo):  # noqa: ANN001
    from django.test import Client

    nurse = client_for("nurse")
    old = _make_feed(nurse)
    new = _make_feed(nurse)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    nurse.post(reverse("scheduling:feed_settings"), {"step": "stop"})
    assert Client().get(new).status_code == 404
    assert Client().get("/calendar/feed/guessed.ics").status_code == 404


def test_the_table_decides_at_read_time(cast, client_for, mdo):  # noqa: ANN001
    """The GP leaves Maria's team: her feed no longer holds Maria's MDO."""
    from django.test import Client

    from careweave.careplans import actions as plan_actions

    url = _make_feed(client_for("gp"))
    assert f"mdo-{mdo.fhir_id}" in Client().get(url).content.decode()
    plan_actions.remove_team_member(cast.maria.user, cast.member(cast.gp), reason="verhuisd")
    assert f"mdo-{mdo.fhir_id}" not in Client().get(url).content.decode()
