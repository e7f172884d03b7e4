"""BMI-for-age: the WHO LMS method on the WHO tables, checked against published WHO values."""

from __future__ import annotations

import json

import pytest
from django.utils.translation import override

from careweave.assessments import bmi, engine


def months(m: float) -> int:
    return round(m * bmi.DAYS_PER_MONTH)


def test_the_data_file_states_its_source_and_licence():
    data = json.loads(bmi.DATA.read_text(encoding="utf-8"))
    assert any("WHO Child Growth Standards" in s for s in data["source"])
    assert any("Bull World Health Organ 2007" in s for s in data["source"])
    assert "rcpchgrowth==4.6.5" in data["extracted_from"] and data["licence"]
    assert len(data["standards_2006"]["male"]) == 1857 and len(data["reference_2007"]["female"]) == 169


@pytest.mark.parametrize(("sex", "day", "m"), [("male", 0, 13.4069), ("female", 0, 13.3363), ("male", 731, 16.0189)])
def test_an_exact_lms_row_gives_z_zero_at_the_median(sex, day, m):
    lms, reference = bmi.lms_for_age(sex, day)
    assert lms[1] == m and reference == "WHO 2006"
    assert bmi.z_score(m, lms) == pytest.approx(0, abs=1e-12)
    assert bmi.percentile(0) == 50


@pytest.mark.parametrize(
    ("sex", "age_months", "sd1", "sd2"),
    [
        # WHO Growth Reference 2007, BMI-for-age 5-19 years, z-score tables (kg/m2, one decimal)
        ("male", 120, 18.5, 21.4),
        ("female", 120, 19.0, 22.6),
        ("male", 228, 25.4, 29.7),  # +1 SD at 19 years ~ BMI 25 (overweight), +2 SD ~ BMI 30 (obesity)
        ("female", 228, 25.0, 29.7),
    ],
)
def test_who_2007_published_cut_offs(sex, age_months, sd1, sd2):
    lms, reference = bmi.lms_for_age(sex, months(age_months))
    assert reference == "WHO 2007"
    assert round(bmi.value_at(lms, 1), 1) == sd1
    assert round(bmi.value_at(lms, 2), 1) == sd2
    assert bmi.z_score(sd2, lms) == pytest.approx(2, abs=0.05)


@pytest.mark.parametrize(
    ("sex", "day", "column", "z", "published"),
    [
        # WHO Child Growth Standards 2006, BMI-for-age z-score tables (monthly, kg/m2)
        ("male", 0, "SD3neg", -3, 10.2),
        ("male", 0, "SD2", 2, 16.3),
        ("female", 365, "SD1", 1, 17.9),
        ("female", 365, "SD2", 2, 19.6),
        ("male", 731, "SD2neg", -2, 13.8),
        ("male", 731, "SD2", 2, 18.9),
        ("male", 731, "SD3", 3, 20.6),
        ("female", 1826, "SD2", 2, 18.8),
        ("female", 1826, "SD3", 3, 21.1),
    ],
)
def test_who_2006_published_sd_values(sex, day, column, z, published):
    lms, reference = bmi.lms_for_age(sex, day)
    assert reference == "WHO 2006", column
    assert round(bmi.value_at(lms, z), 1) == published


def test_beyond_three_sd_the_who_restricted_method_continues_linearly():
    lms, _ = bmi.lms_for_age("male", months(120))
    sd2, sd3 = bmi.value_at(lms, 2), bmi.value_at(lms, 3)
    assert bmi.z_score(sd3 + 0.5 * (sd3 - sd2), lms) == pytest.approx(3.5)
    low2, low3 = bmi.value_at(lms, -2), bmi.value_at(lms, -3)
    assert bmi.z_score(low3 - (low2 - low3), lms) == pytest.approx(-4)
    # the plain LMS formula would give a smaller z far out on the skewed side
    far = sd3 + 2 * (sd3 - sd2)
    assert bmi.z_score(far, lms) == pytest.approx(5)
    assert ((far / lms[1]) ** lms[0] - 1) / (lms[0] * lms[2]) < 4.5


