"""MDO in Chromium: the coordinator opens the MDOs to organise, schedules the proposal made at a transition
point, invites the team, records attendance and a decision that becomes a task (screenshot ``mdo.png``)."""

from __future__ import annotations

import pytest
from browser.conftest import assert_accessible, demo, open_page, screenshot  # noqa: F401 - fixtures
from django.utils import timezone
from playwright.sync_api import expect

from careweave.careplans.models import Task
from careweave.consultations.models import Consultation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_organises_an_mdo(open_page, live_server) -> None:  # noqa: ANN001, F811
    proposal = Consultation.objects.get(status="proposed", transition_kind="care_setting")
    page = open_page("coordinator", axe=True)
    page.click("[data-test=lang-en]")
    page.wait_for_load_state("networkidle")
    page.click("[data-test=nav-mdo]")
    proposals = page.locator("[data-test=mdo-proposals]")
    expect(proposals).to_contain_text(str(proposal.person))
    proposals.locator(f"a[href$='/consultations/{proposal.fhir_id}/']").first.click()
    page.click("[data-test=mdo-schedule]")

    page.check("#id_mode_0")
    page.fill("#id_day", timezone.localdate().isoformat())
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "08:00")
    page.fill("#id_location", "Wijkgezondheidscentrum De Linde")
    page.click("[data-test=submit]")
    expect(page.locator(".field--error")).to_contain_text("The end must come after the start.")
    page.fill("#id_end_time", "10:00")
    page.click("[data-test=submit]")
    expect(page.locator("[data-test=mdo-status]")).to_have_attribute("data-status", "scheduled")

    invite = page.locator("[data-test=invite-form]")
    for box in invite.locator("input[type=checkbox]").all():
        box.check()
    page.click("[data-test=invite-submit]")
    expect(page.locator("[data-test=participant]").first).to_be_visible()
    attendance = page.locator("[data-test=attendance-form]")
    for box in attendance.locator("input[type=checkbox]").all():
        box.check()
    page.click("[data-test=attendance-submit]")
    expect(page.locator("[data-test=mdo-status]")).to_have_attribute("data-status", "held")

    page.fill("#id_minutes-text", "Terug thuis: het team spreekt de zorg af.")
    page.click("[data-test=minutes-submit]")
    page.fill("#id_decision-text", "Valrisico thuis beoordelen")
    page.select_option("#id_decision-assignee", index=2)
    page.click("[data-test=decision-submit]")
    expect(page.locator("[data-test=mdo-decision]")).to_contain_text("Valrisico thuis beoordelen")
    expect(page.locator("[data-test=reimbursement]")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == "held"
    assert Task.objects.filter(mdo_decision__consultation=proposal, description="Valrisico thuis beoordelen").exists()
    assert_accessible(page, "mdo")
    screenshot(page, "mdo", full_page=True)
