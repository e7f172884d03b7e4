"""The calendar in Dutch and French Chromium (issue 21): the nurse's week and month show Maria's MDO and the
home visit she booked; on a 390 px phone the calendar opens as a list that fits the screen. Screenshots
``calendar-week-<lang>.png``, ``calendar-month-<lang>.png`` and ``calendar-phone-<lang>.png``."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser.conftest import assert_accessible, demo, screenshot  # noqa: F401 - fixtures
from careweave.consultations.models import Consultation
from careweave.scheduling.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => document.scrollingElement.scrollWidth"


@pytest.fixture
def login(login):  # noqa: ANN001, ANN201 - the shared one; axe-core checks these pages
    return lambda username, language, width=1280: login(username, language, width, bypass_csp=True)


def _maria_items() -> tuple[Consultation, Appointment]:
    mdo = Consultation.objects.get(person__user__username="person", status="scheduled")
    visit = Appointment.objects.get(person__user__username="person", kind="home_visit")
    return mdo, visit


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_week_and_month_show_the_mdo_and_the_home_visit(login, live_server, language) -> None:  # noqa: ANN001
    mdo, visit = _maria_items()
    day = timezone.localdate(mdo.start).isoformat()
    page = login("nurse", language)
    page.click("[data-test=nav-calendar]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/calendar/?view=week&day={day}")
    week = page.locator("[data-test=cal-week]")
    expect(week.locator(f"a[href='/consultations/{mdo.fhir_id}/']")).to_be_visible()
    expect(week.locator(f"a[href='/calendar/appointments/{visit.fhir_id}/']")).to_be_visible()
    start = timezone.localdate(mdo.start)
    monday = start.fromordinal(start.toordinal() - start.weekday())
    expect(week.locator(".cal-day").first).to_have_attribute("data-day", monday.isoformat())  # Monday first
    assert_accessible(page, f"calendar week {language}")
    screenshot(page, f"calendar-week-{language}")

    page.click("[data-test=cal-view-month]")
    month = page.locator("[data-test=cal-month]")
    expect(month.locator(f"td[data-day='{day}'] a[href='/consultations/{mdo.fhir_id}/']")).to_be_visible()
    expect(month.locator(f"a[href='/calendar/appointments/{visit.fhir_id}/']")).to_be_visible()
    screenshot(page, f"calendar-month-{language}")

    page.locator(f"a[href='/calendar/appointments/{visit.fhir_id}/']").click()
    expect(page.locator("[data-test=appointment-title]")).to_contain_text("Maria Peeters")


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_on_a_phone_the_calendar_is_a_list_that_fits(login, live_server, language) -> None:  # noqa: ANN001
    mdo, visit = _maria_items()
    page = login("nurse", language, width=390)
    page.goto(f"{live_server.url}/calendar/?day={timezone.localdate(mdo.start).isoformat()}")
    expect(page.locator("[data-test=cal-week]")).to_be_hidden()
    listed = page.locator("[data-test=cal-auto-list]")
    expect(listed.locator(f"a[href='/consultations/{mdo.fhir_id}/']")).to_be_visible()
    expect(listed.locator(f"a[href='/calendar/appointments/{visit.fhir_id}/']")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 390
    screenshot(page, f"calendar-phone-{language}", full_page=True)
    page.click("[data-test=cal-view-month]")
    expect(page.locator("[data-test=cal-month]")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 390  # the month scrolls inside its own box
