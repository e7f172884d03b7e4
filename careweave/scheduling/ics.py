"""iCalendar (RFC 5545) through the ``icalendar`` library: the MDO invitation and the personal feed.

The invitation (iTIP, RFC 5546) has one UID per MDO, so a calendar app updates the same event: SEQUENCE is the
MDO's version (it grows with every change), METHOD is REQUEST, or CANCEL once the MDO is cancelled. Neither the
invitation nor the default feed carries health detail: "MDO" and the person's initials, the time, the place
and a link to Careweave, where the reader's access decides what they see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from careweave.consultations.models import Consultation, Participant
from careweave.scheduling.queries import Entry, initials

PRODID = "-//Careweave//Calendar//EN"
DOMAIN = "careweave"
PARTSTAT = {
    Participant.Response.PENDING: "NEEDS-ACTION",
    Participant.Response.ACCEPTED: "ACCEPTED",
    Participant.Response.DECLINED: "DECLINED",
}


def site_url(path: str = "") -> str:
    """An absolute link to Careweave (``CAREWEAVE_BASE_URL``), for calendar apps outside the browser."""
    base = getattr(settings, "CAREWEAVE_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def mdo_uid(mdo: Consultation) -> str:
    return f"mdo-{mdo.fhir_id}@{DOMAIN}"


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _address(user: Any, name: str, **params: str) -> vCalAddress | None:
    email = getattr(user, "email", "") if user is not None else ""
    if not email:
        return None
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _participant_user(p: Participant) -> Any:
    return p.consultation.person.user if p.is_person else p.member.user


def mdo_invitation(mdo: Consultation, attendee: Participant, *, language: str | None = None) -> bytes:
    """The ``.ics`` attached to the invitation of ``attendee`` to ``mdo`` (REQUEST, or CANCEL when cancelled)."""
    if mdo.start is None:
        raise ValueError("an MDO without a date has no invitation")
    cancelled = mdo.status == Consultation.Status.CANCELLED
    language = language or getattr(attendee.consultation.person, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        cal = _calendar("CANCEL" if cancelled else "REQUEST")
        event = Event()
        event.add("uid", mdo_uid(mdo))
        event.add("sequence", mdo.version)
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", mdo.start.astimezone(UTC))
        event.add("dtend", (mdo.end or mdo.start + timedelta(hours=1)).astimezone(UTC))
        event.add("summary", f"{_('MDO')} {initials(mdo.person)}".strip())
        event.add("description", _("Multidisciplinary consultation. The details are in Careweave: %(url)s")
                  % {"url": site_url(f"/consultations/{mdo.fhir_id}/")})
        event.add("url", site_url(f"/consultations/{mdo.fhir_id}/"))
        place = ", ".join(x for x in (mdo.location, mdo.link) if x)
        if place:
            event.add("location", place)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        organizer = _address(mdo.convened_by, mdo.convened_by.get_full_name() if mdo.convened_by else "")
        if organizer is not None:
            event.add("organizer", organizer)
        user = _participant_user(attendee)
        who = _address(user, str(attendee), role="REQ-PARTICIPANT", partstat=PARTSTAT[attendee.response],
                       rsvp="FALSE" if cancelled else "TRUE")
        if who is not None:
            event.add("attendee", who)
        cal.add_component(event)
    return cal.to_ical()


def participant_of(mdo: Consultation, user: Any) -> Participant | None:
    """The user's invitation to the MDO (as a team member, or as the person invited)."""
    for participant in mdo.participants.select_related("member__professional__user", "member__related_person__user"):
        participant.consultation = mdo
        found = _participant_user(participant)
        if found is not None and found.pk == getattr(user, "pk", None):
            return participant
    return None


def invitation_for(mdo_id: Any, user: Any, *, language: str | None = None) -> bytes | None:
    """The ``.ics`` for ``user``'s invitation to MDO ``mdo_id`` (a primary key), or None when there is none
    (no date, or the user is not invited): the notification e-mail attaches it (decision 0032)."""
    mdo = Consultation.objects.select_related("person", "convened_by").filter(pk=mdo_id).first()
    if mdo is None or mdo.start is None:
        return None
    participant = participant_of(mdo, user)
    return mdo_invitation(mdo, participant, language=language) if participant is not None else None


def _moment(value: datetime | date, all_day: bool) -> datetime | date:
    if all_day:
        return value if not isinstance(value, datetime) else timezone.localdate(value)
    return value.astimezone(UTC)


def feed(entries: Iterable[Entry], *, show_titles: bool, name: str = "Careweave") -> bytes:
    """A user's calendar feed: one VEVENT per entry; titles and names only when ``show_titles`` (opt-in)."""
    cal = _calendar()
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    now = datetime.now(UTC)
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.uid}@{DOMAIN}")
        event.add("sequence", entry.version)
        event.add("dtstamp", now)
        event.add("dtstart", _moment(entry.start, entry.all_day))
        if entry.end is not None:
            event.add("dtend", _moment(entry.end, entry.all_day))
        summary = entry.title if show_titles else f"{entry.private_title} {initials(entry.person)}".strip()
        event.add("summary", summary)
        if show_titles and entry.place:
            event.add("location", entry.place)
        event.add("url", site_url(entry.url))
        if entry.cancelled:
            event.add("status", "CANCELLED")
        elif not entry.all_day:
            event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT" if entry.all_day else "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()
