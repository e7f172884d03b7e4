"""The main screens: no serious or critical axe-core violation, and a screenshot of each for the docs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.conftest import assert_accessible, screenshot
from careweave.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_screens_are_accessible_and_photographed(open_page, live_server):
    maria = Person.objects.get(user__username="person")
    plan_url = f"{live_server.url}/persons/{maria.fhir_id}/"

    login = open_page(None, axe=True)
    assert login.locator("[data-test=demo-person]").is_visible(), "the demo accounts are listed"
    assert_accessible(login, "login")
    screenshot(login, "login")

    person = open_page("person", axe=True)
    assert person.locator("html").get_attribute("lang") == "nl"
    assert_accessible(person, "person home")
    screenshot(person, "person-home-nl")
    person.goto(plan_url + "team/")
    assert_accessible(person, "team")
    screenshot(person, "team")
    person.goto(plan_url + "privacy/")
    assert_accessible(person, "who sees my file")
    screenshot(person, "who-looked")
    person.goto(plan_url + "print/")
    person.emulate_media(media="print")
    screenshot(person, "printable-plan", full_page=True)
    person.emulate_media(media="screen")

    phone = open_page("person", viewport=(390, 844), axe=True)
    assert_accessible(phone, "person home on a phone")
    screenshot(phone, "person-phone")

    gp = open_page("gp", axe=True)
    gp.click("[data-test=lang-fr]")
    gp.wait_for_load_state("networkidle")
    assert_accessible(gp, "caseload")
    gp.click("[data-test=lang-en]")
    gp.wait_for_load_state("networkidle")
    screenshot(gp, "caseload")
    gp.click("[data-test=lang-fr]")
    gp.wait_for_load_state("networkidle")
    gp.goto(plan_url)
    assert gp.locator("html").get_attribute("lang") == "fr"
    assert_accessible(gp, "plan page")
    screenshot(gp, "plan-fr")

    nurse = open_page("nurse", axe=True)
    nurse.click("[data-test=lang-en]")
    nurse.goto(f"{live_server.url}/tasks/")
    assert_accessible(nurse, "my tasks")
    screenshot(nurse, "my-tasks")

    coordinator = open_page("coordinator", axe=True)
    coordinator.click("[data-test=lang-en]")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.url.endswith("/coordination/")
    assert_accessible(coordinator, "coordinator home")
    screenshot(coordinator, "coordinator")

    zone = open_page("zonestaff", axe=True)
    zone.click("[data-test=lang-en]")
    zone.wait_for_load_state("networkidle")
    assert_accessible(zone, "contact point")
    screenshot(zone, "zone-contact-point")
    zone.click("[data-test=decide-request] >> nth=0")
    zone.wait_for_load_state("networkidle")
    assert_accessible(zone, "request decision")

    case_manager = open_page("casemanager", axe=True)
    assert case_manager.url.endswith("/case-management/")
    assert_accessible(case_manager, "case management")


def test_keyboard_only_reaches_the_content_and_the_language_switch(open_page):
    page = open_page("person")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused in ("A", "BUTTON", "INPUT", "TEXTAREA", "SELECT"), "the next stop is inside the content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"


def test_htmx_filters_the_caseload_while_typing_and_keeps_the_page(open_page):
    page = open_page("gp")
    assert page.evaluate("typeof window.htmx") == "object", "htmx is served (make assets)"
    page.evaluate("window.__same_document = true")
    total = page.locator("[data-test=caseload-row]").count()
    assert total > 5
    page.fill("#id_q", "Maria Peeters")
    expect(page.locator("[data-test=caseload-row]")).to_have_count(1)
    assert page.evaluate("window.__same_document") is True, "updated in place, no page load"
    assert "q=Maria" in page.url, "the filter is in the address, so it can be bookmarked and shared"
    assert not page.csp_errors, page.csp_errors
