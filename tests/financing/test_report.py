"""The provisions report reproduces the seed's P3 table cell by cell, and the payer's CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Max, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import translation

from careweave.access.models import AuditEvent
from careweave.financing import actions, reports
from careweave.financing.models import Payer, Provision, ProvisionType
from careweave.financing.seedtable import PERSON_PREFIX, Loaded, load_seed_table
from careweave.people.models import Discipline, Person

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
NEW_PATIENTS = [2675, 2186, 2477, 2614, 2666, 720]                  # l.27 "NIEUWE PATIENTEN"
LABELS = ["Q2–Q4 2019", "2020", "2021", "2022", "2023", "Q1 2024"]  # l.7 "t2-t4 2019 ... t1 2024"


@pytest.fixture
def professionals(make_professional):  # noqa: ANN001, ANN201
    return [make_professional(d) for d in (Discipline.CASE_MANAGER, Discipline.OCCUPATIONAL_THERAPIST,
                                           Discipline.PSYCHOLOGIST, Discipline.HOME_NURSE, Discipline.SOCIAL_WORKER)]


def test_the_year_and_quarter_reports_are_the_seed_table_cell_by_cell_new_patients_included(professionals, zone):
    load_seed_table(zone, professionals)
    with translation.override("en"):
        rep = reports.build([zone], "year")
        assert [p.label for p in rep.periods] == LABELS
    assert {r.code: r.counts for r in rep.rows} == SEED
    assert rep.total.counts == TOTAL
    assert rep.new_patients == NEW_PATIENTS
    assert Person.objects.filter(zone=zone).count() == sum(NEW_PATIENTS) == 13338
    # amounts: quantity × the example tariff valid on the day
    cm = next(r for r in rep.rows if r.code == "CASEMANAGEMENT")
    assert cm.amounts[1] == Decimal(34550) * Decimal("55.00")
    # as zone staff see it (small cells hidden): every cell of the seed table concerns enough persons to be shown
    shown = reports.build([zone], "year", suppress=True, k=5)
    assert not shown.suppressed and {r.code: r.counts for r in shown.rows} == SEED
    assert shown.new_patients == NEW_PATIENTS and shown.total.counts == TOTAL

    quarter = reports.build([zone], "quarter")
    assert len(quarter.periods) == 3 + 16 + 1
    assert (quarter.periods[0].year, quarter.periods[0].first) == (2019, 2)
    for r in quarter.rows:
        sums: dict[int, int] = {}
        for p, n in zip(quarter.periods, r.counts, strict=True):
            sums[p.year] = sums.get(p.year, 0) + n
        assert list(sums.values()) == SEED[r.code]
    assert sum(quarter.total.counts) == sum(rep.total.counts) == sum(TOTAL)
    assert sum(quarter.new_patients) == sum(NEW_PATIENTS)

    # no billing line claims more than a month can hold
    assert Provision.objects.aggregate(m=Max("quantity"))["m"] <= 25
    busiest = (Provision.objects.annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
               .values("person", "provision_type", "y", "m").annotate(n=Sum("quantity")).order_by("-n").first())
    assert busiest["n"] <= 31  # at most one visit a day per person and type


def test_loading_again_replaces_the_old_version_adds_nothing_and_keeps_other_lines_out(
        professionals, zone, person, other_zone, make_person, zone_staff):
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    nurse = professionals[3]
    Provision.objects.create(person=person, professional=nurse, provision_type=night, date=date(2020, 1, 1),
                             quantity=Decimal(900), tariff=night.tariffs.get(), amount=Decimal(72000),
                             status=Provision.Status.BILLED, external_id="p3seed:NACHTBEZOEK:2020-01:0")  # version 1
    created = load_seed_table(zone, professionals)
    assert created.persons == 13338 and created.lines > 13338
    assert AuditEvent.objects.filter(resource_type="Claim", action="C").count() == 13338
    rep = reports.build([zone], "year")
    assert rep.total.counts == TOTAL and rep.new_patients == NEW_PATIENTS

    assert load_seed_table(zone, professionals) == Loaded(0, 0)
    # lines of another layout of the data set (a changed quantity, a key this version does not plan) are replaced
    line = Provision.objects.filter(external_id__startswith="p3seed:v2:NACHTBEZOEK:").first()
    Provision.objects.filter(pk=line.pk).update(quantity=line.quantity + 100)
    Provision.objects.create(person=line.person, professional=nurse, provision_type=night, date=date(2020, 1, 1),
                             quantity=Decimal(5), tariff=line.tariff, amount=Decimal(400),
                             status=Provision.Status.BILLED, external_id="p3seed:v2:NACHTBEZOEK:2020-01:999")
    assert load_seed_table(zone, professionals) == Loaded(0, 1)
    rep = reports.build([zone], "year")
    assert rep.total.counts == TOTAL and rep.new_patients == NEW_PATIENTS
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_p3_table", "--zone", zone.code, stdout=out)
    assert "0 of 13338 persons and 0 billing lines" in out.getvalue()
    rep = reports.build([zone], "year")
    assert rep.total.counts == TOTAL and rep.new_patients == NEW_PATIENTS

    # a registered (not yet billed) line and a line of another zone stay out of the billed table
    elsewhere = make_person("Far", zone=other_zone)
    cohort = Person.objects.filter(external_id__startswith=PERSON_PREFIX).first()
    actions.register_provision(zone_staff, cohort, night, date(2023, 5, 1), professional=nurse)
    Provision.objects.create(person=elsewhere, professional=nurse, provision_type=night, date=date(2023, 5, 1),
                             tariff=night.tariffs.get(), amount=Decimal(80), status=Provision.Status.BILLED)
    assert reports.build([zone], "year").total.counts == TOTAL
    with_registered = reports.build([zone], "year", statuses=("billed", "registered"))
    assert with_registered.total.counts[4] == TOTAL[4] + 1
    assert reports.build(None, "year").total.counts[4] == TOTAL[4] + 1
    assert reports.build(None, "year").new_patients == [*NEW_PATIENTS[:4], NEW_PATIENTS[4] + 1, NEW_PATIENTS[5]]


def test_small_cells_are_hidden_for_zone_staff(zone, make_person, make_professional, zone_staff):
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    psy = ProvisionType.objects.get(code="PSY")
    people = [make_person(f"N{i}") for i in range(8)]
    for p in people:
        actions.register_provision(zone_staff, p, night, date(2025, 2, 1), professional=nurse)
        actions.register_provision(zone_staff, p, night, date(2025, 5, 1), professional=nurse)
    psychologist = make_professional(Discipline.PSYCHOLOGIST)
    actions.register_provision(zone_staff, people[0], psy, date(2025, 5, 2), D := Decimal(3), professional=psychologist)
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
    text = text.decode("utf-8")
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
    vsb = vsb.decode("utf-8")
    vsb_line = list(csv.reader(io.StringIO(vsb[1:]), delimiter=";"))[1]
    assert vsb_line[11] == "33,10" and vsb_line[12] == ""


def test_registered_lines_in_a_new_period_never_hide_historical_cells(zone, make_person, make_professional):
    """Issue 18.13: "Billed and registered" hid a 2023 cell that "Billed only" showed."""
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    ergo = ProvisionType.objects.get(code="ERGO GROEP")
    people = [make_person(f"H{i}") for i in range(12)]

    def line(person, ptype, on, status):  # noqa: ANN001, ANN202
        return Provision.objects.create(person=person, professional=nurse, provision_type=ptype, date=on,
                                        tariff=ptype.tariffs.first(), amount=Decimal(1), status=status)

    for p in people:
        line(p, night, date(2023, 3, 1), Provision.Status.BILLED)
    for p in people[:6]:
        line(p, ergo, date(2023, 4, 1), Provision.Status.BILLED)
    line(people[0], ergo, date(2025, 2, 1), Provision.Status.REGISTERED)  # one person: a small cell
    billed = reports.build([zone], "year", suppress=True, k=5)
    both = reports.build([zone], "year", suppress=True, k=5, statuses=("billed", "registered"))
    year_2023 = [p.year for p in both.periods].index(2023)
    assert not any(r.hidden[0] for r in billed.rows)
    assert {r.code: r.hidden[year_2023] for r in both.rows} == {r.code: False for r in both.rows}
    assert next(r for r in both.rows if r.code == "ERGO GROEP").hidden[-1] is True


def test_a_formula_in_a_family_name_reaches_the_payer_csv_as_text(zone, make_person, make_professional, zone_staff):
    """Security issue 17 item 12: names are typed by people; a spreadsheet must not run them."""
    person = make_person("Maria")
    person.family_name = "+cmd|' /C calc'!A0"
    person.save()
    nurse = make_professional(Discipline.HOME_NURSE)
    night = ProvisionType.objects.get(code="NACHTBEZOEK")
    actions.register_provision(zone_staff, person, night, date(2025, 3, 4), Decimal("1.5"), professional=nurse)
    text = reports.payer_csv(reports.payer_lines([zone], Payer.RIZIV, date(2025, 1, 1), date(2025, 12, 31)))
    header, line = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert dict(zip(header, line, strict=True))["person"] == "'+cmd|' /C calc'!A0 Maria"
    assert dict(zip(header, line, strict=True))["amount_eur"] == "120,00"
