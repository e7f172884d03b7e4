"""``{% may "app.action" target as can_do %}``: a page shows a control only if the table allows it."""

from __future__ import annotations

from typing import Any

from django import template

from careweave.access.decisions import remembering_decisions
from careweave.access.permissions import may as _may

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: template.Context, name: str, target: Any = None) -> bool:
    """Ask the permission table for the request's user (answers are cached for the request)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    cache = getattr(request, "_careweave_may", None) if request is not None else None
    if cache is None and request is not None:
        cache = request._careweave_may = {}
    key = (name, type(target).__name__, getattr(target, "pk", id(target)))
    if cache is not None and key in cache:
        return cache[key]
    memo = getattr(request, "_careweave_decisions", None) if request is not None else None
    if memo is None and request is not None:
        memo = request._careweave_decisions = {}
    with remembering_decisions(memo):  # the page's answers share one decision per person
        answer = user is not None and _may(user, name, target)
    if cache is not None:
        cache[key] = answer
    return answer
