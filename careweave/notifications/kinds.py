"""The kinds of notification: a stable code, what the reader is told (general terms, no health detail),
and how e-mail goes out unless the reader chose otherwise (decision 0030).

The sentences name what happened, never what it is about: "a task was assigned to you", not the task.
They are the only text a notification carries; the detail stays behind the link, where the page asks the
permission table again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AT_ONCE, DAILY, NEVER = "immediate", "daily", "never"
CHOICES = [(AT_ONCE, _("at once")), (DAILY, _("in a daily digest")), (NEVER, _("never"))]


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise  # the settings page: "A task is assigned to me"
    sentence: Promise  # the inbox and the e-mail: "%(actor)s assigned a task to you."
    default: str = AT_ONCE


KINDS: dict[str, Kind] = {}


def _kind(code: str, label: Promise, sentence: Promise, default: str = AT_ONCE) -> None:
    KINDS[code] = Kind(code, label, sentence, default)


_kind("task_assigned", _("A task is assigned to me"), _("A task was assigned to you."))
_kind("task_due_tomorrow", _("A task of mine is due tomorrow"), _("A task of yours is due tomorrow."), DAILY)
_kind("task_overdue", _("A task of mine is overdue"), _("A task of yours is overdue."), DAILY)
_kind("journal_message", _("A new message in the journal of a plan I am in"),
      _("There is a new message in the journal."), DAILY)
_kind("journal_mention", _("Someone mentions me in a journal"), _("You were mentioned in the journal."))
_kind("mdo_invited", _("I am invited to a multidisciplinary consultation"),
      _("You are invited to a multidisciplinary consultation."))
_kind("mdo_changed", _("A consultation I am invited to changes"), _("A consultation you are invited to has changed."))
_kind("mdo_cancelled", _("A consultation I am invited to is cancelled"),
      _("A consultation you are invited to was cancelled."))
_kind("mdo_reminder", _("Reminder of a consultation tomorrow"), _("Reminder: a consultation takes place tomorrow."))
_kind("referral_received", _("A referral to my service"), _("Your service received a referral."))
_kind("referral_accepted", _("A referral I sent is accepted"), _("A referral you sent was accepted."))
_kind("referral_refused", _("A referral I sent is refused"), _("A referral you sent was refused."))
_kind("agreement_needed", _("A proposal needs my agreement"), _("A proposal is waiting for your agreement."))
_kind("carer_checkin", _("An informal carer signals it is too much"),
      _("An informal carer signalled that it is too much."))
_kind("programme_phase", _("A programme moves to a new phase"), _("A care programme moved to a new phase."), DAILY)
_kind("assessment_due", _("An assessment is due"), _("An assessment is due."), DAILY)
# Reserved for the documents feature (issue 21, engineer ``docs``).
_kind("document_shared", _("A document is shared with the team"), _("A document was shared with the team."), DAILY)
_kind("emergency_access", _("Someone opens my file in an emergency"),
      _("Someone opened your file with emergency access."))


# Kinds whose reader may not have access to the file yet: the place itself decides (the referral page).
NO_FILE_ACCESS = {"referral_received"}


def kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}; add it to careweave/notifications/kinds.py") from None
