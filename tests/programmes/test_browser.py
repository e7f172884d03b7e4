"""In Chromium: a GP enrols Maria in the frail-persons programme from her plan and sees the programme
panel; zone staff see the registry with the zone's pathway in co-creation. Screenshots for the docs."""

from __future__ import annotations

import pytest
from browser.conftest import demo, open_page, screenshot  # noqa: F401 - the browser fixtures
from playwright.sync_api import expect

from careweave.careplans.models import TeamMember
from careweave.people.models import Person
from careweave.programmes.actions import usable_versions
from careweave.programmes.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrol_from_the_plan_and_see_the_programme_and_the_registry(open_page, live_server) -> None:  # noqa: ANN001, F811
    maria = Person.objects.get(user__username="person")
    assert Enrolment.objects.filter(pathway__code="perinatal").exists(), "the demo has perinatal enrolments"
    page = open_page("gp")
    page.goto(f"{live_server.url}/persons/{maria.fhir_id}/")
    page.click("[data-test=enrol-link]")
    frail = next(v for v in usable_versions() if v.pathway.code == "frail-persons")
    page.select_option("#id_pathway", str(frail.pk))
    page.click("[data-test=submit]")
    expect(page.locator("#id_reference_member")).to_be_visible()  # the reference person is required
    assert not Enrolment.objects.filter(person=maria).exists(), "bad input changed nothing"
    gp_member = TeamMember.objects.get(team__person=maria, professional__user__username="gp", status="active")
    page.select_option("#id_reference_member", str(gp_member.pk))
    page.check("#id_person_agreed")  # a professional enrols with the person's agreement (issue 17.5)
    page.click("[data-test=submit]")
    panel = page.locator("[data-test=programme][data-programme=frail-persons]")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-test=programme-phase]")).to_have_attribute("data-phase", "follow-up")
    expect(panel.locator("[data-test=next-reassessment]")).to_be_visible()
    assert panel.locator("[data-test=task]").count() >= 3
    page.locator("#programmes").scroll_into_view_if_needed()
    page.locator("#programmes").screenshot(path=str(_shot_path("programme-plan")))

    staff = open_page("zonestaff")
    staff.goto(f"{live_server.url}/programmes/pathways/frail-falls/")
    expect(staff.locator("[data-test=current-step]")).to_have_attribute("data-step", "co_creation")
    assert staff.locator("[data-test=step-change]").count() >= 3
    expect(staff.locator("[data-test=step-form]")).to_be_visible()
    screenshot(staff, "pathway-registry", full_page=True)
    staff.goto(f"{live_server.url}/programmes/zone/")
    expect(staff.locator("[data-test=zone-programmes]").first).to_be_visible()


def _shot_path(name: str):  # noqa: ANN202
    import os

    from browser.conftest import REPO

    target = REPO / ("docs" if os.environ.get("CAREWEAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target / f"{name}.png"
