"""The person's conditions and measurements from other systems, for the plan and the population model.

Why: the Conditions and Observations an import keeps (``StoredResource``) are part of the person's
situation; the plan shows them beside the goals ("conditions and measurements from other systems"),
and the population model reads the same rows. They are clinical data: only a viewer with full access
sees them (:func:`for_plan` returns nothing otherwise, and says how many were left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from careweave.access.decisions import Decision
from careweave.access.models import Level
from careweave.people.models import Person
from careweave.records.models import StoredResource

MEASUREMENTS_SHOWN = 10
# Source ids Careweave gives the records it keeps itself (an assessment's score Observations): they are its
# own data, shown with the assessments, not "from other systems" (issue 18.14).
OWN_SOURCE_PREFIX = "careweave-"


def _text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"])
    return ""


def _status(data: dict) -> str:
    clinical = data.get("clinicalStatus")
    if isinstance(clinical, dict):
        codes = [c.get("code") for c in clinical.get("coding") or [] if isinstance(c, dict)]
        return str(codes[0] or "") if codes else ""
    return str(clinical or "")


def _value(data: dict) -> str:
    from careweave.numbers import show_quantity

    quantity = data.get("valueQuantity")
    if isinstance(quantity, dict) and isinstance(quantity.get("value"), int | float):
        unit = str(quantity.get("unit") or quantity.get("code") or "")
        unit = "" if "{" in unit else unit  # a UCUM annotation such as "{score}" is no unit to show
        return f"{show_quantity(quantity['value'])} {unit}".strip()
    if isinstance(data.get("valueInteger"), int):
        return show_quantity(data["valueInteger"])
    for key in ("valueString", "valueBoolean"):
        if key in data:
            return str(data[key])
    if isinstance(data.get("valueCodeableConcept"), dict):
        return _text(data["valueCodeableConcept"])
    parts = [f"{_text(c.get('code'))} {_value(c)}" for c in data.get("component") or [] if isinstance(c, dict)]
    return ", ".join(p.strip() for p in parts if p.strip())


@dataclass
class Condition:
    text: str
    since: datetime | None
    status: str  # active, resolved, ... as the source says


@dataclass
class Measurement:
    text: str
    value: str
    on: datetime | None


@dataclass
class OtherSystems:
    """What other systems know about the person, as far as the viewer may see it."""

    conditions: list[Condition] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)  # the latest of each kind
    hidden: int = 0  # conditions and measurements kept but not shown (no full access)

    def __bool__(self) -> bool:
        return bool(self.conditions or self.measurements or self.hidden)


def stored_rows(person: Person, *types: str) -> Iterator[StoredResource]:
    """What other systems sent about the person (Careweave's own kept records left out)."""
    return StoredResource.objects.filter(patient=person, resource_type__in=types).exclude(
        source_id__startswith=OWN_SOURCE_PREFIX).order_by("-clinical_date", "pk").iterator()


def for_plan(person: Person, decision: Decision) -> OtherSystems:
    """The person's current conditions and latest measurements, for a viewer with full access."""
    if not decision.allows(Level.FULL):
        return OtherSystems(hidden=StoredResource.objects.filter(
            patient=person, resource_type__in=("Condition", "Observation")).exclude(
            source_id__startswith=OWN_SOURCE_PREFIX).count())
    out = OtherSystems()
    seen: set[str] = set()
    for row in stored_rows(person, "Condition", "Observation"):
        data = row.data if isinstance(row.data, dict) else {}
        text = _text(data.get("code"))
        if row.resource_type == "Condition":
            if data.get("abatementDateTime") or _status(data) in ("resolved", "inactive", "remission"):
                continue
            out.conditions.append(Condition(text, row.clinical_date, _status(data) or "active"))
        elif text and text not in seen and len(out.measurements) < MEASUREMENTS_SHOWN:
            value = _value(data)
            if value:
                seen.add(text)
                out.measurements.append(Measurement(text, value, row.clinical_date))
    out.conditions.sort(key=lambda c: c.text)
    return out


def store_resources(types: tuple[str, ...]) -> Iterator[tuple[Person | None, dict[str, Any]]]:
    """Every stored resource of these types with its person, for the population model."""
    for row in StoredResource.objects.filter(resource_type__in=types).select_related("patient").order_by(
            "pk").iterator():
        yield row.patient, row.data if isinstance(row.data, dict) else {}
