"""Appointment actions: book, move, cancel, mark done; and one's calendar feed (renew, stop, titles).

Every write goes through here (decision 0003): the permission table first (``scheduling.*`` rows in
``careweave.access.permissions``), the rules, one transaction, the audit row on the person's file. Moving an
appointment carries the version the editor saw (optimistic concurrency): two people moving the same home
visit never overwrite each other silently. A note marked medical needs the full file (decision 0004).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.careplans.limits import check_length
from careweave.careplans.models import TeamMember
from careweave.dates import check_date
from careweave.people.models import Person
from careweave.records.signals import version_changed
from careweave.scheduling.models import Appointment, FeedToken, hash_token
from careweave.versioning import ChangedMeanwhile

RESOURCE = "Appointment"
PLACE_MAX = 300
NOTE_MAX = 4000
REASON_MAX = 300
LONGEST = timedelta(hours=12)


def _check_times(start: datetime | None, end: datetime | None, previous: datetime | None = None) -> None:
    if start is None or end is None:
        raise RuleViolation("appointment_times", _("Say when the appointment starts and ends."))
    if end <= start:
        raise RuleViolation("appointment_times", _("The end of the appointment must come after its start."))
    if end - start > LONGEST:
        raise RuleViolation("appointment_times", _("An appointment lasts at most 12 hours."))
    check_date("appointment_start", timezone.localdate(start),
               previous=timezone.localdate(previous) if previous else None)


def _check_members(person: Person, members: Iterable[TeamMember]) -> list[TeamMember]:
    """Only active members of the person's own team take part (a stranger is never invited this way)."""
    members = list(members)
    for member in members:
        if member.team.person_id != person.pk or member.status != TeamMember.Status.ACTIVE:
            raise RuleViolation("not_in_team", _("%(name)s is not a member of the team.") % {"name": member})
    return members


