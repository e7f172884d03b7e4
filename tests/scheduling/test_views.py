"""The calendar page (week, month, list), booking and an appointment's page, as each user sees them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careweave.access.models import AuditEvent
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment

from .conftest import at

pytestmark = pytest.mark.django_db
URL = reverse("scheduling:calendar")


def _page(client, **params) -> str:  # noqa: ANN001
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("view", ["week", "month", "list"])
def test_the_nurse_sees_the_mdo_and_her_home_visit(client_for, mdo, visit, view):  # noqa: ANN001
    html = _page(client_for("nurse"), view=view, day=_tomorrow())
    assert f'href="/consultations/{mdo.fhir_id}/"' in html
    assert f'href="/calendar/appointments/{visit.fhir_id}/"' in html
    assert "Home visit: Maria Peeters" in html and "MDO: Maria Peeters" in html
    assert f'data-test="cal-{"list-view" if view == "list" else view}"' in html


def test_by_default_the_week_and_its_list_for_small_screens(client_for, mdo, visit):  # noqa: ANN001
    html = _page(client_for("nurse"), day=_tomorrow())
    assert 'data-test="cal-week"' in html and 'data-test="cal-auto-list"' in html
    assert html.count(f'href="/calendar/appointments/{visit.fhir_id}/"') == 2


def test_the_week_starts_on_monday_in_the_readers_language(client_for, cast):  # noqa: ANN001
    html = _page(client_for("nurse", "nl"), view="week", day="2026-12-10")  # a Thursday
    assert 'data-day="2026-12-07"' in html  # Monday is the first day
    assert html.index("maandag") < html.index("zondag")
    assert 'data-day="2026-12-06"' not in html
    fr = _page(client_for("nurse", "fr"), view="month", day="2026-12-10")
    assert ">lun" in fr and 'data-day="2026-11-30"' in fr and 'data-day="2027-01-03"' in fr


def test_tasks_due_and_plan_reviews(cast, client_for):  # noqa: ANN001
    """Jan sees his task's due date; the team sees the plan's review date (the cast's plan: in 40 days)."""
    day = date.today() + timedelta(days=3)
    html = _page(client_for("carer"), view="list", day=date.today().isoformat())
    assert "Recepten voor de week uitkiezen" in html
    review = cast.plan.review_date
    gp = _page(client_for("gp"), view="month", day=review.isoformat())
    assert "Plan review: Maria Peeters" in gp
    assert day  # the task lies within the list's four weeks


def test_a_medical_task_or_note_is_only_for_full_access(cast, client_for):  # noqa: ANN001
    """The OCMW social worker (plan level) takes part in a visit whose note is medical: it is not shown."""
    from careweave.access.permissions import may

    medical = actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(9, 2),
                                         end=at(10, 2), note="Insuline", is_medical=True,
                                         members=[cast.member(cast.social), cast.member(cast.nurse)])
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert not may(cast.social.user, "scheduling.see_in_calendar", medical)
    assert str(medical.fhir_id) not in _page(client_for("socialworker"), view="list", day=day)
    assert str(medical.fhir_id) in _page(client_for("nurse"), view="list", day=day)
    assert client_for("socialworker").get(reverse("scheduling:appointment", args=[medical.fhir_id])).status_code == 403


def test_a_stranger_sees_nothing_and_the_reads_are_audited(cast, client_for, mdo, visit):  # noqa: ANN001
    assert "Maria" not in _page(client_for("stranger"), view="list", day=date.today().isoformat())
    before = AuditEvent.objects.filter(person=cast.maria, reason__contains="calendar").count()
    _page(client_for("nurse"), view="week", day=_tomorrow())
    assert AuditEvent.objects.filter(person=cast.maria, reason__contains="calendar").count() == before + 1


def test_who_left_the_team_no_longer_sees_the_mdo(cast, client_for, mdo):  # noqa: ANN001
    from careweave.careplans import actions as plan_actions

    plan_actions.remove_team_member(cast.maria.user, cast.member(cast.gp), reason="verhuisd")
    assert str(mdo.fhir_id) not in _page(client_for("gp"), view="week", day=_tomorrow())


def test_booking_through_the_form(cast, client_for):  # noqa: ANN001
    client = client_for("nurse")
    url = reverse("scheduling:new", args=[cast.maria.fhir_id])
    assert client.get(url).status_code == 200
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    bad = client.post(url, {"kind": "home_visit", "day": day, "start_time": "11:00", "end_time": "10:00",
                            "status": "booked"})
    assert bad.status_code == 422 and not Appointment.objects.exists()
    assert "must come after its start" in bad.content.decode()
    ok = client.post(url, {"kind": "phone_call", "day": day, "start_time": "10:00", "end_time": "10:15",
                           "status": "booked", "with_person": "on", "members": [str(cast.member(cast.nurse).pk)]})
    assert ok.status_code == 302
    booked = Appointment.objects.get()
    assert booked.kind == "phone_call" and booked.created_by == cast.nurse.user
    assert client_for("stranger").get(url).status_code == 403


def test_the_appointment_page_moves_cancels_and_refuses_a_stale_move(cast, client_for, visit):  # noqa: ANN001
    url = reverse("scheduling:appointment", args=[visit.fhir_id])
    nurse = client_for("nurse")
    page = nurse.get(url).content.decode()
    assert "Wondzorg na heupoperatie" in page and 'data-test="move-form"' in page
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    moved = nurse.post(url, {"step": "move", "move-day": day, "move-start_time": "09:00", "move-end_time": "09:30",
                             "move-place": "", "move-version": "1"})
    assert moved.status_code == 302
    stale = nurse.post(url, {"step": "move", "move-day": day, "move-start_time": "15:00",
                             "move-end_time": "15:30", "move-place": "", "move-version": "1"})
    assert stale.status_code == 422
    visit.refresh_from_db()
    assert timezone.localtime(visit.start).hour == 9 and visit.version == 2
    assert 'data-test="move-form"' not in client_for("gp").get(url).content.decode()
    refused = client_for("gp").post(url, {"step": "cancel", "cancel-reason": "x", "cancel-version": "2"})
    assert refused.status_code == 422
    done = nurse.post(url, {"step": "cancel", "cancel-reason": "Opgenomen", "cancel-version": "2"})
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "cancelled"
