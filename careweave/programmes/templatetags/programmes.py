"""``{% programme_panel %}``: the person's programmes on their plan (one include line in web/plan.html)."""

from __future__ import annotations

from typing import Any

from django import template

from careweave.access.permissions import may

register = template.Library()


@register.inclusion_tag("programmes/plan_panel.html", takes_context=True)
def programme_panel(context: dict[str, Any]) -> dict[str, Any]:
    from careweave.programmes.panel import programme_views

    request, person, view = context["request"], context["person"], context["v"]
    return {
        "person": person,
        "programmes": programme_views(request.user, person, view.decision),
        "may_enrol": may(request.user, "programmes.enrol_in_programme", person),
        "request": request,
    }
