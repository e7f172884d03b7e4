"""Assessments in Chromium: a home visit without a network (the form keeps every answer on the
device, survives a reload offline and arrives exactly once when the network is back), and the
staged screening journey in Dutch and French with the result, its trend and screenshots."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import formats, translation
from playwright.sync_api import expect

from browser.conftest import assert_accessible, screenshot
from careweave.access.models import AuditEvent
from careweave.assessments.models import Assessment
from careweave.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
REPEAT_SYNC = """async (body) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch("/assessments/sync/", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": token}, body: JSON.stringify(body)});
  return (await response.json()).outcome;
}"""


def leave(page) -> None:  # noqa: ANN001
    """Leave the assessment pages and let the service worker's last requests (its update check
    after each navigation) reach the live server before the test database is flushed."""
    page.goto("about:blank")
    page.wait_for_timeout(1500)


def switch_language(page, code: str) -> None:  # noqa: ANN001
    page.click(f"[data-test=lang-{code}]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == code


def test_a_nurse_fills_in_a_phq9_offline_reloads_finishes_and_it_arrives_exactly_once(open_page, live_server):
    maria = Person.objects.get(user__username="person")
    nurse = User.objects.get(username="nurse")
    earlier = set(Assessment.objects.filter(person=maria).values_list("pk", flat=True))
    scores = [2, 1, 2, 1, 0, 1, 1, 0, 0]

    page = open_page("nurse")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/assessments/persons/{maria.fhir_id}/new/phq-9/")
    form = page.locator("[data-assessment-form]")
    status = page.locator("[data-test=sync-status]")
    expect(form).to_have_attribute("data-offline", "ready", timeout=30_000)
    for i, score in enumerate(scores[:5], start=1):
        page.check(f"#q-phq9-{i}-{score}")

    # The home visit: no network from here on.
    page.context.set_offline(True)
    for i, score in enumerate(scores[5:], start=6):
        page.check(f"#q-phq9-{i}-{score}")
    expect(status).to_have_text("Saved on this device, not yet sent.")
    reads = AuditEvent.objects.filter(user=nurse, person=maria, action="R").count()

    page.reload()
    expect(form).to_have_attribute("data-ready", "true")
    assert form.get_attribute("data-restored") == "yes"
    for i, score in enumerate(scores, start=1):
        expect(page.locator(f"#q-phq9-{i}-{score}")).to_be_checked()
    assert AuditEvent.objects.filter(user=nurse, person=maria, action="R").count() == reads, (
        "the reload was served from the device, not by the server"
    )

    page.click("#screen-0 [data-test=next]")
    expect(page.locator("#screen-1")).to_be_visible()
    page.check("#q-phq9-10-1")
    page.click("#screen-1 [data-test=finish]")
    expect(page.locator("[data-test=offline-done]")).to_be_visible()
    expect(status).to_contain_text("not yet sent")
    assert not Assessment.objects.filter(person=maria).exclude(pk__in=earlier).exists(), "nothing left the device"

    # Back online: sent once, the local copy removed.
    page.context.set_offline(False)
    expect(page.locator("[data-test=result-link]")).to_be_visible(timeout=30_000)
    expect(status).to_have_text("Sent.")
    arrived = Assessment.objects.filter(person=maria).exclude(pk__in=earlier)
    assert arrived.count() == 1
    assessment = arrived.get()
    expected = {f"phq9-{i}": PHQ[s] for i, s in enumerate(scores, start=1)} | {"phq9-10": "somewhat"}
    assert assessment.status == "completed" and assessment.answers == expected
    assert assessment.author == nurse and assessment.scores.get(code="total").value == sum(scores)
    assert page.evaluate("async () => (await idbKeyval.keys()).filter(k => k.startsWith('response:')).length") == 0

    # The same response sent again (a second tab, a retry after a lost reply): still one.
    body = {"person": str(maria.fhir_id), "client_id": str(assessment.client_id), "instrument": "phq-9",
            "version": "1.0.0", "base_version": None, "answers": expected, "complete": True}
    assert page.evaluate(REPEAT_SYNC, body) == "unchanged"
    assert Assessment.objects.filter(person=maria).exclude(pk__in=earlier).count() == 1

    page.click("[data-test=result-link]")
    expect(page.locator("[data-test=score-value]").first).to_have_text(str(sum(scores)))
    assert not page.csp_errors, page.csp_errors
    leave(page)


def test_staged_screening_in_dutch_and_french_with_the_result_and_its_trend(open_page, live_server):
    maria = Person.objects.get(user__username="person")
    page = open_page("gp", viewport=(390, 844), axe=True)
    switch_language(page, "nl")
    page.goto(f"{live_server.url}/persons/{maria.fhir_id}/")
    expect(page.locator("[data-test=plan-assessments] [data-test=assessment-row]").first).to_be_visible()
    page.click("[data-test=start-assessment]")
    assert_accessible(page, "assessments of a person")
    page.click("[data-test=start-phq-2]")

    # A short screen first: positive.
    form = page.locator("[data-assessment-form]")
    expect(form).to_have_attribute("data-ready", "true")
    page.check("#q-phq2-1-3")
    page.check("#q-phq2-2-2")
    page.click("#screen-0 [data-test=finish]")
    expect(page.locator("[data-test=result-link]")).to_be_visible(timeout=30_000)  # sent, and the reply is in
    page.click("[data-test=result-link]")
    expect(page.locator("[data-test=score-value]").first).to_have_text("5")
    expect(page.locator("[data-test=follow-up]")).to_be_visible()

    # The PHQ-9 it proposes: what was just answered is offered, with when and by whom.
    page.click("[data-test=start-follow-up]")
    expect(form).to_have_attribute("data-ready", "true")
    with translation.override("nl"):
        today = formats.date_format(date.today(), "DATE_FORMAT")
    priors = page.locator("[data-test=prior]")
    assert priors.count() >= 2
    expect(priors.first).to_contain_text(today)
    expect(priors.first).to_contain_text("An Claes")
    expect(page.locator("#q-phq9-1-3")).to_be_checked()
    expect(page.locator("#q-phq9-2-2")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert_accessible(page, "assessment form")
    screenshot(page, "assessment-form")

    for i, score in ((3, 2), (4, 2), (5, 1), (6, 1), (7, 1), (8, 0), (9, 0)):
        page.check(f"#q-phq9-{i}-{score}")
    page.click("#screen-0 [data-test=next]")
    page.check("#q-phq9-10-2")
    page.click("#screen-1 [data-test=finish]")
    expect(page.locator("[data-test=result-link]")).to_be_visible(timeout=30_000)
    page.click("[data-test=result-link]")
    expect(page.locator("[data-test=score-value]").first).to_have_text("12")
    expect(page.locator("[data-test=trend-plot]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the result and its plot fit a phone"

    # The result in French, with the trend over the earlier PHQ-9s of the demo.
    switch_language(page, "fr")
    page.set_viewport_size({"width": 1280, "height": 900})
    plot = page.locator("[data-test=trend-plot]").first
    expect(plot).to_be_visible()
    assert len(plot.locator("polyline").get_attribute("points").split()) == 4
    expect(page.locator("[data-test=interpretation]").first).not_to_be_empty()
    assert_accessible(page, "assessment result")
    screenshot(page, "assessment-result", full_page=True)
    assert not page.csp_errors, page.csp_errors
    leave(page)


def test_answers_saved_meanwhile_by_someone_else_are_shown_not_overwritten(open_page, live_server):
    from careweave.assessments import actions

    maria = Person.objects.get(user__username="person")
    gp = User.objects.get(username="gp")
    started = actions.start_assessment(gp, maria, "phq-9", prefill=False)
    page = open_page("nurse")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/assessments/{started.fhir_id}/")
    expect(page.locator("[data-assessment-form]")).to_have_attribute("data-offline", "ready", timeout=30_000)

    page.context.set_offline(True)
    page.check("#q-phq9-1-0")  # not at all
    expect(page.locator("[data-test=sync-status]")).to_have_text("Saved on this device, not yet sent.")
    actions.save_answers(gp, started, {"phq9-1": PHQ[3]}, started.version)  # the GP, meanwhile: nearly every day

    page.context.set_offline(False)
    conflict = page.locator("[data-test=sync-conflict]")
    expect(conflict).to_be_visible(timeout=30_000)
    expect(conflict.locator("tbody tr")).to_have_count(1)
    expect(conflict.locator(".diff__theirs")).to_have_text("Nearly every day")
    expect(conflict.locator(".diff__yours")).to_have_text("Not at all")
    started.refresh_from_db()
    assert started.answers == {"phq9-1": PHQ[3]}, "nothing overwritten"

    page.click("[data-test=keep-mine]")  # a deliberate choice
    expect(page.locator("[data-test=sync-status]")).to_have_text("Sent.", timeout=30_000)
    started.refresh_from_db()
    assert started.answers == {"phq9-1": PHQ[0]} and Assessment.objects.filter(client_id=started.client_id).count() == 1
    leave(page)


@pytest.mark.parametrize(("language", "several_days"), [("nl", "Meerdere dagen"), ("fr", "Plusieurs jours")])
def test_a_phq9_of_five_weeks_ago_is_shown_as_last_time_not_filled_in(open_page, live_server, language, several_days):
    """The PHQ-9 asks about the last two weeks: the demo's PHQ-9 of 35 days ago must not become today's answers."""
    maria = Person.objects.get(user__username="person")
    page = open_page("gp")
    switch_language(page, language)
    page.goto(f"{live_server.url}/assessments/persons/{maria.fhir_id}/new/phq-9/")
    expect(page.locator("[data-assessment-form]")).to_have_attribute("data-ready", "true")
    expect(page.locator("#q-phq9-1 [data-test=last-time]")).to_contain_text(several_days)
    expect(page.locator("[data-test=last-time]")).to_have_count(10)  # the nine and how difficult
    expect(page.locator("[data-test=prior]")).to_have_count(0)
    expect(page.locator("[data-assessment-form] input[type=radio]:checked")).to_have_count(0)
    leave(page)
