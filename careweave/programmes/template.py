"""Programme plan templates as data: one JSON file per pathway version (``pathways/*.json``).

A template says which dates an enrolment needs, its phases with their start and end (anchored on
those dates), and the goals, tasks and assessments each phase brings into the person's one plan.
No programme has code of its own: the perinatal phases (000 l.227-231), the frail-persons
follow-up (003 l.293-308) and the obesity follow-up are all read from here.

Anchors: ``start`` (the enrolment's start), ``expected_birth``, ``birth`` (the recorded birth,
for planning the expected one), ``conception`` (expected birth minus 266 days: the usual 38 weeks
from conception to birth) and ``person_birth`` (the person's own date of birth). An offset adds
``days``, ``weeks``, ``months`` or ``years``, or the number of months of a programme setting
(``months_setting``; a setting of ``null`` means the phase has no planned end).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "pathways"
CONCEPTION_TO_BIRTH_DAYS = 266  # 38 weeks; the seeds count the prenatal period "vanaf conceptie" (000 l.229)
ANCHORS = {"start", "expected_birth", "birth", "conception", "person_birth"}
ITEM_KINDS = {"goal", "task", "assessment"}
ROLES = {"reference", "coordinator", "person"}
DATE_FIELDS = {"expected_birth", "birth"}


class TemplateError(ValueError):
    """A pathway file that cannot be used; the message lists every problem."""


def text_in(texts: dict[str, Any] | str | None, language: str) -> Any:
    """A text of the template in ``language``, else English, else Dutch, else any."""
    if not isinstance(texts, dict):
        return texts or ""
    return texts.get(language) or texts.get("en") or texts.get("nl") or next(iter(texts.values()), "")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Dates:
    """The dates an enrolment's phases are computed from."""

    start: date
    expected_birth: date | None = None
    birth: date | None = None
    person_birth: date | None = None

    def anchor(self, name: str, *, planning: bool) -> date | None:
        """The date of an anchor. A birth only counts once it is recorded, except for planning."""
        if name == "start":
            return self.start
        if name == "person_birth":
            return self.person_birth
        if name == "expected_birth":
            return self.expected_birth
        if name == "birth":
            return self.birth or (self.expected_birth if planning else None)
        if name == "conception":
            base = self.birth or self.expected_birth
            return base - timedelta(days=CONCEPTION_TO_BIRTH_DAYS) if base else None
        raise TemplateError(f"unknown anchor {name!r}")


def boundary(spec: dict | None, dates: Dates, settings: dict, *, planning: bool) -> date | None:
    """The day a phase starts (``from``) or the first day after it (``until``); None when open or unknown."""
    if not spec:
        return None
    day = dates.anchor(spec["anchor"], planning=planning)
    if day is None:
        return None
    if "months_setting" in spec:
        months = settings.get(spec["months_setting"])
        if months is None:
            return None  # the setting says: no planned end (e.g. long-term case management, 000 l.378)
        day = add_months(day, int(months))
    if spec.get("years"):
        day = add_months(day, 12 * int(spec["years"]))
    if spec.get("months"):
        day = add_months(day, int(spec["months"]))
    return day + timedelta(days=7 * int(spec.get("weeks", 0)) + int(spec.get("days", 0)))


@dataclass(frozen=True)
class PhaseSpan:
    code: str
    starts: date | None
    ends: date | None  # the first day after the phase; None: no planned end


def spans(template: dict, dates: Dates, *, planning: bool = True) -> list[PhaseSpan]:
    settings = template.get("settings") or {}
    return [
        PhaseSpan(p["code"], boundary(p.get("from"), dates, settings, planning=planning),
                  boundary(p.get("until"), dates, settings, planning=planning))
        for p in template["phases"]
    ]


COMPLETED = "completed"


def phase_on(template: dict, dates: Dates, day: date) -> str:
    """The phase the dates put the enrolment in on ``day`` (``completed`` after the last one).

    A phase starts on its ``from`` day and ends the day before its ``until`` day: on the day of
    birth the postnatal period begins (000 l.229-230: prenatal "tot en met de geboorte", postnatal
    "vanaf de geboorte"). A phase anchored on a birth not yet recorded has not started, even when
    the expected date has passed: nobody is moved to the postnatal phase on a guess.
    """
    known = spans(template, dates, planning=False)
    current = known[0].code
    for span in known[1:]:
        if span.starts is None or span.starts > day:
            break
        current = span.code
    last = known[-1]
    if current == last.code and last.ends is not None and last.ends <= day:
        return COMPLETED
    return current


def phase(template: dict, code: str) -> dict:
    return next(p for p in template["phases"] if p["code"] == code)


def next_transition(template: dict, dates: Dates, current: str) -> tuple[str, date] | None:
    """The next phase (or ``completed``) and the day it is expected, from the planning dates."""
    planned = spans(template, dates, planning=True)
    codes = [s.code for s in planned]
    if current not in codes:
        return None
    index = codes.index(current)
    if index + 1 < len(planned):
        following = planned[index + 1]
        return (following.code, following.starts) if following.starts else None
    return (COMPLETED, planned[index].ends) if planned[index].ends else None


