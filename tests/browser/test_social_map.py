"""The social map in Chromium: "nearest physiotherapist who speaks French" near a postal code, results and markers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nearest_french_speaking_physiotherapist(open_page, live_server, settings) -> None:  # noqa: ANN001
    settings.CAREWEAVE_MAP_TILES = ""  # no internet in CI: markers without tiles
    page = open_page("gp", axe=True)
    page.goto(f"{live_server.url}/social-map/")
    page.select_option("#id_discipline", "physio")
    page.select_option("#id_language", "fr")
    page.fill("#id_near", "9400")
    page.click("[data-test=map-search-submit]")
    results = page.locator("[data-test=map-result]")
    expect(results.first).to_be_visible()
    count = results.count()
    assert count >= 3
    for i in range(count):
        assert results.nth(i).get_attribute("data-discipline") == "physio"
        assert "fr" in results.nth(i).get_attribute("data-languages").split(",")
    distances = [float(results.nth(i).locator("[data-test=distance]").inner_text().split()[0].replace(",", "."))
                 for i in range(count)]
    assert distances == sorted(distances)
    expect(page.locator("#social-map .leaflet-marker-icon")).to_have_count(count)
    assert page.locator("#social-map").get_attribute("data-markers") == str(count)
    assert_accessible(page, "social map")
    screenshot(page, "social-map", full_page=True)
