"""What the worker does for subscriptions: record changes, handshake, deliver, heartbeat (decision 0033).

A change is recorded as a numbered ``SubscriptionEvent`` in the transaction of the change itself, and the
delivery job is enqueued there too (database queue, decision 0024): a rolled-back change notifies nobody,
a committed one is never lost. Delivery re-checks access, so a subscriber who lost access hears nothing.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from careweave.access.decisions import decide
from careweave.fhir.models import Subscription, SubscriptionEvent
from careweave.fhir.subscriptions import resources
from careweave.fhir.subscriptions.topics import BY_TYPE
from careweave.jobs.retry import retry_later

logger = logging.getLogger(__name__)
LIVE = (Subscription.Status.REQUESTED, Subscription.Status.ACTIVE)
MAX_ATTEMPTS = 6


def may_hear(owner: Any, mapping: Any, obj: models.Model) -> bool:
    """The owner may read this resource now (the same rule as a FHIR read: the person's file and its label)."""
    person = mapping.person_of(obj)
    if person is None or owner is None or not owner.is_active:
        return False
    return decide(owner, person).allows(mapping.needed_level(obj))


def record_change(mapping: Any, obj: models.Model) -> int:
    """Number the change for every live subscription whose owner may read it; enqueue their delivery."""
    topics = [t.url for t in BY_TYPE.get(mapping.resource_type, ())]
    if not topics:
        return 0
    now = timezone.now()
    live = Subscription.objects.filter(status__in=LIVE, topic__in=topics).filter(Q(end=None) | Q(end__gt=now))
    if not live.exists():  # the common case: one indexed query per save, no look-up of the person
        return 0
    person = mapping.person_of(obj)
    if person is None:
        return 0
    subs = list(live.filter(Q(person=None) | Q(person=person)).select_related("owner"))
    heard = 0
    for sub in subs:
        if not may_hear(sub.owner, mapping, obj):
            continue
        with transaction.atomic():
            Subscription.objects.filter(pk=sub.pk).update(events_since_start=F("events_since_start") + 1)
            number = Subscription.objects.values_list("events_since_start", flat=True).get(pk=sub.pk)
            SubscriptionEvent.objects.create(subscription=sub, number=number, resource_type=mapping.resource_type,
                                             resource_id=mapping.resource_id(obj), person=person, occurred_at=now)
            if sub.status == Subscription.Status.ACTIVE:
                deliver.enqueue(sub.pk)
        heard += 1
    return heard


def on_saved(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """post_save of every mapped record, whichever door the change came through."""
    from careweave.fhir.registry import mapping_for_model

    if raw or sender._meta.label_lower.startswith("fhir."):
        return
    mapping = mapping_for_model(sender)
    if mapping is None or mapping.resource_type not in BY_TYPE:
        return
    record_change(mapping, instance)


def _post(sub: Subscription, bundle: dict) -> str:
    """POST the bundle; an empty string when the endpoint answered 2xx, else why not."""
    body = json.dumps(bundle, ensure_ascii=False).encode()
    request = urllib.request.Request(sub.endpoint, data=body, method="POST")
    request.add_header("Content-Type", "application/fhir+json; charset=utf-8")
    for header in sub.headers:
        name, _sep, value = header.partition(":")
        request.add_header(name.strip(), value.strip())
    try:
        with urllib.request.urlopen(request, timeout=sub.timeout_seconds) as answer:  # noqa: S310 - http(s) only
            return "" if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))[:300]


def _failed(sub: Subscription, why: str, again: Any, attempt: int) -> None:
    """Count the failure; retry with back-off, or give up: status ``error`` (the events stay, see $status)."""
    Subscription.objects.filter(pk=sub.pk).update(failures=F("failures") + 1, error=why)
    if not retry_later(again, sub.pk, attempt=attempt, max_attempts=MAX_ATTEMPTS, base_seconds=30):
        Subscription.objects.filter(pk=sub.pk).update(status=Subscription.Status.ERROR, version=F("version") + 1)
        logger.warning("subscription %s gave up after %s attempts: %s", sub.fhir_id, attempt, why)


@task()
def handshake(subscription_id: int, attempt: int = 1) -> str:
    """Ask the endpoint whether it accepts notifications; 2xx makes the subscription active."""
    sub = Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.REQUESTED).first()
    if sub is None:
        return "gone"
    why = _post(sub, resources.notification(sub, "handshake"))
    if why:
        _failed(sub, why, handshake, attempt)
        return why
    Subscription.objects.filter(pk=sub.pk).update(status=Subscription.Status.ACTIVE, failures=0, error="",
                                                  last_sent_at=timezone.now(), version=F("version") + 1)
    if sub.events.filter(delivered_at=None, withheld=False).exists():
        deliver.enqueue(sub.pk)
    return "active"


@task()
def deliver(subscription_id: int, attempt: int = 1) -> int:
    """Send the pending events, oldest first, ``max_count`` per notification; returns how many were sent."""
    from careweave.fhir.registry import MAPPINGS

    sent = 0
    while True:
        sub = Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.ACTIVE) \
            .select_related("owner").first()
        if sub is None:
            return sent
        pending = list(sub.events.filter(delivered_at=None, withheld=False).order_by("number")[:sub.max_count])
        if not pending:
            return sent
        ready = []
        for event in pending:  # access now, not only at the time of the change
            mapping = MAPPINGS.get(event.resource_type)
            obj = mapping.queryset().filter(fhir_id=event.resource_id).first() if mapping else None
            if obj is None or not may_hear(sub.owner, mapping, obj):
                SubscriptionEvent.objects.filter(pk=event.pk).update(withheld=True)
            else:
                ready.append(event)
        if not ready:
            continue
        why = _post(sub, resources.notification(sub, "event-notification", ready))
        if why:
            _failed(sub, why, deliver, attempt)
            return sent
        now = timezone.now()
        SubscriptionEvent.objects.filter(pk__in=[e.pk for e in ready]).update(delivered_at=now)
        Subscription.objects.filter(pk=sub.pk).update(last_sent_at=now, failures=0, error="")
        sent += len(ready)


@task()
def send_heartbeats() -> int:
    """Every minute: a heartbeat to each active subscription that heard nothing for its heartbeat period."""
    now = timezone.now()
    count = 0
    for sub in Subscription.objects.filter(status=Subscription.Status.ACTIVE, heartbeat_seconds__isnull=False):
        if sub.last_sent_at and (now - sub.last_sent_at).total_seconds() < sub.heartbeat_seconds:
            continue
        if sub.end and sub.end <= now:
            Subscription.objects.filter(pk=sub.pk).update(status=Subscription.Status.OFF, version=F("version") + 1)
            continue
        why = _post(sub, resources.notification(sub, "heartbeat"))
        if why:
            Subscription.objects.filter(pk=sub.pk).update(failures=F("failures") + 1, error=why)
        else:
            Subscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
            count += 1
    return count
