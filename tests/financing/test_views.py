"""Financing pages: access refused where it must be, audited reads, bad input changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from careweave.access.models import AuditEvent
from careweave.careplans.actions import start_care_plan
from careweave.financing import actions
from careweave.financing.models import BudgetTransfer, CareUnitBudget, Payer, Provision, ProvisionType, Tariff
from careweave.financing.seedtable import load_seed_table
from careweave.people.models import Discipline


def client_of(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    session = c.session
    session["careweave_language"] = "en"
    session.save()
    return c


@pytest.fixture
def night(db) -> ProvisionType:  # noqa: ANN001
    return ProvisionType.objects.get(code="NACHTBEZOEK")


def test_the_gp_registers_a_provision_and_bad_input_changes_nothing(gp, person, zone_staff):
    education = ProvisionType.objects.get(code="ZORGEDUCATIE")  # a type a GP may provide (issue 17)
    c = client_of(gp.user)
    url = f"/financing/person/{person.fhir_id}/register/"
    assert c.get(url).status_code == 200
    actions.allocate_budget(zone_staff, person, date(2025, 1, 1), date(2025, 12, 31), Decimal("3"))
    data = {"provision_type": education.pk, "date": "2025-04-01", "quantity": "4", "professional": gp.pk,
            "payer": Payer.RIZIV}
    response = c.post(url, data)
    assert response.status_code == 400 and b"care units are left" in response.content
    for bad in ({"quantity": "0"}, {"date": "2025-02-30"}, {"professional": ""}, {"payer": "nobody"},
                {"payer": Payer.PERSON}):
        assert c.post(url, {**data, "quantity": "1", **bad}).status_code == 400
    assert not Provision.objects.exists()
    response = c.post(url, {**data, "quantity": "2"})
    assert response.status_code == 302
    provision = Provision.objects.get()
    assert (provision.amount, provision.registered_by) == (Decimal("80.00"), gp.user)
    page = c.get(f"/financing/person/{person.fhir_id}/")
    assert page.status_code == 200 and b'data-test="provision"' in page.content
    assert b'data-test="remaining">1' in page.content.replace(b".00", b"")
    assert AuditEvent.objects.filter(person=person, user=gp.user, action="R", resource_type="Claim").exists()


def test_the_plan_leads_to_the_provisions_and_only_professionals_register(gp, person):
    start_care_plan(person.user, person, "Plan van Maria")
    page = client_of(gp.user).get(f"/persons/{person.fhir_id}/").content.decode()
    assert f'href="/financing/person/{person.fhir_id}/" data-test="plan-provisions"' in page
    assert 'data-test="plan-register-provision"' in page
    own = client_of(person.user).get(f"/persons/{person.fhir_id}/").content.decode()
    assert 'data-test="plan-provisions"' in own and 'data-test="plan-register-provision"' not in own
    assert client_of(person.user).get(f"/financing/person/{person.fhir_id}/").status_code == 200


def test_a_professional_without_access_is_refused_and_audited(outsider, person):
    c = client_of(outsider.user)
    for url in (f"/financing/person/{person.fhir_id}/", f"/financing/person/{person.fhir_id}/register/"):
        assert c.get(url).status_code == 403
    assert c.post(f"/financing/person/{person.fhir_id}/register/", {}).status_code == 403
    assert AuditEvent.objects.filter(person=person, user=outsider.user, outcome="denied").count() == 3
    for url in ("/financing/reports/", "/financing/budgets/", "/financing/simulator/",
                "/financing/reports/export.csv?payer=riziv&year=2025"):
        assert c.get(url).status_code == 403, url


def test_zone_staff_see_their_zone_only_and_the_export_is_audited_per_person(zone, other_zone, zone_staff,
                                                                              policy_maker,
                                                                              make_professional):
    load_seed_table(zone, [make_professional(Discipline.HOME_NURSE)])
    c = client_of(zone_staff)
    page = c.get("/financing/reports/")
    assert page.status_code == 200
    counts = page.content.decode()
    assert "208137" in counts.replace(".", "").replace(",", "").replace("\u202f", "")
    assert c.get(f"/financing/reports/?zone={other_zone.code}").status_code == 403
    assert c.get("/financing/reports/?by=quarter").status_code == 200
    response = c.get("/financing/reports/export.csv?payer=riziv&year=2024&quarter=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="provisions-ELZ-WEST-riziv-2024-Q1.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sum(Decimal(r[8].replace(",", ".")) for r in rows[1:]) == 50933  # 003 l.25, "t1 2024"
    in_file = {r[4] or r[5] for r in rows[1:]}
    assert len(in_file) > 720  # the P3 patients in care in Q1 2024 (720 of them new), each audited once
    assert AuditEvent.objects.filter(user=zone_staff, action="E", resource_type="Claim").count() == len(in_file)
    for bad in ("payer=nobody&year=2023", "payer=riziv&year=abc", "payer=riziv&year=2023&quarter=5"):
        assert c.get(f"/financing/reports/export.csv?{bad}").status_code == 404
    # a policy maker sees the aggregates, not the billing lines
    policy = client_of(policy_maker)
    assert policy.get("/financing/reports/").status_code == 200
    assert policy.get("/financing/reports/export.csv?payer=riziv&year=2023").status_code == 403


def test_allocation_and_transfer_forms(zone_staff, person, make_person, gp):
    c = client_of(zone_staff)
    url = f"/financing/person/{person.fhir_id}/budget/"
    assert c.post(url, {"period_start": "2025-12-31", "period_end": "2025-01-01", "units": "5"}).status_code == 400
    assert c.post(url, {"period_start": "2025-01-01", "period_end": "2025-12-31", "units": "-1"}).status_code == 400
    assert not CareUnitBudget.objects.exists()
    assert c.post(url, {"period_start": "2025-01-01", "period_end": "2025-12-31", "units": "5"}).status_code == 302
    giver = CareUnitBudget.objects.get()
    other = make_person("Jef")
    taker = actions.allocate_budget(zone_staff, other, date(2025, 1, 1), date(2025, 12, 31), Decimal("1"))
    turl = f"/financing/person/{person.fhir_id}/budget/{giver.fhir_id}/transfer/"
    assert c.get(turl).status_code == 200
    assert c.post(turl, {"target": taker.pk, "units": "6", "reason": "nachtzorg"}).status_code == 400
    assert not BudgetTransfer.objects.exists()
    assert c.post(turl, {"target": taker.pk, "units": "2", "reason": "nachtzorg"}).status_code == 302
    assert actions.budget_status(taker).available == Decimal("3")
    # the GP may see the budget but not move units
    assert client_of(gp.user).get(turl).status_code == 403
    assert c.get("/financing/budgets/?on=2025-13-01").status_code == 404
    budgets = c.get("/financing/budgets/?on=2025-06-01")
    assert budgets.status_code == 200 and b'data-test="person-budget"' in budgets.content
    seen = AuditEvent.objects.filter(user=zone_staff, reason="list:budgets")
    assert sorted(e.person_id for e in seen) == sorted([person.pk, other.pk])  # one entry per person shown


def test_tariffs_page_labels_examples_and_only_admins_add(admin, zone_staff):
    page = client_of(zone_staff).get("/financing/tariffs/")
    assert page.status_code == 200 and page.content.count(b'data-test="example"') == Tariff.objects.count()
    assert client_of(zone_staff).post("/financing/tariffs/", {}).status_code == 403
    c = client_of(admin)
    cm = ProvisionType.objects.get(code="CASEMANAGEMENT")
    data = {"provision_type": cm.pk, "payer": "riziv", "amount": "61.00", "unit": "session",
            "valid_from": "2018-06-01", "valid_to": "2019-06-01", "source": "RIZIV 2018"}
    assert c.post("/financing/tariffs/", data).status_code == 400  # overlaps the example tariff from 2019
    assert Tariff.objects.count() == 9
    assert c.post("/financing/tariffs/", {**data, "valid_to": "2018-12-31"}).status_code == 302
    assert Tariff.objects.filter(is_example=False, amount=Decimal("61.00")).exists()


def test_simulator_page_shows_every_model_per_zone(zone_staff, small_pop, settings):
    settings.POPULATION_DATA_DIR = str(small_pop)
    c = client_of(zone_staff)
    page = c.get("/financing/simulator/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-test="sim-row"') >= 5
    assert {f'data-model="{m}"' in html for m in ("ffs", "capitation", "bundled", "guarantee", "virtual", "p4p")} \
        == {True}
    assert c.get("/financing/simulator/?capitation_base=-5").status_code == 400
    assert c.get("/financing/simulator/?capitation_base=200&shadow=guarantee&year=2025").status_code == 200
    assert c.get("/financing/simulator/?year=2011").status_code == 400
    assert c.get("/financing/simulator/?shadow=nonsense").status_code == 400
    for huge in ("capitation_base=1e308", "weight_3=1e308", "bundle_3=1e308", "p4p_bonus=1e300"):
        page = c.get(f"/financing/simulator/?{huge}")  # issue 18.11: "€ inf" on the page
        assert page.status_code == 400 and 'data-test="sim-row"' not in page.content.decode(), huge


def test_simulator_without_data_explains(zone_staff, settings, tmp_path):
    settings.POPULATION_DATA_DIR = str(tmp_path / "none")
    page = client_of(zone_staff).get("/financing/simulator/")
    assert page.status_code == 200 and b'data-test="no-data"' in page.content


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_pages_render_in_every_language(language, zone_staff, person, gp, small_pop, settings):
    settings.POPULATION_DATA_DIR = str(small_pop)
    c = client_of(zone_staff)
    session = c.session
    session["careweave_language"] = language
    session.save()
    for url in ("/financing/", "/financing/reports/", "/financing/reports/?by=quarter", "/financing/budgets/",
                "/financing/tariffs/", "/financing/simulator/", f"/financing/person/{person.fhir_id}/",
                f"/financing/person/{person.fhir_id}/register/"):
        page = c.get(url)
        assert page.status_code == 200, url
        assert f'lang="{language}"'.encode() in page.content


def test_simulator_targets_name_the_indicator_not_its_code(zone_staff, small_pop, settings):
    from web.test_no_internal_references import internal_references

    settings.POPULATION_DATA_DIR = str(small_pop)
    html = client_of(zone_staff).get("/financing/simulator/").content.decode()
    assert "People aged 65+ with a GMD" in html
    assert internal_references(html) == []


def test_a_provision_form_sent_twice_registers_one_provision(gp, person):
    """Issue 18: a double click put the provision twice in the payer's CSV."""
    import re

    education = ProvisionType.objects.get(code="ZORGEDUCATIE")
    c = client_of(gp.user)
    url = f"/financing/person/{person.fhir_id}/register/"
    token = re.search(r'name="form_token" value="([^"]+)"', c.get(url).content.decode()).group(1)
    data = {"provision_type": education.pk, "date": "2025-04-01", "quantity": "1", "professional": gp.pk,
            "payer": Payer.RIZIV, "form_token": token}
    assert c.post(url, data).status_code == 302
    again = c.post(url, data, follow=True)
    assert Provision.objects.count() == 1
    assert b"This form had already been saved" in again.content


def test_a_provision_dated_in_the_future_is_refused(gp, person):
    """Issue 18: provisions of "Q2 2027" were priced and reported."""
    education = ProvisionType.objects.get(code="ZORGEDUCATIE")
    c = client_of(gp.user)
    future = (date.today() + timedelta(days=200)).isoformat()
    response = c.post(f"/financing/person/{person.fhir_id}/register/", {
        "provision_type": education.pk, "date": future, "quantity": "1", "professional": gp.pk,
        "payer": Payer.RIZIV})
    assert response.status_code == 400 and b"Choose the date of the provision from 1 January 2019" in response.content
    assert not Provision.objects.exists()
