"""Focus after htmx swaps and the layout on a phone, in Chromium (issue 11.6)."""

from __future__ import annotations

import pytest

from careweave.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const a = document.activeElement;
  const main = document.getElementById('main');
  return {tag: a ? a.tagName : null, inMain: !!(main && a && main.contains(a)),
          cls: a ? a.className : '', text: a ? (a.textContent || '').trim().slice(0, 80) : ''};
}"""


def _wait_for_swap(page) -> None:  # noqa: ANN001
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # htmx settles 20 ms after the swap


def test_focus_moves_to_the_news_after_an_htmx_form_swap(open_page, live_server) -> None:  # noqa: ANN001
    maria = Person.objects.get(user__username="person")
    carer = open_page("carer")
    carer.goto(f"{live_server.url}/persons/{maria.fhir_id}/")
    carer.check("input[name=feeling][value=heavy]")
    carer.fill("#id_text", "Zwaar deze week")
    carer.click("[data-test=checkin-submit]")
    _wait_for_swap(carer)
    focused = carer.evaluate(FOCUSED)
    assert focused["tag"] != "BODY", focused
    assert focused["inMain"], focused
    assert "messages" in focused["cls"] or "Thank you" in focused["text"], focused


def test_focus_lands_in_the_region_when_the_swap_brings_an_error(open_page, live_server) -> None:  # noqa: ANN001
    maria = Person.objects.get(user__username="person")
    gp = open_page("gp")
    gp.goto(f"{live_server.url}/persons/{maria.fhir_id}/")
    gp.locator("#journal-form button[type=submit]").click()  # an empty message: the server says why
    _wait_for_swap(gp)
    focused = gp.evaluate(FOCUSED)
    assert focused["tag"] != "BODY" and focused["inMain"], focused


@pytest.mark.parametrize("username", ["zonestaff", "coordinator", "gp"])
def test_on_a_390px_phone_the_menu_shows_every_item_and_nothing_overflows(open_page, username) -> None:  # noqa: ANN001
    page = open_page(username, viewport=(390, 844))
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 390, f"{username}: the page is {overflow}px wide"
    links = page.locator(".site-nav a")
    assert links.count() >= 3
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            username, links.nth(i).inner_text(), box)
