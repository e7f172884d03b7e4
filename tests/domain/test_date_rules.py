"""One rule per kind of date, as data (issue 18, item 11): the window, the refusal and its message."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from careweave.careplans.errors import RuleViolation
from careweave.dates import RULES, check_date, window

ANCHORED = {"workshop": 2026}


@pytest.mark.parametrize("kind", sorted(RULES))
def test_each_kind_accepts_its_window_and_refuses_a_day_outside(kind):
    anchor = ANCHORED.get(kind)
    earliest, latest = window(kind, anchor=anchor)
    for inside in (earliest, latest):
        check_date(kind, inside, anchor=anchor)
    outside = [day for day in (earliest and earliest - timedelta(days=1), latest and latest + timedelta(days=1))
               if day is not None]
    assert outside, f"{kind} has no limit at all"
    for day in outside:
        with pytest.raises(RuleViolation) as caught:
            check_date(kind, day, anchor=anchor)
        assert caught.value.rule == RULES[kind].code
        check_date(kind, day, anchor=anchor, previous=day)  # a record keeps the date it had


@pytest.mark.parametrize(("kind", "day"), [
    ("provision", date(2027, 6, 30)),  # "Q2 2027" was priced and reported
    ("mdo_start", date(2099, 1, 1)),
    ("task_due", date(2999, 1, 1)),
    ("goal_target", date(2999, 1, 1)),
    ("workshop", date(2020, 3, 1)),  # a 2020 workshop in the 2026 round
    ("expected_birth", date(2030, 1, 1)),
    ("birth_date", timezone.localdate() + timedelta(days=1)),
])
def test_the_implausible_dates_of_the_issue_are_refused(kind, day):
    with pytest.raises(RuleViolation):
        check_date(kind, day, anchor=ANCHORED.get(kind))


def test_the_message_names_the_window_in_the_readers_date_format():
    with translation.override("en"), pytest.raises(RuleViolation) as caught:
        check_date("workshop", date(2020, 3, 1), anchor=2026)
    assert str(caught.value) == "Choose the day of the workshop from 1 October 2025 to 2 April 2027."
    with translation.override("en"), pytest.raises(RuleViolation) as caught:
        check_date("task_due", timezone.localdate() - timedelta(days=1))
    assert str(caught.value).startswith("The due date is in the past. Choose today or a later day, until ")
    with translation.override("en"), pytest.raises(RuleViolation) as caught:
        check_date("provision", date(2018, 12, 31))
    assert str(caught.value).startswith("Choose the date of the provision from 1 January 2019 to ")


def test_no_date_is_no_violation():
    for kind in RULES:
        check_date(kind, None, anchor=ANCHORED.get(kind))
