"""Emitting an event and fanning it out (decision 0030).

``emit`` is called by the actions of other apps, after their change and inside their transaction: the
inbox rows, the queued e-mails and push messages and the job that sends them exist exactly when the
change committed. The fan-out is set-based (a few queries per batch, whatever the number of recipients),
so a scheduled run that emits thousands of reminders stays fast (``benchmarks/notifications.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from careweave.notifications.kinds import AT_ONCE, NEVER
from careweave.notifications.kinds import kind as kind_of
from careweave.notifications.models import Delivery, EmailChoice, Event, Notification, PushSubscription

# What an event may carry besides its kind: codes and numbers, never free text (no health detail).
_CONTEXT_MAX = 60


@dataclass
class Pending:
    """An event before it is written, with the user ids it goes to (``team``: the person's team, resolved for
    the whole batch at once in :func:`fan_out`)."""

    event: Event
    recipients: set[int] = field(default_factory=set)
    team: bool = False


def _user_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return getattr(value, "pk", None) if hasattr(value, "is_authenticated") else getattr(value, "user_id", None)


def teams_users(persons: Iterable[Any]) -> dict[int, set[int]]:
    """For each person: everyone who works on their shared plan (active members with an account, and the person
    themselves), in one query for all of them."""
    from careweave.careplans.models import CareTeam, TeamMember

    persons = [p for p in persons if p is not None]
    found: dict[int, set[int]] = {p.pk: ({p.user_id} if p.user_id else set()) for p in persons}
    members = TeamMember.objects.filter(
        team__person_id__in=list(found), team__status=CareTeam.Status.ACTIVE, team__external_id="",
        status=TeamMember.Status.ACTIVE,
    ).values_list("team__person_id", "professional__user_id", "related_person__user_id")
    for person_id, *users in members:
        found[person_id].update(uid for uid in users if uid is not None)
    return found


def team_users(person: Any) -> set[int]:
    """Everyone who works on the person's shared plan: active team members with an account, and the person."""
    return teams_users([person]).get(getattr(person, "pk", None), set()) if person is not None else set()


def deciders(person: Any) -> set[int]:
    """Who decides for the person (agreements): the person and their active representatives or proxies."""
    from django.db.models import Q

    from careweave.people.models import RelatedPerson

    ids = set(RelatedPerson.objects.filter(Q(is_representative=True) | Q(has_proxy_access=True), person=person,
                                           active=True, user__isnull=False).values_list("user_id", flat=True))
    if person.user_id:
        ids.add(person.user_id)
    return ids


def coordinator_users(person: Any) -> set[int]:
    """The user holding the person's active coordination (the carer's check-in goes to them)."""
    from careweave.careplans.models import CoordinationEpisode

    pairs = CoordinationEpisode.objects.filter(team__person=person, status=CoordinationEpisode.Status.ACTIVE) \
        .values_list("coordinator__professional__user_id", "coordinator__related_person__user_id")
    return {uid for pair in pairs for uid in pair if uid is not None}


MENTION = re.compile(r"(?<![\w.])@([\w][\w.\-]*)", re.UNICODE)


def mentioned_users(person: Any, text: str) -> set[int]:
    """Team users named with @ in a journal message: by user name, first name or first.last (any case)."""
    words = {w.lower().rstrip(".-") for w in MENTION.findall(text or "")}
    if not words:
        return set()
    from django.contrib.auth import get_user_model

    found = set()
    for user in get_user_model().objects.filter(pk__in=team_users(person)):
        names = {user.username.lower(), user.first_name.lower(),
                 f"{user.first_name}.{user.last_name}".lower().replace(" ", "")}
        if words & {n for n in names if n}:
            found.add(user.pk)
    return found


def place_of(person: Any, target: Any = None) -> str:
    """A default link: the person's plan (the task's row when the target is a task)."""
    if person is None:
        return ""
    try:
        url = reverse("web:plan", args=[person.fhir_id])
    except NoReverseMatch:  # pragma: no cover - the web app is always installed
        return ""
    model = getattr(getattr(target, "_meta", None), "model_name", "")
    if model == "task":
        return f"{url}#task-{target.pk}"
    if model == "journalentry":
        return reverse("web:journal", args=[person.fhir_id])
    return url


