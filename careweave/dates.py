"""Which dates are plausible, per kind of date: one table of rules, one check (issue 18, item 11).

A provision dated next year was priced and reported, an MDO could be set in 2099, a task be due in 2999,
and a workshop of 2020 land in the 2026 round. Each kind of date has a window: its earliest and latest
day, relative to today, to an anchor the caller gives (the round's year), or fixed. ``check_date`` refuses
a date outside its window with a ``RuleViolation`` that names the window in the reader's date format,
unless the date is the one the record already had (a goal kept its target date while it passed).

The rules are data (``RULES``): adding a kind of date is adding a row, not writing another check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careweave.careplans.errors import RuleViolation

Base = Literal["today", "anchor_start", "anchor_end", "fixed"]


@dataclass(frozen=True)
class Bound:
    """A day relative to a base: today, the first or last day of the anchor year, or a fixed day."""

    base: Base
    days: int = 0
    years: int = 0
    fixed: date | None = None

    def day(self, today: date, anchor: int | None) -> date:
        if self.base == "fixed":
            assert self.fixed is not None
            return self.fixed
        if self.base == "today":
            start = today
        elif anchor is None:
            raise ValueError("this date rule needs an anchor year")
        else:
            start = date(anchor, 1, 1) if self.base == "anchor_start" else date(anchor, 12, 31)
        return _add_years(start, self.years) + timedelta(days=self.days)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


TODAY = Bound("today")


@dataclass(frozen=True)
class DateRule:
    """One kind of date: what it is called in a message, the rule code (which form field shows it), its window."""

    what: Promise
    code: str
    earliest: Bound | None = None
    latest: Bound | None = None


RULES: dict[str, DateRule] = {
    # A goal is reached, a task done, within a plan's horizon: from today to 10 and 5 years ahead.
    "goal_target": DateRule(gettext_lazy("the target date"), "target_in_past", TODAY, Bound("today", years=10)),
    "task_due": DateRule(gettext_lazy("the due date"), "due_in_past", TODAY, Bound("today", years=5)),
    # An MDO is planned, not held in the past, and at most a year ahead.
    "mdo_start": DateRule(gettext_lazy("the day of the consultation"), "mdo_start", TODAY, Bound("today", years=1)),
    # A provision was given (not after today), within the tariffs' era: the first tariffs are valid from
    # 1 January 2019 (financing migration 0002).
    "provision": DateRule(gettext_lazy("the date of the provision"), "provision_date",
                          Bound("fixed", fixed=date(2019, 1, 1)), TODAY),
    # A consensus workshop belongs to its round's year, give or take a quarter (it may follow a closed round).
    "workshop": DateRule(gettext_lazy("the day of the workshop"), "workshop_date",
                         Bound("anchor_start", days=-92), Bound("anchor_end", days=92)),
    # A programme starts today at the latest; a birth is expected within ~10 months (or was, up to two years
    # ago, when it is recorded late); a child's birth date is not in the future.
    "programme_start": DateRule(gettext_lazy("the start of the programme"), "start_in_future",
                                Bound("today", years=-100), TODAY),
    "expected_birth": DateRule(gettext_lazy("the expected date of birth"), "expected_birth_range",
                               Bound("today", years=-2), Bound("today", days=300)),
    "birth_date": DateRule(gettext_lazy("the date of birth"), "birth_in_future", Bound("today", years=-25), TODAY),
    # A zone's improvement action or review moment (PDCA, issue #20): within a year back and three ahead.
    "pdca_date": DateRule(gettext_lazy("the date"), "pdca_date", Bound("today", years=-1), Bound("today", years=3)),
}


def window(kind: str, *, anchor: int | None = None, today: date | None = None) -> tuple[date | None, date | None]:
    """The earliest and latest plausible day of this kind (None: no limit on that side)."""
    rule = RULES[kind]
    today = today or timezone.localdate()
    return (rule.earliest.day(today, anchor) if rule.earliest else None,
            rule.latest.day(today, anchor) if rule.latest else None)


def _show(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def check_date(kind: str, value: date | None, *, previous: date | None = None, anchor: int | None = None) -> None:
    """Refuse a ``kind`` date outside its window (``RULES``); no date, or the one the record had, passes."""
    if value is None or value == previous:
        return
    rule = RULES[kind]
    today = timezone.localdate()
    earliest, latest = window(kind, anchor=anchor, today=today)
    if (earliest is None or earliest <= value) and (latest is None or value <= latest):
        return
    what = str(rule.what)
    if earliest == today and value < today:
        message = _("%(what)s is in the past. Choose today or a later day, until %(latest)s.")
    elif earliest is None:
        message = _("%(what)s cannot be after %(latest)s.")
    elif latest is None:
        message = _("%(what)s cannot be before %(earliest)s.")
    else:
        message = _("Choose %(what)s from %(earliest)s to %(latest)s.")
    text = message % {"what": what, "earliest": _show(earliest) if earliest else "",
                      "latest": _show(latest) if latest else ""}
    raise RuleViolation(rule.code, text[0].upper() + text[1:])
