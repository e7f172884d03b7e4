"""The e-mails (a door of this app): one notification, or the daily digest, in the reader's language.

No health detail, by construction: the text is the kind's general sentence ("a task was assigned to
you") and a link; no name of the person, no task, diagnosis or message text — those stay behind the
link, where the page asks the permission table again. Built with Django's e-mail framework, so the
backend is a setting (files in the demo, SMTP in production, ``mail.outbox`` in tests).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careweave.notifications.kinds import kind
from careweave.notifications.models import Notification
from careweave.web.language import SUPPORTED, preferred_language


def language_of(user: Any) -> str:
    """The language the reader chose (or their record's), else the site's."""
    code = preferred_language(user)
    return code if code in SUPPORTED else settings.LANGUAGE_CODE


def address_of(user: Any) -> str:
    """The account's e-mail, else the one on the professional or person record."""
    if (user.email or "").strip():
        return user.email.strip()
    for record in ("professional", "person"):
        value = getattr(getattr(user, record, None), "email", "") or ""
        if value.strip():
            return value.strip()
    return ""


def _absolute(path: str) -> str:
    return settings.CAREWEAVE_BASE_URL.rstrip("/") + path


def _footer() -> list[str]:
    return ["", "—", _("You receive this e-mail because of your notification settings in Careweave. "
                       "Change them here:"), _absolute(reverse("notifications:settings"))]


def _greeting(user: Any) -> str:
    return _("Hello %(name)s,") % {"name": user.first_name or user.get_username()}


def _message(subject: str, body: list[str], to: str, language: str) -> EmailMessage:
    return EmailMessage(subject, "\n".join(body), settings.DEFAULT_FROM_EMAIL, [to],
                        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"})


def notification_message(notification: Notification, to: str) -> EmailMessage:
    """One notification: what happened in general terms, and the link that opens it."""
    user = notification.recipient
    language = language_of(user)
    with translation.override(language):
        sentence = str(kind(notification.event.kind).sentence)
        subject = _("Careweave: %(what)s") % {"what": sentence.rstrip(".")}
        body = [
            _greeting(user), "", sentence, "",
            _("Open Careweave to see it (you will be asked to log in):"),
            _absolute(reverse("notifications:open", args=[notification.pk])),
            *_footer(),
        ]
    return _message(subject, body, to, language)


def digest_message(user: Any, notifications: list[Notification], to: str) -> EmailMessage:
    """The day's notifications counted per kind, and the link to the inbox."""
    counts = Counter(n.event.kind for n in notifications)
    language = language_of(user)
    with translation.override(language):
        total = sum(counts.values())
        subject = ngettext("Careweave: %(count)d new notification", "Careweave: %(count)d new notifications",
                           total) % {"count": total}
        lines = [f"- {str(kind(code).sentence)} ({count})" for code, count in sorted(counts.items())]
        body = [
            _greeting(user), "", _("Since yesterday in Careweave:"), *lines, "",
            _("Open your inbox to see them (you will be asked to log in):"),
            _absolute(reverse("notifications:inbox")),
            *_footer(),
        ]
    return _message(subject, body, to, language)
