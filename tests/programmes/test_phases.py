"""Phase computation from the dates, at the edges the seeds name (000 l.227-231), without a database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from careweave.programmes import template as tpl


@pytest.fixture
def perinatal() -> dict:
    return next(t for t in tpl.shipped() if t["code"] == "perinatal")


BIRTH = date(2026, 3, 10)


@pytest.mark.parametrize(("day", "birth", "expected"), [
    (BIRTH - timedelta(days=1), BIRTH, "prenatal"),
    (BIRTH, BIRTH, "postnatal"),  # the day of birth opens the postnatal period
    (BIRTH + timedelta(days=41), BIRTH, "postnatal"),  # six weeks after birth: still postnatal
    (BIRTH + timedelta(days=42), BIRTH, "young-child"),
    (date(2028, 3, 9), BIRTH, "young-child"),  # the last day of the second year of life
    (date(2028, 3, 10), BIRTH, tpl.COMPLETED),  # the second birthday: the programme is over
    (BIRTH + timedelta(days=20), None, "prenatal"),  # expected date passed, no birth recorded: no guess
])
def test_the_perinatal_phase_follows_the_dates(perinatal, day, birth, expected) -> None:  # noqa: ANN001
    dates = tpl.Dates(start=BIRTH - timedelta(days=100), expected_birth=BIRTH, birth=birth)
    assert tpl.phase_on(perinatal, dates, day) == expected


def test_the_next_transition_is_planned_from_the_expected_birth(perinatal) -> None:  # noqa: ANN001
    dates = tpl.Dates(start=date(2026, 1, 1), expected_birth=BIRTH)
    assert tpl.next_transition(perinatal, dates, "prenatal") == ("postnatal", BIRTH)
    assert tpl.next_transition(perinatal, dates, "postnatal") == ("young-child", BIRTH + timedelta(weeks=6))
    assert tpl.next_transition(perinatal, dates, "young-child") == (tpl.COMPLETED, date(2028, 3, 10))


def test_a_long_term_setting_has_no_planned_end_and_a_duration_has_one() -> None:
    frail = next(t for t in tpl.shipped() if t["code"] == "frail-persons")
    obesity = next(t for t in tpl.shipped() if t["code"] == "obesity-youth")
    start = tpl.Dates(start=date(2026, 1, 31))
    assert frail["settings"]["case_management_months"] is None
    assert tpl.phase_on(frail, start, date(2040, 1, 1)) == "follow-up"
    assert tpl.next_transition(frail, start, "follow-up") is None
    assert tpl.next_transition(obesity, start, "follow-up") == (tpl.COMPLETED, date(2028, 1, 31))
    assert tpl.phase_on(obesity, start, date(2028, 1, 31)) == tpl.COMPLETED


def test_add_months_keeps_the_end_of_a_short_month() -> None:
    assert tpl.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert tpl.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_a_broken_template_names_every_problem() -> None:
    problems = tpl.validate({"code": "x", "version": "1", "title": {"en": "X"}, "phases": [
        {"code": "a", "from": {"anchor": "moon"}, "items": [
            {"key": "t", "kind": "task", "role": "wizard"}, {"key": "t", "kind": "poem"},
            {"key": "q", "kind": "assessment"}]}]})
    text = " | ".join(problems)
    for fragment in ("unknown anchor", "unknown role", "used twice", "unknown kind", "names its instrument", "no text"):
        assert fragment in text
