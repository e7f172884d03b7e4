"""Notification actions (decision 0003): reading, choices per kind, push subscriptions, retrying a delivery.

Emitting is not an action of its own: :func:`careweave.notifications.emit` runs inside the action that
changed something, after that action asked the permission table.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action
from careweave.careplans.errors import RuleViolation
from careweave.notifications.kinds import CHOICES, KINDS
from careweave.notifications.models import Delivery, EmailChoice, Notification, PushSubscription


@atomic_action
def open_notification(actor, notification: Notification) -> str:  # noqa: ANN001
    """Follow a notification to its place: marked read, the link returned (refused once the file is closed)."""
    authorize(actor, "notifications.open_notification", notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification.event.url or "/"


@atomic_action
def mark_read(actor, notification: Notification) -> Notification:  # noqa: ANN001
    authorize(actor, "notifications.mark_read", notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@atomic_action
def mark_all_read(actor, account: Any, person: Any = None) -> int:  # noqa: ANN001
    """Everything unread in ``account``'s inbox (or only about ``person``) marked read; returns how many."""
    authorize(actor, "notifications.mark_all_read", account)
    unread = Notification.objects.filter(recipient=account, read_at=None)
    if person is not None:
        unread = unread.filter(event__person=person)
    return unread.update(read_at=timezone.now())


@atomic_action
def set_email_choices(actor, account: Any, choices: dict[str, str]) -> int:  # noqa: ANN001
    """Save the reader's choice per kind (at once, daily digest, never); returns how many were saved."""
    authorize(actor, "notifications.set_email_choices", account)
    allowed = {code for code, _label in CHOICES}
    for kind, choice in choices.items():
        if kind not in KINDS or choice not in allowed:
            raise RuleViolation("unknown_choice", _("Choose at once, in a daily digest or never for each kind."))
    for kind, choice in choices.items():
        EmailChoice.objects.update_or_create(user=account, kind=kind, defaults={"choice": choice})
    return len(choices)


@atomic_action
def subscribe_push(actor, account: Any, endpoint: str, p256dh: str, auth: str,  # noqa: ANN001
                   user_agent: str = "") -> PushSubscription:
    """Opt in to web push on this device (the browser's PushSubscription, as it sends it)."""
    authorize(actor, "notifications.subscribe_push", account)
    if not endpoint.startswith("https://"):
        raise RuleViolation("push_endpoint", _("This browser gave no usable push address."))
    if not p256dh or not auth:
        raise RuleViolation("push_keys", _("This browser gave no push keys."))
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": account, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]})
    return subscription


@atomic_action
def unsubscribe_push(actor, subscription: PushSubscription) -> None:  # noqa: ANN001
    authorize(actor, "notifications.unsubscribe_push", subscription)
    subscription.delete()


@atomic_action
def retry_delivery(actor, delivery: Delivery) -> Delivery:  # noqa: ANN001
    """An administrator sends a failed e-mail or push message again (attempts start over)."""
    authorize(actor, "notifications.retry_delivery", delivery)
    if delivery.status != Delivery.Status.FAILED:
        raise RuleViolation("not_failed", _("Only a failed delivery can be sent again."))
    delivery.status, delivery.attempts = Delivery.Status.QUEUED, 0
    delivery.save(update_fields=["status", "attempts", "updated_at"])
    from careweave.notifications.tasks import send_delivery

    send_delivery.enqueue(delivery.pk, attempt=1)
    return delivery
