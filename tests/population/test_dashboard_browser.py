"""The zone dashboard in a real browser; saves docs/screenshots/population-dashboard.png."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zone_dashboard_screenshot(browser, screenshot_dir, live_server, settings, zone_pop):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    settings.POPULATION_DATA_DIR = zone_pop
    user = User.objects.create_superuser("browser", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(f"{live_server.url}/population/zones/ZORA/")
    assert response is not None and response.status == 200
    assert page.locator("svg").count() > 3
    assert page.locator("#ind-gmd_65").is_visible()
    out = screenshot_dir / "population-dashboard.png"
    page.screenshot(path=str(out), full_page=True)
    context.close()
    assert out.stat().st_size > 10_000


def test_zone_dashboard_fits_a_390px_phone(browser, live_server, settings, zone_pop):
    """Issue 11.6: no horizontal scrolling of the page; wide tables scroll inside their own box."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    settings.POPULATION_DATA_DIR = zone_pop
    user = User.objects.create_user("phone", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(f"{live_server.url}/population/zones/ZORA/")
    assert response is not None and response.status == 200
    width = page.evaluate("() => document.documentElement.scrollWidth")
    pyramid = page.locator("svg.pyramid, svg[aria-labelledby=pyramid-title]").first.bounding_box()
    context.close()
    assert width <= 390, f"the dashboard is {width}px wide on a 390px phone"
    assert pyramid["x"] + pyramid["width"] <= 390