def test_months_between_table_rows_are_interpolated():
    a, _ = bmi.lms_for_age("female", months(150))
    b, _ = bmi.lms_for_age("female", months(151))
    mid, _ = bmi.lms_for_age("female", round(150.5 * bmi.DAYS_PER_MONTH))
    assert min(a[1], b[1]) < mid[1] < max(a[1], b[1])


@pytest.mark.parametrize(
    ("z", "age_months", "category"),
    [
        (0.0, 120, "normal"),
        (1.01, 120, "overweight"),
        (2.01, 120, "obesity"),
        (-2.01, 120, "thinness"),
        (-3.01, 120, "severe-thinness"),
        (1.5, 30, "risk-of-overweight"),
        (2.5, 30, "overweight"),
        (3.1, 30, "obesity"),
        (1.0, 120, "normal"),
        (2.0, 30, "risk-of-overweight"),
    ],
)
def test_who_cut_offs_differ_under_and_over_five(z, age_months, category):
    assert bmi.classify(z, age_months) == category


@pytest.mark.parametrize(("sex", "days"), [("x", 100), ("male", -1), ("female", months(228) + 40)])
def test_outside_the_references_is_refused(sex, days):
    with pytest.raises(bmi.OutsideReference):
        bmi.bmi_for_age(sex, days, 20, 110)


def test_bmi_for_age_instrument_scores_a_ten_year_old_boy():
    d = engine.definition("bmi-for-age")
    # 10 years: +2 SD is 21.4; 140 cm and 43 kg give BMI 21.94 -> obesity
    answers = {
        "bmi-sex": "male",
        "bmi-birth-date": "2016-03-01",
        "bmi-measured-on": "2026-03-01",
        "bmi-weight": 43.0,
        "bmi-height": 140.0,
    }
    assert d.validate(answers, complete=True) == []
    result = {s.code: s for s in d.score(answers)}
    assert result["bmi"].value == 21.94 and result["bmi"].loinc == "39156-5"
    assert 2 < result["bmi-z"].value < 2.2
    assert result["bmi-z"].interpretation_code == "obesity" and result["bmi-z"].positive
    assert result["bmi-z"].interpretation["nl"].startswith("Obesitas")
    assert result["bmi-percentile"].value > 97.7
    assert d.is_positive(answers)


def test_bmi_for_age_with_age_in_months_when_the_birth_date_is_unknown():
    d = engine.definition("bmi-for-age")
    assert "bmi-age-months" not in d.enabled({"bmi-birth-date": "2020-01-01"})
    answers = {"bmi-sex": "female", "bmi-age-months": 36, "bmi-weight": 14.0, "bmi-height": 95.0}
    assert d.validate(answers, complete=True) == []
    result = {s.code: s for s in d.score(answers)}
    assert result["bmi"].value == 15.51
    assert result["bmi-z"].interpretation_code == "normal" and not result["bmi-z"].positive
    assert [p.link_id for p in d.validate({"bmi-sex": "female"}, complete=True)] == [
        "bmi-age-months",
        "bmi-weight",
        "bmi-height",
    ]


def test_bmi_for_age_bad_input_gets_a_clear_problem():
    d = engine.definition("bmi-for-age")
    base = {"bmi-sex": "male", "bmi-weight": 30.0, "bmi-height": 130.0}
    with override("en"):
        (before,) = d.validate(base | {"bmi-birth-date": "2020-05-01", "bmi-measured-on": "2020-04-01"}, complete=True)
        (adult,) = d.validate(base | {"bmi-birth-date": "2000-05-01", "bmi-measured-on": "2026-04-01"}, complete=True)
        (light,) = d.validate(base | {"bmi-weight": 0.1, "bmi-age-months": 100}, complete=True)
    assert (before.link_id, before.code) == ("bmi-measured-on", "range") and "before" in before.message
    assert (adult.link_id, adult.code) == ("bmi-birth-date", "range") and "19 years" in adult.message
    assert (light.link_id, light.code) == ("bmi-weight", "range")
