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


def test_two_phones_vote_and_the_facilitators_screen_follows_without_reload(browser, live_server,  # noqa: ANN001
                                                                             screenshot_dir) -> None:
    """C13-R07: the room votes on their phones; the facilitator's count updates by htmx polling."""
    from careweave.maturity.models import VoteBallot

    zone = Zone.objects.create(code="ELZ-V", name="ELZ Stemming", region=Zone.Region.FLANDERS)
    staff = User.objects.create_user("staff", first_name="Lotte")
    ZoneStaff.objects.create(user=staff, zone=zone, role=ZoneStaff.Role.STAFF)
    round_ = actions.open_round(staff, zone, 2026)
    an = actions.invite_participant(staff, round_, User.objects.create_user("an", first_name="An"), "Thuiszorg")
    bert = actions.invite_participant(staff, round_, User.objects.create_user("bert", first_name="Bert"), "OCMW")
    for code in C:  # An submitted her questionnaire, Bert did not: both vote (C13-R11)
        actions.save_score(an.user, an, code, 2, "Omdat het zo is")
    actions.submit_scores(an.user, an)
    workshop = actions.plan_workshop(staff, round_, datetime(2026, 11, 5, tzinfo=UTC).date(), C[:3], attendees=2)

    facilitator = logged_in(browser, live_server, staff, language="en", axe=True)
    # Every session is written before the facilitator's screen starts polling: the test database is SQLite in
    # memory with a shared cache, where a write beside a reading server thread fails at once ("table is locked").
    phone_contexts = [logged_in(browser, live_server, person.user, language="nl") for person in (an, bert)]
    screen = facilitator.new_page()
    screen.goto(f"{live_server.url}/maturity/workshops/{workshop.pk}/live/")
    screen.click(f"[data-test=open-vote-{C[0]}]")
    expect(screen.locator("[data-test=vote-count]")).to_have_text("0 votes")
    loaded = screen.evaluate("() => performance.timeOrigin")

    phones = []
    for context, score in zip(phone_contexts, (4, 2), strict=True):
        context.set_default_timeout(10_000)
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 800})
        phone.goto(f"{live_server.url}/maturity/workshops/{workshop.pk}/vote/")
        expect(phone.locator("[data-test=vote-panel] h2")).to_contain_text("Bereidheid tot verandering")
        phone.click(f"[data-test=score-{score}]")
        expect(phone.locator("[data-test=my-vote]")).to_contain_text(str(score))
        phones.append((context, phone))
    bert_phone = phones[1][1]
    bert_phone.click("[data-test=score-3]")  # Bert changes his mind
    expect(bert_phone.locator("[data-test=my-vote]")).to_contain_text("3")

    expect(screen.locator("[data-test=vote-count]")).to_have_text("2 votes")  # polled, not reloaded
    expect(screen.locator("[data-test=room-4]")).to_have_text("1")
    expect(screen.locator("[data-test=room-3]")).to_have_text("1")
    expect(screen.locator("[data-test=room-2]")).to_have_text("0")
    assert screen.evaluate("() => performance.timeOrigin") == loaded, "the facilitator's page was not reloaded"
    assert_accessible(screen, "maturity live vote")
    screen.screenshot(path=str(screenshot_dir / "maturity-live-vote.png"))

    screen.click("[data-test=close-vote]")
    expect(screen.locator("[data-test=vote-state]")).to_contain_text("final result")
    expect(bert_phone.locator("[data-test=no-vote]")).to_be_visible()  # the phone follows by polling too
    assert sorted(VoteBallot.objects.values_list("score", flat=True)) == [3, 4]
    for context, _phone in phones:
        context.close()
    facilitator.close()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_two_tabs_of_one_browser_never_overwrite_each_other_silently(browser, live_server, language) -> None:  # noqa: ANN001
    """Issue 18.2: both tabs said "Saved" and the last one silently won; the version now travels per tab."""
    zone = Zone.objects.create(code="ELZ-T", name="ELZ Tabs", region=Zone.Region.FLANDERS)
    staff = User.objects.create_user("staff")
    ZoneStaff.objects.create(user=staff, zone=zone, role=ZoneStaff.Role.STAFF)
    round_ = actions.open_round(staff, zone, 2026)
    nurse = User.objects.create_user("nurse", first_name="Sofie", last_name="Van Damme")
    participant = actions.invite_participant(staff, round_, nurse, "Thuisverpleging", "verpleegkundige")
    url = f"{live_server.url}/maturity/rounds/{round_.pk}/score/"
    context = logged_in(browser, live_server, nurse, language=language)
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.goto(url)
        expect(page.locator("[data-maturity-form]")).to_have_attribute("data-ready", "true")
    first.check(f"#score-{C[0]}-3")
    first.locator(f"#argument-{C[0]}").press_sequentially("Eerste tabblad", delay=5)
    expect(first.locator(f"[data-test=status-{C[0]}]")).to_have_attribute("data-state", "complete")
    second.check(f"#score-{C[0]}-1")
    second.locator(f"#argument-{C[0]}").press_sequentially("Tweede tabblad", delay=5)
    expect(second.locator(f"[data-test=status-{C[0]}]")).to_have_attribute("data-state", "conflict")
    row = DimensionScore.objects.get(participant=participant, dimension=C[0])
    assert (row.score, row.argument) == (3, "Eerste tabblad"), "the second tab did not overwrite the first"
    second.click("[data-test=keep-mine]")  # the second tab's writer chooses, knowing the other exists
    expect(second.locator(f"[data-test=status-{C[0]}]")).to_have_attribute("data-state", "complete")
    row.refresh_from_db()
    assert (row.score, row.argument) == (1, "Tweede tabblad")
    context.close()
