"""Coded elements (a Goal's ``lifecycleStatus``, a Task's ``status`` and ``intent``) as one table each.

Why: Careweave models fewer statuses than FHIR (a Task is never ``on-hold`` in the care work, only
``in-progress``), but a client that sends a valid FHIR code must get that code back, and one that
sends an invalid code must be told (422) instead of seeing it silently changed. Each table lists every
valid FHIR code with the model value it is kept as; the code as received is kept in the received copy
(``fhir/sources.py``) and served for as long as the record still has the value that code stands for.
When the record changed since (the goal was achieved in the web app), the model's own code is served.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from careweave.fhir.errors import Unprocessable


@dataclass(frozen=True)
class CodeTable:
    element: str  # the FHIR element, e.g. "lifecycleStatus"
    codes: MappingType[str, str]  # every valid FHIR code -> the model value it is kept as
    served: MappingType[str, str]  # model value -> the code served when the received one no longer applies
    default: str  # the code assumed when the element is absent
    field: str | None = None  # the model attribute; None: not modelled (one model value, "")

    def incoming(self, resource: dict[str, Any]) -> str:
        """The model value for the code in ``resource``; 422 naming the element when it is not valid."""
        code = resource.get(self.element, self.default)
        if code not in self.codes:
            raise Unprocessable(
                _("%(code)s is not a valid code for %(element)s (expected one of: %(codes)s).")
                % {"code": code, "element": self.element, "codes": ", ".join(self.codes)},
                code="code-invalid", expression=[self.element])
        return self.codes[code]

    def model_value(self, obj: models.Model) -> str:
        return getattr(obj, self.field) if self.field else ""

    def outgoing(self, obj: models.Model, received: dict[str, Any] | None) -> str:
        """The code served: as received while the record still means it, else the model's own."""
        value = self.model_value(obj)
        code = (received or {}).get(self.element)
        if code in self.codes and self.codes[code] == value:
            return code
        return self.served[value]


def serve_codes(tables: tuple[CodeTable, ...], obj: models.Model, resource: dict[str, Any],
                received: dict[str, Any] | None) -> None:
    """Put each coded element's served code into ``resource`` (in place)."""
    for table in tables:
        resource[table.element] = table.outgoing(obj, received)


def codes_differ(tables: tuple[CodeTable, ...], obj: models.Model, resource: dict[str, Any],
                 received: dict[str, Any] | None) -> bool:
    """Does ``resource`` send another valid code than the one served now (same model value)?"""
    return any(resource.get(t.element, t.default) != t.outgoing(obj, received) for t in tables)


def _identity(values: list[str]) -> dict[str, str]:
    return {v: v for v in values}


# FHIR R4 value sets: goal-status, task-status, care-plan-intent / request-intent, request-status.
GOAL_STATUS = CodeTable("lifecycleStatus", {
    "proposed": "proposed", "planned": "active", "accepted": "active", "active": "active", "on-hold": "on-hold",
    "completed": "completed", "cancelled": "cancelled", "entered-in-error": "cancelled", "rejected": "cancelled",
}, _identity(["proposed", "active", "on-hold", "completed", "cancelled"]), "active", "status")

TASK_STATUS = CodeTable("status", {
    "draft": "requested", "requested": "requested", "received": "requested", "accepted": "accepted",
    "rejected": "cancelled", "ready": "accepted", "cancelled": "cancelled", "in-progress": "in-progress",
    "on-hold": "in-progress", "failed": "cancelled", "completed": "completed", "entered-in-error": "cancelled",
}, _identity(["requested", "accepted", "in-progress", "completed", "cancelled"]), "requested", "status")

PLAN_STATUS = CodeTable("status", {
    "draft": "draft", "active": "active", "on-hold": "on-hold", "revoked": "revoked", "completed": "completed",
    "entered-in-error": "revoked", "unknown": "active",
}, _identity(["draft", "active", "on-hold", "revoked", "completed"]), "active", "status")

TASK_INTENT = CodeTable("intent", dict.fromkeys([
    "unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order",
    "option"], ""), {"": "plan"}, "plan")
PLAN_INTENT = CodeTable("intent", dict.fromkeys(["proposal", "plan", "order", "option"], ""), {"": "plan"}, "plan")
