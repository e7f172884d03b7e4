"""The reminder mail to a participant who has not submitted (C13-R11): who gets it, in which language, what it says.

Built with Django's e-mail framework so the backend is a setting: a file on a laptop or in the demo,
SMTP in production, ``mail.outbox`` in the tests.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from careweave.territory.models import Zone
from careweave.web.language import SUPPORTED, preferred_language

from .dimensions import dimensions
from .models import MaturityRound, Participant

# The language a zone speaks when the participant never told us theirs; Brussels has two, so none.
ZONE_LANGUAGE = {Zone.Region.FLANDERS: "nl", Zone.Region.WALLONIA: "fr", Zone.Region.GERMAN_COMMUNITY: "de"}


def address_of(user: User) -> str:
    """The account's e-mail, else the one on the professional record (the demo's accounts only have that)."""
    if user.email.strip():
        return user.email.strip()
    professional = getattr(user, "professional", None)
    return (professional.email or "").strip() if professional is not None else ""


def reminder_language(participant: Participant, fallback: str) -> str:
    """The participant's own language, else the zone's, else ``fallback`` (the organiser's current one)."""
    for code in (preferred_language(participant.user), ZONE_LANGUAGE.get(participant.round.zone.region), fallback):
        if code in SUPPORTED:
            return code
    return settings.LANGUAGE_CODE


def _round_name(round_: MaturityRound) -> str:
    return round_.label or str(round_.year)


def reminder_message(
    participant: Participant, *, missing: list[str], link: str, language: str, sender: User, to: str
) -> EmailMessage:
    """The mail in ``language``: the round, the zone, their progress (n of 12), what is still missing
    (the model's dimension names in that language) and the link to their scoring page."""
    round_ = participant.round
    total = len(dimensions())
    with translation.override(language):
        names = {"round": _round_name(round_), "zone": round_.zone.name}
        todo = [f"- {d.number}. {d.name}" for d in dimensions() if d.code in missing]
        subject = _("Reminder: maturity self-assessment %(round)s of %(zone)s") % names
        lines = [
            _("Hello %(name)s,") % {"name": str(participant)},
            "",
            _("You were invited to the maturity self-assessment %(round)s of %(zone)s. "
              "Your scores have not been submitted yet.") % names,
            _("Your progress: %(done)s of %(total)s dimensions complete.")
            % {"done": total - len(todo), "total": total},
            "",
            *([_("Still to complete (a score and its argument):"), *todo, ""] if todo else []),
            _("Everything you entered has been kept. Continue where you left off:"),
            link,
            "",
            _("You are welcome at the consensus workshop whether or not you have submitted."),
            "",
            _("Kind regards,"),
            sender.get_full_name() or sender.get_username(),
            round_.zone.name,
        ]
    reply_to = [address_of(sender)] if address_of(sender) else None
    return EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [to], reply_to=reply_to)
