"""Resources for secondary use: pseudonyms instead of identities (``_pseudonymize=true``, decision 0026).

What the zone's population analysis may see of a person is what it needs to count and link, never who
they are: the Patient keeps its sex, year of birth, whether deceased and language; its id and every
``Patient/..`` reference become the person's keyed zone pseudonym (``population.pseudonyms``), the same
one the claims-like population set uses, so both link. Free text that could identify (narratives, notes,
messages, free-text answers, titles and names, texts of concepts, reference displays) is dropped; only
Careweave's own identifiers of non-person records are kept.

A person without an SSIN gets a pseudonym of a stable internal key (an HMAC of ``person:<fhir_id>`` with
the same zone secret): stable across exports of that zone, but it does not link to the claims-like set.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from careweave.fhir.profiles import URI
from careweave.people.models import Person
from careweave.population.pseudonyms import PSEUDONYM_SYSTEM, pseudonym_text, zone_key

# Types that are about other people or are free text as a whole: never in a pseudonymised export.
LEFT_OUT = {"RelatedPerson", "Communication", "AuditEvent", "DocumentReference"}
# Keys dropped wherever they occur (free text that could identify someone).
FREE_TEXT = {"note", "comment", "contentString", "valueString", "valueMarkdown", "title", "telecom", "address",
             "photo", "contact", "display", "valueAttachment", "presentedForm", "content"}
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
PATIENT_KEEPS = ("gender", "communication")


def pseudonym_of(person: Person, zone_code: str) -> str:
    """The person's pseudonym in this zone: of the SSIN when known, else of the internal key."""
    if person.ssin:
        try:
            return pseudonym_text(person.ssin, zone_code)
        except ValueError:
            pass  # a malformed historic SSIN: fall back to the stable internal key
    digest = hmac.new(zone_key(zone_code), f"person:{person.fhir_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') & ((1 << 63) - 1):016x}"


class Pseudonymiser:
    """Rewrites served resources for one zone, remembering the pseudonyms it computed."""

    def __init__(self, zone_code: str) -> None:
        self.zone_code = zone_code
        self.known: dict[str, str] = {}  # Patient fhir_id -> pseudonym

    def add(self, persons: list[Person]) -> None:
        for person in persons:
            self.known.setdefault(str(person.fhir_id), pseudonym_of(person, self.zone_code))

    def _lookup(self, fhir_id: str) -> str | None:
        if fhir_id not in self.known:
            person = Person.objects.filter(fhir_id=fhir_id).only("pk", "fhir_id", "ssin").first() \
                if _is_uuid(fhir_id) else None
            if person is None:
                return None
            self.add([person])
        return self.known[fhir_id]

    def patient(self, resource: dict[str, Any]) -> dict[str, Any]:
        pseudonym = self._lookup(resource["id"]) or resource["id"]
        out: dict[str, Any] = {"resourceType": "Patient", "id": pseudonym,
                               "meta": {"lastUpdated": (resource.get("meta") or {}).get("lastUpdated")},
                               "identifier": [{"system": PSEUDONYM_SYSTEM, "value": pseudonym}]}
        if not out["meta"]["lastUpdated"]:
            del out["meta"]
        for key in PATIENT_KEEPS:
            if key in resource:
                out[key] = _scrub(resource[key], self)
        if resource.get("birthDate"):
            out["birthDate"] = str(resource["birthDate"])[:4]
        if "deceasedBoolean" in resource or "deceasedDateTime" in resource:
            out["deceasedBoolean"] = bool(resource.get("deceasedBoolean") or resource.get("deceasedDateTime"))
        return out

    def resource(self, resource: dict[str, Any]) -> dict[str, Any]:
        if resource.get("resourceType") == "Patient":
            return self.patient(resource)
        out = _scrub(resource, self, top=True)
        if isinstance(out.get("identifier"), list):
            out["identifier"] = [i for i in out["identifier"] if isinstance(i, dict) and i.get("system") == URI]
            if not out["identifier"]:
                del out["identifier"]
        return out

    def reference(self, value: str) -> str:
        """``Patient/<id>`` (relative or absolute) -> ``Patient/<pseudonym>``; other references unchanged."""
        parts = [p for p in value.split("/") if p]
        if "Patient" in parts:
            at = parts.index("Patient")
            if at + 1 < len(parts):
                pseudonym = self._lookup(parts[at + 1])
                return f"Patient/{pseudonym}" if pseudonym else "Patient/unknown"
        return value


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _masked() -> dict[str, Any]:
    return {"extension": [{"url": DATA_ABSENT, "valueCode": "masked"}]}


def _scrub(node: Any, p: Pseudonymiser, top: bool = False) -> Any:
    if isinstance(node, list):
        items = [_scrub(item, p) for item in node]
        return [item for item in items if item not in ({}, [], None)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in FREE_TEXT:
            continue
        if key == "text" and (isinstance(value, dict) or isinstance(value, str)):
            continue  # a narrative (div) or the free text of a concept
        if key in ("name", "description") and isinstance(value, str):
            continue
        if key == "reference" and isinstance(value, str):
            out[key] = p.reference(value)
            continue
        if key == "identifier" and not top and isinstance(value, dict):
            continue  # a logical reference by identifier (an SSIN, an MRN)
        cleaned = _scrub(value, p)
        if cleaned in ({}, []) and value not in ({}, []):
            if isinstance(value, dict) and "text" in value:
                out[key] = _masked()  # a concept that was only free text: say it is masked (stays valid)
            continue
        out[key] = cleaned
    return out
