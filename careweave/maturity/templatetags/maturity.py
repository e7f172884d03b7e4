"""Template tags of the maturity app: whether to offer it in the menu."""

from __future__ import annotations

from django import template

from careweave.maturity.models import Participant

register = template.Library()


@register.simple_tag(takes_context=True)
def offers_maturity(context: template.Context) -> bool:
    """Zone staff and invited participants see the menu entry (access is checked by every view)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    roles = context.get("roles")
    return bool(getattr(roles, "is_zone_staff", False)) or Participant.objects.filter(user=user).exists()
