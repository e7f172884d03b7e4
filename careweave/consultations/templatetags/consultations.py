"""Template tags of the consultations app: the MDOs shown on a person's plan."""

from __future__ import annotations

from typing import Any

from django import template

from careweave.access.permissions import may
from careweave.consultations.models import Consultation
from careweave.consultations.queries import to_organise

register = template.Library()


@register.simple_tag
def person_mdos(person: Any, user: Any, limit: int = 5) -> dict[str, Any]:
    """The latest MDOs of a person whose plan is being shown (the plan view has checked and audited access)."""
    open_first = list(person.consultations.filter(status__in=Consultation.OPEN).order_by("start", "created_at"))
    recent = list(person.consultations.exclude(status__in=Consultation.OPEN).order_by("-start")[:limit])
    return {"items": (open_first + recent)[:limit + len(open_first)],
            "may_convene": may(user, "consultations.schedule_mdo", person)}


@register.simple_tag
def mdos_to_organise(user: Any) -> int:
    """How many open MDOs the user has to organise (shown on the coordinator's home)."""
    return to_organise(user).count()
