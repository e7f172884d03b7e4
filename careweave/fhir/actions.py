"""Actions of the FHIR door's own records: subscriptions of other systems (decision 0033).

Like every action they ask the permission table first (decision 0022); the FHIR handlers only call them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import F

from careweave.access.audit import record_access
from careweave.access.permissions import authorize
from careweave.fhir.models import Subscription
from careweave.fhir.subscriptions.resources import Requested
from careweave.people.models import Person


@transaction.atomic
def create_subscription(actor: Any, person: Person | None, *, requested: Requested, base_url: str) -> Subscription:
    """Subscribe ``actor``'s system to a topic, for one person's file (a plan reader of it) or for every
    file the actor may read; the handshake is sent by the worker before any notification."""
    authorize(actor, "fhir.subscribe", person)
    from careweave.fhir.subscriptions.delivery import handshake

    sub = Subscription.objects.create(
        fhir_id=uuid.uuid4(), owner=actor, topic=requested.topic, person=person, reason=requested.reason,
        endpoint=requested.endpoint, base_url=base_url, headers=requested.headers, payload=requested.payload,
        heartbeat_seconds=requested.heartbeat, timeout_seconds=requested.timeout, max_count=requested.max_count,
        end=requested.end)
    record_access(actor, "create", "Subscription", str(sub.fhir_id), person=person)
    handshake.enqueue(sub.pk)
    return sub


@transaction.atomic
def end_subscription(actor: Any, subscription: Subscription) -> Subscription:
    """The owner stops a subscription: status ``off``, nothing sent any more (the events stay for $status)."""
    authorize(actor, "fhir.manage_subscription", subscription)
    Subscription.objects.filter(pk=subscription.pk).update(status=Subscription.Status.OFF, version=F("version") + 1)
    record_access(actor, "delete", "Subscription", str(subscription.fhir_id), person=subscription.person)
    subscription.refresh_from_db()
    return subscription
