"""Template tags of the consultations app: the MDOs shown on a person's plan."""

from __future__ import annotations

from typing import Any

from django import template

from careweave.consultations.actions import may_convene
from careweave.consultations.models import Consultation

register = template.Library()


@register.simple_tag
def person_mdos(person: Any, user: Any, limit: int = 5) -> dict[str, Any]:
    """The latest MDOs of a person whose plan is being shown (the plan view has checked and audited access)."""
    open_first = list(person.consultations.filter(status__in=Consultation.OPEN).order_by("start", "created_at"))
    recent = list(person.consultations.exclude(status__in=Consultation.OPEN).order_by("-start")[:limit])
    return {"items": (open_first + recent)[:limit + len(open_first)], "may_convene": may_convene(user, person)}
