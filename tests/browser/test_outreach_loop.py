"""Issue #20 in a real browser, in Dutch and in French: the GP's micro dashboard with the zone's outreach
list narrowed to their own patients (named), the follow-up recorded there; the zone's PDCA page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from careweave.population.generator import generate
from careweave.population.models import OutreachItem

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_gp_finds_the_zones_list_narrowed_to_their_own_patients(login, live_server, language) -> None:  # noqa: ANN001
    page = login("gp", language)
    page.click("[data-test=nav-my-patients]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    rows = page.locator("[data-test=outreach-person]")
    expect(rows.first).to_be_visible()
    names = rows.all_inner_texts()
    assert any("Maria Peeters" in n for n in names)
    gp = User.objects.get(username="gp").professional
    mine = OutreachItem.objects.filter(person__care_teams__members__professional=gp,
                                       person__care_teams__members__status="active").distinct().count()
    assert rows.count() == mine < OutreachItem.objects.count()  # the others' patients are not shown
    maria = rows.filter(has_text="Maria Peeters")
    maria.locator("[data-test=followup-state]").select_option("followed_up")
    maria.locator("[data-test=followup-save]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-test=outreach-person]").filter(has_text="Maria Peeters")).to_have_attribute(
        "data-state", "followed_up")
    screenshot(page, f"gp-my-patients-{language}", full_page=True)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_zone_staff_plan_an_action_against_the_target(login, live_server, settings, tmp_path, language) -> None:  # noqa: ANN001
    generate(3000, 41, tmp_path / "be")
    settings.POPULATION_MACRO_DIR = tmp_path / "be"
    settings.POPULATION_DATA_DIR = tmp_path / "none"
    page = login("zonestaff", language)
    page.click("[data-test=nav-pdca]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    target = page.locator("[data-test=pdca-target]").first
    expect(target.locator("[data-test=pdca-chart] polyline")).to_have_count(1)
    form = target.locator("[data-test=pdca-plan-action]")
    form.locator("input[name$=description]").fill("Infosessie in het dienstencentrum")
    form.locator("input[name$=owner_name]").fill("Lotte Maes")
    form.locator("input[name$=due_date]").fill((date.today() + timedelta(days=14)).isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    actions = page.locator("[data-test=pdca-target]").first.locator("[data-test=pdca-action]")
    expect(actions).to_have_count(3)
    expect(actions.locator("input[value='Infosessie in het dienstencentrum']")).to_have_count(1)
    screenshot(page, f"pdca-{language}", full_page=True)


def test_the_policy_maker_lands_on_the_zones_compared(login, live_server, settings, tmp_path) -> None:  # noqa: ANN001
    generate(6000, 43, tmp_path / "be")
    settings.POPULATION_MACRO_DIR = tmp_path / "be"
    page = login("policy", "fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("[data-test=macro-zone]")).to_have_count(13)
    page.select_option("[data-test=macro-indicator]", "flu_vaccination_65")
    page.locator("form[role=search] button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-test=macro-bars] rect").first).to_be_visible()
    assert "Maria" not in page.content()
    screenshot(page, "macro-fr", full_page=True)
