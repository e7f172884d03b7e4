"""Decimal commas typed in Dutch and French Chromium, and the pages that overflowed a 390 px phone (issue 18)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from careweave.financing.models import Provision
from careweave.maturity.models import ConsensusWorkshop, MaturityRound
from careweave.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_quantity_typed_with_a_decimal_comma_is_one_and_a_half(login, live_server, language) -> None:  # noqa: ANN001
    maria = Person.objects.get(user__username="person")
    before = set(Provision.objects.values_list("pk", flat=True))
    page = login("gp", language)
    page.goto(f"{live_server.url}/financing/person/{maria.fhir_id}/register/")
    page.select_option("#id_provision_type", index=1)
    page.select_option("#id_professional", index=1)
    page.fill("#id_date", date.today().isoformat())
    page.fill("#id_quantity", "1,5")
    page.click("[data-test=submit]")
    page.wait_for_load_state("networkidle")
    assert Provision.objects.exclude(pk__in=before).count() == 1, page.locator("main").inner_text()
    new = Provision.objects.exclude(pk__in=before).get()
    assert new.quantity == Decimal("1.5")
    quantities = page.locator("[data-test=provision] td.num:nth-of-type(4)").all_inner_texts()
    assert "1,5" in quantities, quantities


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_tariff_with_thousands_and_a_decimal_comma_is_accepted(login, live_server, language) -> None:  # noqa: ANN001
    page = login("admin", language)
    page.goto(f"{live_server.url}/financing/tariffs/")
    page.select_option("#id_provision_type", index=1)
    page.fill("#id_amount", "1.234,56")
    page.fill("#id_valid_from", "2031-01-01")
    page.fill("#id_source", "KB")
    page.click("[data-test=submit]")
    page.wait_for_load_state("networkidle")
    assert "1234,56" in page.locator("main").inner_text() or "1.234,56" in page.locator("main").inner_text()


# The elements that reach past the phone's edge (outside any scrolling box), to say what to fix.
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.right <= 391) return false;
  for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
  }
  return true;
}).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _pages() -> list[tuple[str, str]]:
    current = MaturityRound.objects.get(year=2026)
    workshop = ConsensusWorkshop.objects.first()
    maria = Person.objects.get(user__username="person")
    return [
        ("zonestaff", "/financing/budgets/"),
        ("zonestaff", f"/maturity/rounds/{current.pk}/results/"),
        ("zonestaff", f"/maturity/workshops/{workshop.pk}/live/"),
        ("gp", f"/persons/{maria.fhir_id}/print/"),
    ]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_on_a_390px_phone_these_pages_do_not_overflow(login, live_server, language) -> None:  # noqa: ANN001
    wide = []
    pages = {}
    for username, path in _pages():
        if username not in pages:
            pages[username] = login(username, language, width=390)
        page = pages[username]
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path, width, page.evaluate(WIDEST)))
    assert not wide, f"wider than the phone: {wide}"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_printed_plan_keeps_tasks_without_a_goal(login, live_server, language) -> None:  # noqa: ANN001
    """Issue 18.4: every task without a goal (all MDO decisions) was dropped from the printed plan and its PDF."""
    import io

    from django.utils import translation
    from pypdf import PdfReader

    from careweave.careplans.actions import assign_task

    maria = Person.objects.get(user__username="person")
    plan = maria.care_plans.order_by("-created_at").first()
    gp = User.objects.get(username="gp")
    member = plan.person.care_teams.get().members.get(professional__user=gp, status="active")
    assign_task(gp, plan, "Medicatieschema naar de apotheker sturen", assignee=member)
    page = login("gp", language)
    page.goto(f"{live_server.url}/persons/{maria.fhir_id}/print/")
    with translation.override(language):
        heading = translation.gettext("Decisions and tasks without a goal")
    section = page.locator("[data-test=print-other-tasks]")
    assert section.inner_text().strip() == heading
    assert "Medicatieschema naar de apotheker sturen" in page.locator("main").inner_text()
    pdf = page.request.get(f"{live_server.url}/persons/{maria.fhir_id}/plan.pdf")
    assert pdf.status == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert heading in text and "Medicatieschema naar de apotheker sturen" in text
