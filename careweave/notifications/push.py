"""Web push (RFC 8030 with VAPID, RFC 8292) through pywebpush: the same general sentence as the e-mail.

The keys come from settings (``CAREWEAVE_VAPID_PRIVATE_KEY``: a PEM file or the key itself;
``careweave manage vapid_keys`` makes a pair with py-vapid). A subscription the push service answers
404 or 410 for is gone for good and is removed; other failures are retried like e-mail.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from careweave.notifications.kinds import kind
from careweave.notifications.models import Notification, PushSubscription

GONE = {404, 410}


class PushNotConfigured(RuntimeError):
    """No VAPID private key in the settings."""


def payload(notification: Notification, language: str) -> str:
    with translation.override(language):
        return json.dumps({
            "title": "Careweave",
            "body": str(kind(notification.event.kind).sentence),
            "url": reverse("notifications:open", args=[notification.pk]),
            "tag": f"careweave-{notification.pk}",
        })


def send(notification: Notification, language: str) -> int:
    """Push to every device of the recipient; returns how many took it. Gone endpoints are deleted."""
    from pywebpush import WebPushException, webpush

    key = settings.CAREWEAVE_VAPID_PRIVATE_KEY
    if not key:
        raise PushNotConfigured("CAREWEAVE_VAPID_PRIVATE_KEY is not set")
    data = payload(notification, language)
    sent = 0
    errors: list[str] = []
    for subscription in PushSubscription.objects.filter(user_id=notification.recipient_id):
        info: dict[str, Any] = {"endpoint": subscription.endpoint,
                                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(info, data=data, vapid_private_key=key, vapid_claims={"sub": settings.CAREWEAVE_VAPID_SUBJECT},
                    ttl=24 * 3600, timeout=10)
            sent += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in GONE:
                subscription.delete()
            else:
                errors.append(f"{status}: {error}")
    if errors and not sent:
        raise RuntimeError("; ".join(errors))
    return sent
