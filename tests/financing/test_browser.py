"""The provisions report and the simulator's plot in Chromium; screenshots financing-report.png and
financing-simulator.png."""

from __future__ import annotations

import pytest
from browser.conftest import assert_accessible
from django.contrib.auth.models import User

from careweave.financing.seedtable import load_seed_table
from careweave.people.models import Discipline
from careweave.territory.models import ZoneStaff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-browser-password"


def test_zone_staff_read_the_p3_table_and_compare_financing_models(browser, live_server, screenshot_dir, settings,
                                                                   small_pop, zone, make_professional):
    settings.POPULATION_DATA_DIR = str(small_pop)
    load_seed_table(zone, [make_professional(Discipline.HOME_NURSE)])
    staff = User.objects.create_user("meldpunt", password=PASSWORD, first_name="Lotte")
    ZoneStaff.objects.create(user=staff, zone=zone, role=ZoneStaff.Role.STAFF)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "meldpunt")
    page.fill("#id_password", PASSWORD)
    page.click("[data-test=login-submit]")
    page.wait_for_load_state("networkidle")
    page.click("[data-test=nav-financing]")
    page.click("[data-test=report-link]")
    total = page.locator("[data-test=row][data-code=TOTAL] [data-test=count]")
    digits = [int("".join(ch for ch in t if ch.isdigit())) for t in total.all_inner_texts()]
    assert digits == [108682, 165330, 205495, 197605, 208137, 50933]  # 003 l.25
    new = page.locator("[data-test=row][data-code=NEW] [data-test=count]")
    assert [int("".join(ch for ch in t if ch.isdigit())) for t in new.all_inner_texts()] == [
        2675, 2186, 2477, 2614, 2666, 720]  # 003 l.27
    assert page.locator("[data-test=period]").first.inner_text() == "Q2–Q4 2019"
    page.screenshot(path=str(screenshot_dir / "financing-report.png"), full_page=True)
    page.click("[data-test=tab-quarter]")
    assert page.locator("[data-test=period]").count() == 20
    assert_accessible(page, "financing report")

    page.goto(f"{live_server.url}/financing/simulator/")
    plot = page.locator("[data-test=simulator-plot]")
    assert plot.is_visible()
    rows = page.locator("[data-test=sim-row]").count()
    assert rows >= 5 and page.locator("[data-test=bar]").count() == 6 * rows
    page.screenshot(path=str(screenshot_dir / "financing-simulator.png"), full_page=True)
    assert_accessible(page, "financing simulator")
    context.close()
