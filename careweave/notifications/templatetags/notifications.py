"""Template tags of the notifications app: failed deliveries (the administrator's home), the poll interval."""

from __future__ import annotations

from django import template
from django.conf import settings

from careweave.notifications.models import Delivery

register = template.Library()


@register.simple_tag
def failed_deliveries() -> int:
    return Delivery.objects.filter(status=Delivery.Status.FAILED).count()


@register.simple_tag
def inbox_poll_seconds() -> int:
    """How often the menu's unread count asks again (``CAREWEAVE_INBOX_POLL_SECONDS``)."""
    return settings.CAREWEAVE_INBOX_POLL_SECONDS
