"""``{% failed_deliveries as n %}``: how many notification deliveries failed (the administrator's home)."""

from __future__ import annotations

from django import template

from careweave.notifications.models import Delivery

register = template.Library()


@register.simple_tag
def failed_deliveries() -> int:
    return Delivery.objects.filter(status=Delivery.Status.FAILED).count()
