"""The zone dashboard in a real browser; saves docs/screenshots/population-dashboard.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture()
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required on CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    pytest.importorskip("playwright.sync_api")
    return CHROMIUM


def test_zone_dashboard_screenshot(chromium_path, live_server, settings, zone_pop):
    from django.contrib.auth.models import Group, User
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.POPULATION_DATA_DIR = zone_pop
    user = User.objects.create_superuser("browser", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                              "url": live_server.url}])
        page = context.new_page()
        response = page.goto(f"{live_server.url}/population/zones/ZORA/")
        assert response is not None and response.status == 200
        assert page.locator("svg").count() > 3
        assert page.locator("#ind-gmd_65").is_visible()
        out = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "population-dashboard.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    assert out.stat().st_size > 10_000
