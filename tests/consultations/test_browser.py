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


def test_two_editors_merge_the_minutes(open_page, live_server) -> None:  # noqa: ANN001, F811
    """Issue 18 item 1, in Dutch then in French: the nurse and the GP write the minutes at once; the GP, saving
    second, sees both texts side by side (her own still in the box, now based on the nurse's version) and saves
    a merged text. One demo load for both languages."""
    from django.contrib.auth.models import User
    from django.utils.translation import gettext, override

    from careweave.consultations import actions
    from careweave.consultations.models import Minutes

    nurse_user = User.objects.get(username="nurse")
    c = Consultation.objects.get(status="scheduled", convened_by=nurse_user)
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    Consultation.objects.filter(pk=c.pk).update(start=start, end=start + timezone.timedelta(hours=1))
    c.refresh_from_db()
    present = [p for p in c.participants.all() if p.professional is not None]
    actions.record_attendance(nurse_user, c, present)
    pages = {who: open_page(who) for who in ("nurse", "gp")}

    for language in ("nl", "fr"):
        for page in pages.values():
            page.click(f"[data-test=lang-{language}]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{live_server.url}/consultations/{c.fhir_id}/")
        nurse_text, gp_text = f"Verpleging ({language}): wondzorg.", f"Huisarts ({language}): medicatie."
        pages["nurse"].fill("#id_minutes-text", nurse_text)
        pages["gp"].fill("#id_minutes-text", gp_text)
        pages["nurse"].click("[data-test=minutes-submit]")
        pages["nurse"].wait_for_load_state("networkidle")
        gp = pages["gp"]
        gp.click("[data-test=minutes-submit]")
        with override(language):
            heading = gettext("Changed meanwhile")
        conflict = gp.locator("[data-test=conflict]")
        expect(conflict).to_contain_text(heading)
        expect(conflict.locator("[data-test=conflict-theirs]")).to_contain_text(nurse_text)
        expect(conflict.locator("[data-test=conflict-yours]")).to_contain_text(gp_text)
        expect(gp.locator("#id_minutes-text")).to_have_value(gp_text)
        gp.fill("#id_minutes-text", f"{nurse_text}\n{gp_text}")
        gp.click("[data-test=minutes-submit]")
        expect(gp.locator("[data-test=conflict]")).to_have_count(0)
        saved = Minutes.objects.get(consultation=c).text.replace("\r\n", "\n")
        assert saved == f"{nurse_text}\n{gp_text}", language