def _clean_context(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items()
            if isinstance(v, (int, bool)) or (isinstance(v, str) and len(v) <= _CONTEXT_MAX)}


def build(kind: str, *, person: Any, target: Any = None, actor: Any = None, recipients: Iterable[Any] | None = None,
          url: str = "", medical: bool | None = None, created_at: Any = None, **context: Any) -> Pending | None:
    """The event and its recipient ids (not written yet); None when nobody is to be told."""
    kind_of(kind)  # an unknown kind is a programming error
    ids = {i for i in (_user_id(r) for r in recipients)} if recipients is not None else set()
    ids.discard(None)
    if recipients is not None and not ids - {getattr(actor, "pk", None)}:
        return None
    meta = getattr(target, "_meta", None)
    event = Event(
        kind=kind,
        person=person,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else "",
        target_type=f"{meta.app_label}.{meta.model_name}" if meta else "",
        target_id=str(getattr(target, "pk", "") or ""),
        url=url or place_of(person, target),
        medical=bool(getattr(target, "is_medical", False)) if medical is None else medical,
        context=_clean_context(context),
        created_at=created_at or timezone.now(),
    )
    return Pending(event, ids, team=recipients is None)


def fan_out(pending: list[Pending]) -> list[Event]:
    """Write events, inbox rows and queued deliveries in a fixed number of queries, and enqueue their sending."""
    pending = [p for p in pending if p is not None]
    teams = teams_users({p.event.person for p in pending if p.team})
    for p in pending:
        if p.team:
            p.recipients = set(teams.get(getattr(p.event.person, "pk", None), set()))
        p.recipients.discard(p.event.actor_id)
    pending = [p for p in pending if p.recipients]
    if not pending:
        return []
    user_ids = set().union(*(p.recipients for p in pending))
    active = set(get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))
    kinds = {p.event.kind for p in pending}
    chosen = {(u, k): c for u, k, c in EmailChoice.objects.filter(user_id__in=active, kind__in=kinds)
              .values_list("user_id", "kind", "choice")}
    with_push = set(PushSubscription.objects.filter(user_id__in=active).values_list("user_id", flat=True).distinct())
    events = Event.objects.bulk_create([p.event for p in pending])
    rows = []
    for p, event in zip(pending, events, strict=True):
        default = kind_of(event.kind).default
        for uid in sorted(p.recipients & active):
            rows.append(Notification(event=event, recipient_id=uid, email=chosen.get((uid, event.kind), default)))
    notifications = Notification.objects.bulk_create(rows, batch_size=2000)
    deliveries = []
    for n in notifications:
        if n.email == AT_ONCE:
            deliveries.append(Delivery(recipient_id=n.recipient_id, channel=Delivery.Channel.EMAIL, notification=n))
        if n.email != NEVER and n.recipient_id in with_push:
            deliveries.append(Delivery(recipient_id=n.recipient_id, channel=Delivery.Channel.PUSH, notification=n))
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=2000)
        from careweave.notifications.tasks import deliver

        # Enqueued inside the caller's transaction: a rolled-back action leaves neither rows nor job (0024).
        deliver.enqueue([e.pk for e in events])
    return events


def emit(kind: str, *, person: Any, target: Any = None, actor: Any = None, recipients: Iterable[Any] | None = None,
         url: str = "", medical: bool | None = None, **context: Any) -> Event | None:
    """Tell ``recipients`` (default: the person and their care team, less the actor) that ``kind`` happened.

    Call it from an action, after the change, inside its transaction. ``target`` is the record it is about
    (its ``is_medical`` decides whether reading the notification needs full access); ``url`` the place
    (default: the person's plan); ``context`` may hold short codes only. Returns the event, or None when
    nobody is to be told.
    """
    events = fan_out([build(kind, person=person, target=target, actor=actor, recipients=recipients, url=url,
                            medical=medical, **context)])
    return events[0] if events else None
