"""In Chromium: a GP registers someone new; a mistyped SSIN is refused in the GP's language with nothing
created; the corrected form lands on "start the shared plan" with the GP in the person's team."""

from __future__ import annotations

from datetime import date

import pytest

from browser.conftest import assert_accessible, screenshot
from careweave.careplans.actions import team_for
from careweave.careplans.models import TeamMember
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gp_registers_a_new_person_and_starts_the_plan(open_page, live_server):
    ssin = make_ssin(date(1948, 5, 17), 233)
    gp = open_page("gp", axe=True)
    gp.click("[data-test=lang-en]")
    gp.wait_for_load_state("networkidle")
    gp.click("[data-test=register-person]")
    gp.wait_for_load_state("networkidle")
    assert gp.url.endswith("/people/register/")
    assert_accessible(gp, "register a person")

    gp.fill("#id_ssin", ssin[:-1] + str((int(ssin[-1]) + 1) % 10))  # one digit mistyped
    gp.fill("#id_given_name", "Rosalinde")
    gp.fill("#id_family_name", "Wuytack")
    gp.fill("#id_municipality", "Zottegem")
    gp.check("#id_consent_recorded")
    gp.click("[data-test=submit]")
    gp.wait_for_load_state("networkidle")
    assert gp.locator("[aria-invalid=true]").count() >= 1, "the SSIN field is marked"
    assert gp.locator("#id_given_name").input_value() == "Rosalinde", "what the GP typed is kept"
    assert not Person.objects.filter(given_name="Rosalinde", family_name="Wuytack").exists()
    screenshot(gp, "register-person")

    gp.fill("#id_ssin", ssin)
    gp.check("#id_consent_recorded")
    gp.click("[data-test=submit]")
    gp.wait_for_load_state("networkidle")
    rosa = Person.objects.get(given_name="Rosalinde", family_name="Wuytack")
    assert rosa.birth_date == date(1948, 5, 17), "taken from the SSIN"
    assert gp.url.endswith(f"/persons/{rosa.fhir_id}/plan/start/")
    assert team_for(rosa).members.filter(professional__user__username="gp",
                                         status=TeamMember.Status.ACTIVE).exists()
