"""How long plan texts may be, and which dates a plan accepts (issue 11.3).

A plan is read on a phone and printed on paper: a life goal is a sentence in the person's own
words, not a report. The limits are generous for what each text is for, and the same for every
door (web forms, FHIR, CLI) because the actions check them; the forms only check first so the
message appears beside the field.

Dates (a goal's target, a task's due date) are checked by the one date rule of ``careweave.dates``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from careweave.careplans.errors import RuleViolation

PLAN_TITLE_MAX = 200
PLAN_SUMMARY_MAX = 4000
LIFE_GOAL_MAX = 500
GOAL_MAX = 1000
TASK_MAX = 500
AGREEMENT_MAX = 1000
JOURNAL_MAX = 4000
REVIEW_NOTES_MAX = 4000
CHECKIN_NOTE_MAX = 1000


def check_length(value: str, limit: int, what: str) -> str:
    """Refuse a text longer than ``limit`` characters, saying how long it is and may be."""
    if len(value) > limit:
        raise RuleViolation(
            "too_long",
            _("Please shorten %(what)s to at most %(limit)d characters (it has %(count)d).")
            % {"what": what, "limit": limit, "count": len(value)},
        )
    return value