# --------------------------------------------------------------------------- who does what


def reference_must_be_professional(template: dict) -> bool:
    """The reference person is a professional of the team unless the template says otherwise
    (``settings.reference_person``: ``"professional"``, the default, or ``"any_member"``)."""
    return (template.get("settings") or {}).get("reference_person", "professional") == "professional"


def is_professional_item(item: dict) -> bool:
    """A task or assessment the programme reserves for a professional: every item not for the person
    unless the template marks it ``"professional": false`` (then an informal carer may take it)."""
    return bool(item.get("professional", item.get("role", "reference") != "person"))


# --------------------------------------------------------------------------- who a programme is for


@dataclass(frozen=True)
class Candidate:
    """What the eligibility rules of a template look at: the person's age on the start day (None: unknown),
    the dates given for the enrolment, and the instruments the person has completed."""

    age: int | None
    dates: frozenset[str]
    assessments: frozenset[str]


def _meets(criterion: dict, who: Candidate) -> bool:
    if any(name not in who.dates for name in criterion.get("dates") or []):
        return False
    wanted = criterion.get("assessments")
    if wanted and not who.assessments.intersection(wanted):
        return False
    ages = criterion.get("age_years") or {}
    if ages and who.age is not None:  # an unknown birth date is not held against the person
        if "min" in ages and who.age < ages["min"]:
            return False
        if "max" in ages and who.age >= ages["max"]:
            return False
    return True


def eligible(template: dict, who: Candidate) -> bool:
    """Whether the person is in the programme's target group: at least one criterion of ``eligibility.any_of``
    is met (a template without eligibility is for everyone). A criterion names the enrolment dates it needs
    (``dates``), an age range (``age_years``: ``min`` included, ``max`` excluded) and/or instruments of which one
    must have been completed (``assessments``); all it names must hold."""
    criteria = (template.get("eligibility") or {}).get("any_of") or []
    return not criteria or any(_meets(c, who) for c in criteria)


def target_group(template: dict, language: str) -> str:
    """Who the programme is for, in ``language``, as the template says it."""
    return text_in((template.get("eligibility") or {}).get("for"), language)


# --------------------------------------------------------------------------- files


def validate(template: dict) -> list[str]:
    """Every problem of a template (empty when it can be used)."""
    problems: list[str] = []
    for key in ("code", "version", "title", "phases"):
        if not template.get(key):
            problems.append(f"missing {key!r}")
    keys: set[str] = set()
    for p in template.get("phases") or []:
        for side in ("from", "until"):
            spec = p.get(side)
            if spec and spec.get("anchor") not in ANCHORS:
                problems.append(f"phase {p.get('code')!r}: unknown anchor {spec.get('anchor')!r}")
        goals = {i.get("key") for i in p.get("items") or [] if i.get("kind") == "goal"}
        for item in p.get("items") or []:
            key = item.get("key")
            if not key or key in keys:
                problems.append(f"item key {key!r} missing or used twice")
            keys.add(key)
            if item.get("kind") not in ITEM_KINDS:
                problems.append(f"item {key!r}: unknown kind {item.get('kind')!r}")
            if item.get("kind") == "assessment" and not item.get("instrument"):
                problems.append(f"item {key!r}: an assessment names its instrument")
            if item.get("kind") in ("goal", "task") and not item.get("text"):
                problems.append(f"item {key!r}: no text")
            role = item.get("role", "reference")
            if item.get("kind") != "goal" and role not in ROLES and not role.startswith("discipline:"):
                problems.append(f"item {key!r}: unknown role {role!r}")
            if item.get("goal") and item["goal"] not in goals:
                problems.append(f"item {key!r}: goal {item['goal']!r} is not a goal of the same phase")
    for c in (template.get("eligibility") or {}).get("any_of") or []:
        if not c.get("code") or set(c) - {"code", "dates", "age_years", "assessments"}:
            problems.append(f"eligibility criterion {c.get('code')!r}: a code and only dates, age_years, assessments")
        if set(c.get("dates") or []) - DATE_FIELDS:
            problems.append(f"eligibility criterion {c.get('code')!r}: unknown dates")
    if (template.get("eligibility") or {}).get("any_of") and not template["eligibility"].get("for"):
        problems.append("eligibility: say whom the programme is for ('for', per language)")
    unknown_dates = set(template.get("dates") or {}) - DATE_FIELDS
    if unknown_dates:
        problems.append(f"unknown dates {sorted(unknown_dates)}")
    return problems


@lru_cache(maxsize=1)
def shipped() -> tuple[dict, ...]:
    """The pathway versions shipped with Careweave, read once per process."""
    out = []
    for path in sorted(FOLDER.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        problems = validate(data)
        if problems:
            raise TemplateError(f"{path.name}: " + "; ".join(problems))
        out.append(data)
    return tuple(out)
