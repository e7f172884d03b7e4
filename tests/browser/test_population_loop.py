"""The micro -> meso loop in Chromium (issue #20): zone staff compute the zone's indicators from its own care work
and see them on the dashboard with their source and coverage."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zone_staff_see_indicators_from_the_zones_own_work(open_page, live_server, settings, tmp_path) -> None:  # noqa: ANN001
    from careweave.population.api import ensure_demo_population

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    settings.POPULATION_DATA_DIR = tmp_path / "population"
    ensure_demo_population(settings.POPULATION_DATA_DIR, persons=3000, seed=7)
    page = open_page("zonestaff", axe=True)
    page.set_default_timeout(120_000)
    page.goto(f"{live_server.url}/population/zones/ZORA/")
    expect(page.locator("#care-work")).to_be_visible()
    expect(page.locator("#work-coverage")).to_have_count(0)
    page.click("#run-work")
    page.wait_for_load_state("networkidle")
    coverage = page.locator("#work-coverage")
    expect(coverage).to_be_visible()
    expect(coverage.locator(".source")).to_have_text("Careweave's care plans")
    text = coverage.inner_text()
    assert "of the zone's" in text and "%" in text
    on_time = page.locator("#work-programme_review_on_time")
    expect(on_time).to_be_visible()
    assert on_time.locator(".value").inner_text().strip() not in ("", "—")
    expect(page.locator("#work-tasks_overdue .source")).to_have_text("Careweave's care plans")
    # the claims-like row the work also measures says where its own figure comes from
    # (those whose work figure is not hidden as a small cell)
    expect(page.locator("tr[id^=ind-] .source").first).to_contain_text("the claims-like set")
    assert_accessible(page, "zone dashboard with the work indicators")
    page.locator("#care-work").scroll_into_view_if_needed()
    screenshot(page, "zone-dashboard-work-indicators", full_page=True)
