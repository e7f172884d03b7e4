"""The maturity pages in Chromium: nothing typed is lost when the tab closes mid-word, and the
zone's spider charts and workshop suggestion (screenshots maturity-scoring.png, maturity-spider.png)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from browser.conftest import assert_accessible
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import expect

from careweave.demo.maturity import PANEL, load_maturity
from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import DimensionScore, MaturityRound, Participant
from careweave.territory.models import Zone, ZoneStaff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
C = codes()


def logged_in(browser, live_server, user: User, *, language: str = "nl", axe: bool = False):  # noqa: ANN001, ANN201
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language, bypass_csp=axe,
                                  extra_http_headers={"Accept-Language": language})
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context


@pytest.fixture
def demo_zone() -> dict[str, User]:
    """The demo's maturity rounds on a small zone with the demo accounts (fast: no persons)."""
    zone = Zone.objects.create(code="ZORA", name="ELZ Zora", region=Zone.Region.FLANDERS)
    users = {name: User.objects.create_user(name, first_name=name.title()) for name in PANEL}
    ZoneStaff.objects.create(user=users["zonestaff"], zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    load_maturity(users, datetime(2026, 12, 3, 9, tzinfo=UTC))
    return users


def test_every_answer_survives_closing_the_tab_mid_typing(browser, live_server, screenshot_dir) -> None:  # noqa: ANN001
    zone = Zone.objects.create(code="ELZ-B", name="ELZ Browser", region=Zone.Region.FLANDERS)
    staff = User.objects.create_user("staff")
    ZoneStaff.objects.create(user=staff, zone=zone, role=ZoneStaff.Role.STAFF)
    round_ = actions.open_round(staff, zone, 2026)
    nurse = User.objects.create_user("nurse", first_name="Sofie", last_name="Van Damme")
    participant = actions.invite_participant(staff, round_, nurse, "Thuisverpleging", "verpleegkundige")
    url = f"{live_server.url}/maturity/rounds/{round_.pk}/score/"
    context = logged_in(browser, live_server, nurse)

    page = context.new_page()
    page.goto(url)
    expect(page.locator("[data-maturity-form]")).to_have_attribute("data-ready", "true")
    for code, score, text in ((C[0], 3, "Er is een gedeelde visie"), (C[1], 2, "De zorgraad vergadert maandelijks")):
        page.check(f"#score-{code}-{score}")
        page.locator(f"#argument-{code}").press_sequentially(text, delay=5)
        expect(page.locator(f"[data-test=status-{code}]")).to_have_attribute("data-state", "complete")
    # The network dies while the third argument is being typed, and the tab is closed mid-word.
    page.check(f"#score-{C[2]}-1")
    expect(page.locator(f"[data-test=status-{C[2]}]")).to_have_attribute("data-state", "draft")
    context.set_offline(True)
    page.locator(f"#argument-{C[2]}").press_sequentially("Iedere discipline gebruikt een eigen dossi", delay=5)
    page.close()

    saved = {s.dimension: s for s in DimensionScore.objects.filter(participant=participant)}
    assert saved[C[0]].complete and saved[C[0]].argument == "Er is een gedeelde visie"
    assert saved[C[1]].argument == "De zorgraad vergadert maandelijks"
    assert saved[C[2]].score == 1 and saved[C[2]].argument == "", "the last keystrokes never reached the server"

    context.set_offline(False)
    page = context.new_page()
    page.goto(url)
    form = page.locator("[data-maturity-form]")
    expect(form).to_have_attribute("data-ready", "true")
    assert form.get_attribute("data-restored") == "1"
    expect(page.locator(f"#argument-{C[2]}")).to_have_value("Iedere discipline gebruikt een eigen dossi")
    expect(page.locator(f"#score-{C[2]}-1")).to_be_checked()
    expect(page.locator(f"#argument-{C[0]}")).to_have_value("Er is een gedeelde visie")
    expect(page.locator(f"#score-{C[1]}-2")).to_be_checked()
    expect(page.locator(f"[data-test=status-{C[2]}]")).to_have_attribute("data-state", "complete")
    row = DimensionScore.objects.get(participant=participant, dimension=C[2])
    assert row.argument == "Iedere discipline gebruikt een eigen dossi" and row.complete
    pending = f"Object.keys(localStorage).filter(k => k.startsWith('maturity:{participant.pk}:')).length"
    assert page.evaluate(pending) == 0, "nothing is left waiting on the device"

    page.click("[data-test=submit-scores]")  # 3 of 12: refused with the missing dimensions, nothing lost
    expect(page.locator(".alert--error")).to_contain_text("4.")
    assert not Participant.objects.get(pk=participant.pk).submitted
    page.locator(f"#dim-{C[1]}-title").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(screenshot_dir / "maturity-scoring.png"))
    context.close()


def test_zone_staff_see_spider_charts_the_workshop_suggestion_and_last_year(browser, live_server, screenshot_dir,  # noqa: ANN001
                                                                             demo_zone) -> None:
    closed, current = MaturityRound.objects.get(year=2025), MaturityRound.objects.get(year=2026)
    context = logged_in(browser, live_server, demo_zone["zonestaff"], axe=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/maturity/rounds/{closed.pk}/results/")
    expect(page.locator("[data-test=spider-chart]").first).to_be_visible()
    expect(page.locator("[data-test=suggested] li")).to_have_count(5)
    expect(page.locator("[data-test=participant-chart]")).to_have_count(6)
    assert_accessible(page, "maturity results")
    page.screenshot(path=str(screenshot_dir / "maturity-spider.png"))

    page.select_option("#id_count", "3") if page.locator("#id_count").evaluate("e => e.tagName") == "SELECT" else \
        page.fill("#id_count", "3")
    page.locator("[data-test=workshop-suggestion] button[type=submit]").click()
    expect(page.locator("[data-test=suggested] li")).to_have_count(3)

    workshop = closed.workshops.get()
    page.goto(f"{live_server.url}/maturity/workshops/{workshop.pk}/")
    expect(page.locator("[data-test=consensus-form] fieldset")).to_have_count(workshop.dimensions.count())
    page.goto(f"{live_server.url}/maturity/rounds/{current.pk}/compare/")
    expect(page.locator("[data-test=spider-series]")).to_have_count(2)
    assert_accessible(page, "maturity comparison")
    context.close()
