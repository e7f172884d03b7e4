"""The provisions report reproduces the seed's P3 table cell by cell, and the payer's CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from careweave.financing import actions, reports
from careweave.financing.models import Payer, Provision, ProvisionType
from careweave.financing.seedtable import load_seed_table
from careweave.people.models import Discipline

# Transcribed from /work/shared/seeds/003_361734bd8683a832.txt l.6-27 ("Evolutie aantal gefactureerde
# verstrekkingen van alle P3-projecten 2019-2023"); Dutch thousands separators removed. Independent of
# careweave.financing.catalogue on purpose.
SEED = {
    "CASEMANAGEMENT": [23187, 34550, 31439, 31871, 33384, 9878],   # l.9
    "ERGO": [13752, 12337, 19549, 28580, 42454, 11397],             # l.11
    "PSY": [19189, 27131, 34137, 38934, 37604, 10891],              # l.13
    "ERGO GROEP": [4031, 1274, 655, 1104, 735, 151],                # l.15
    "PSY GROEP": [298, 122, 88, 40, 220, 8],                        # l.17
    "NACHTBEZOEK": [46769, 84897, 116890, 94475, 90907, 18035],     # l.19
    "ZORGEDUCATIE": [1080, 4554, 1549, 1853, 2461, 557],            # l.21
    "MANTELZORGERS": [376, 465, 1188, 748, 372, 16],                # l.23
}
TOTAL = [108682, 165330, 205495, 197605, 208137, 50933]             # l.25 "TOTA(A)L"
LABELS = ["Q2–Q4 2019", "2020", "2021", "2022", "2023", "Q1 2024"]  # l.7 "t2-t4 2019 ... t1 2024"


@pytest.fixture
def loaded(make_person, make_professional, zone):  # noqa: ANN001, ANN201
    persons = [make_person(f"P{i}") for i in range(12)]
    pros = [make_professional(d) for d in (Discipline.CASE_MANAGER, Discipline.OCCUPATIONAL_THERAPIST,
                                           Discipline.PSYCHOLOGIST, Discipline.HOME_NURSE, Discipline.SOCIAL_WORKER)]
    created = load_seed_table(persons, pros)
    return {"persons": persons, "professionals": pros, "created": created}


def test_the_year_report_is_the_seed_table_cell_by_cell(loaded, zone):
    with translation.override("en"):
        rep = reports.build([zone], "year")
        assert [p.label for p in rep.periods] == LABELS
    assert {r.code: r.counts for r in rep.rows} == SEED
    assert rep.total.counts == TOTAL
    # amounts: quantity × the example tariff valid on the day
    cm = next(r for r in rep.rows if r.code == "CASEMANAGEMENT")
    assert cm.amounts[1] == Decimal(34550) * Decimal("55.00")


def test_the_quarter_report_adds_up_to_the_year_report(loaded, zone):
    year = reports.build([zone], "year")
    quarter = reports.build([zone], "quarter")
    assert len(quarter.periods) == 3 + 16 + 1
    assert (quarter.periods[0].year, quarter.periods[0].first) == (2019, 2)
    for r in quarter.rows:
        sums: dict[int, int] = {}
        for p, n in zip(quarter.periods, r.counts, strict=True):
            sums[p.year] = sums.get(p.year, 0) + n
        assert list(sums.values()) == SEED[r.code]
    assert sum(quarter.total.counts) == sum(year.total.counts) == sum(TOTAL)


def test_loading_twice_creates_nothing_more_and_the_command_is_idempotent(loaded, zone):
    assert loaded["created"] > 1000
    assert load_seed_table(loaded["persons"], loaded["professionals"]) == 0
    call_command("load_p3_table", "--zone", zone.code, stdout=io.StringIO())
    assert reports.build([zone], "year").total.counts == TOTAL


def test_other_zones_and_registered_provisions_stay_out_of_the_billed_table(loaded, zone, other_zone, make_person,
                                                                             make_professional, zone_staff):
    elsewhere = make_person("Far", zone=other_zone)
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    actions.register_provision(zone_staff, loaded["persons"][0], night, date(2023, 5, 1), professional=nurse)
    Provision.objects.create(person=elsewhere, professional=nurse, provision_type=night, date=date(2023, 5, 1),
                             tariff=night.tariffs.get(), amount=Decimal(80), status=Provision.Status.BILLED)
    assert reports.build([zone], "year").total.counts == TOTAL
    with_registered = reports.build([zone], "year", statuses=("billed", "registered"))
    assert with_registered.total.counts[4] == TOTAL[4] + 1
    assert reports.build(None, "year").total.counts[4] == TOTAL[4] + 1


def test_small_cells_are_hidden_for_zone_staff(zone, make_person, make_professional, zone_staff):
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    psy = ProvisionType.objects.get(code="PSY")
    people = [make_person(f"N{i}") for i in range(8)]
    for p in people:
        actions.register_provision(zone_staff, p, night, date(2025, 2, 1), professional=nurse)
        actions.register_provision(zone_staff, p, night, date(2025, 5, 1), professional=nurse)
    actions.register_provision(zone_staff, people[0], psy, date(2025, 5, 2), D := Decimal(3), professional=nurse)
    rep = reports.build([zone], "quarter", suppress=True, k=5, statuses=("registered",))
    psy_row = next(r for r in rep.rows if r.code == "PSY")
    assert psy_row.counts == [0, int(D)] and psy_row.hidden[1] is True
    night_row = next(r for r in rep.rows if r.code == "NACHTBEZOEK")
    assert True in night_row.hidden  # complementary: the PSY cell cannot be recomputed from the total
    assert rep.suppressed
    open_rep = reports.build([zone], "quarter", suppress=False, statuses=("registered",))
    assert not any(h for r in open_rep.rows for h in r.hidden)


def test_the_payer_csv_opens_in_belgian_excel_and_marks_example_tariffs(zone, person, make_professional,
                                                                        zone_staff, admin):
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    actions.register_provision(zone_staff, person, night, date(2025, 3, 4), Decimal("1.5"), professional=nurse,
                               external_id="line-1")
    cm = ProvisionType.objects.get(code="CASEMANAGEMENT")
    actions.add_tariff(admin, cm, Payer.FLEMISH, Decimal("33.10"), "hour", date(2025, 1, 1), source="VSB 2025")
    actions.register_provision(zone_staff, person, cm, date(2025, 3, 5), professional=nurse, payer=Payer.FLEMISH)
    with translation.override("en"):
        text = reports.payer_csv(reports.payer_lines([zone], Payer.RIZIV, date(2025, 1, 1), date(2025, 12, 31)))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == reports.CSV_HEADER
    assert len(rows) == 2  # the Flemish line is in the other payer's file
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["external_id"] == "line-1" and line["type_code"] == "NACHTBEZOEK"
    assert line["person_ssin"] == person.ssin and line["provider_nihdi"] == nurse.nihdi
    assert (line["quantity"], line["tariff_eur"], line["amount_eur"]) == ("1,50", "80,00", "120,00")
    assert line["example_tariff"] == "example tariff"
    vsb = reports.payer_csv(reports.payer_lines([zone], Payer.FLEMISH, date(2025, 1, 1), date(2025, 12, 31)))
    vsb_line = list(csv.reader(io.StringIO(vsb[1:]), delimiter=";"))[1]
    assert vsb_line[11] == "33,10" and vsb_line[12] == ""