def _check_version(appointment: Appointment, expected_version: int | None) -> None:
    if expected_version is not None:
        current = Appointment.objects.filter(pk=appointment.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise ChangedMeanwhile(appointment, expected_version)


def _participant_users(appointment: Appointment, actor: Any) -> set[int]:
    """Who takes part (the members' accounts and the person's when the person takes part), but not the actor."""
    ids = {uid for pair in appointment.members.values_list("professional__user_id", "related_person__user_id")
           for uid in pair if uid is not None}
    if appointment.with_person and appointment.person.user_id:
        ids.add(appointment.person.user_id)
    ids.discard(getattr(actor, "pk", None))
    return ids


def _tell(kind: str, actor: Any, appointment: Appointment) -> None:
    """Those taking part hear of it (decision 0030): the kind's general sentence and a link, no detail."""
    from django.urls import reverse

    from careweave.notifications import emit

    emit(kind, person=appointment.person, target=appointment, actor=actor,
         recipients=_participant_users(appointment, actor),
         url=reverse("scheduling:appointment", args=[appointment.fhir_id]))


def _require_open(appointment: Appointment) -> None:
    if not appointment.is_open:
        raise RuleViolation(
            "appointment_status",
            _("This is not possible for an appointment that is %(status)s.")
            % {"status": appointment.get_status_display()},
        )


@atomic_action
def create_appointment(
    actor,  # noqa: ANN001
    person: Person,
    *,
    kind: str,
    start: datetime,
    end: datetime,
    place: str = "",
    note: str = "",
    is_medical: bool = False,
    members: Iterable[TeamMember] = (),
    with_person: bool = True,
    status: str = Appointment.Status.BOOKED,
) -> Appointment:
    """Book an appointment with the person (a home visit, a consultation, a phone call...)."""
    authorize(actor, "scheduling.create_appointment", person)
    if is_medical:
        authorize(actor, "careplans.see_medical_detail", person)
    if kind not in Appointment.Kind.values:
        raise RuleViolation("appointment_kind", _("Choose what kind of appointment this is."))
    if status not in (Appointment.Status.PROPOSED, Appointment.Status.BOOKED):
        raise RuleViolation("appointment_status", _("A new appointment is proposed or booked."))
    _check_times(start, end)
    chosen = _check_members(person, members)
    appointment = Appointment.objects.create(
        person=person, kind=kind, status=status, start=start, end=end,
        place=check_length((place or "").strip(), PLACE_MAX, _("the place")),
        note=check_length((note or "").strip(), NOTE_MAX, _("the note")),
        is_medical=is_medical, with_person=with_person, created_by=actor,
    )
    appointment.members.set(chosen)
    version_changed.send(sender=Appointment, instance=appointment)  # the snapshot of version 1 with its members
    audit_write(actor, "create", RESOURCE, appointment, person, reason="booked")
    _tell("appointment_booked", actor, appointment)
    return appointment


@atomic_action
def reschedule_appointment(
    actor,  # noqa: ANN001
    appointment: Appointment,
    *,
    start: datetime,
    end: datetime,
    place: str | None = None,
    expected_version: int | None = None,
) -> Appointment:
    """Move an appointment (and its place); refused when someone changed it since the editor loaded it."""
    authorize(actor, "scheduling.reschedule_appointment", appointment)
    _check_version(appointment, expected_version)
    _require_open(appointment)
    _check_times(start, end, previous=appointment.start)
    appointment.start, appointment.end = start, end
    if place is not None:
        appointment.place = check_length(place.strip(), PLACE_MAX, _("the place"))
    appointment.save_versioned(expected_version, update_fields=["start", "end", "place"])
    audit_write(actor, "update", RESOURCE, appointment, appointment.person, reason="rescheduled")
    _tell("appointment_changed", actor, appointment)
    return appointment


@atomic_action
def cancel_appointment(
    actor,  # noqa: ANN001
    appointment: Appointment,
    reason: str = "",
    *,
    expected_version: int | None = None,
) -> Appointment:
    """Cancel; the appointment stays in the file, struck through, with why."""
    authorize(actor, "scheduling.cancel_appointment", appointment)
    _check_version(appointment, expected_version)
    _require_open(appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancel_reason = check_length((reason or "").strip(), REASON_MAX, _("why it is cancelled"))
    appointment.save_versioned(expected_version, update_fields=["status", "cancel_reason"])
    audit_write(actor, "update", RESOURCE, appointment, appointment.person, reason="cancelled")
    _tell("appointment_cancelled", actor, appointment)
    return appointment


@atomic_action
def complete_appointment(
    actor,  # noqa: ANN001
    appointment: Appointment,
    *,
    expected_version: int | None = None,
) -> Appointment:
    """Mark the appointment done (it took place); not before it started."""
    authorize(actor, "scheduling.complete_appointment", appointment)
    _check_version(appointment, expected_version)
    _require_open(appointment)
    if appointment.start > timezone.now():
        raise RuleViolation("appointment_not_yet", _("An appointment can be marked done once it has started."))
    appointment.status = Appointment.Status.DONE
    appointment.save_versioned(expected_version, update_fields=["status"])
    audit_write(actor, "update", RESOURCE, appointment, appointment.person, reason="done")
    return appointment


# --------------------------------------------------------------------------- the personal feed


@atomic_action
def renew_feed(actor) -> str:  # noqa: ANN001
    """A new secret feed URL token for the actor; the old URL stops working at once. Returns the token,
    shown once (only its hash is kept)."""
    authorize(actor, "scheduling.manage_feed")
    token = FeedToken.new_secret()
    FeedToken.objects.update_or_create(user=actor, defaults={"token_hash": hash_token(token),
                                                             "created_at": timezone.now(), "last_used_at": None})
    record_access(actor, "update", "Calendar", str(actor.pk), reason="feed renewed")
    return token


@atomic_action
def stop_feed(actor) -> bool:  # noqa: ANN001
    """Revoke the actor's feed URL; returns whether there was one."""
    authorize(actor, "scheduling.manage_feed")
    deleted, _rows = FeedToken.objects.filter(user=actor).delete()
    if deleted:
        record_access(actor, "delete", "Calendar", str(actor.pk), reason="feed stopped")
    return bool(deleted)


@atomic_action
def set_feed_titles(actor, show_titles: bool) -> None:  # noqa: ANN001
    """Opt in (or out) of titles and names in the feed's events (default: no health detail)."""
    authorize(actor, "scheduling.manage_feed")
    updated = FeedToken.objects.filter(user=actor).update(show_titles=bool(show_titles))
    if not updated:
        raise RuleViolation("no_feed", _("Make a calendar link first."))
