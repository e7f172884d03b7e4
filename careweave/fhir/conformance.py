"""What every served resource must honour, whatever its mapping or received copy holds.

Why: FHIR forbids empty strings and empty elements (ele-1, ext-1), and a resource that names a profile
in ``meta.profile`` tells clients it meets that profile. A received copy merged into what we serve can
break either promise (a Synthea Patient's marital status ``S`` lies outside BePatient's required
binding), so the last step of serving drops what is empty and withdraws a profile claim the resource
does not meet — for the checks that can be evaluated here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from careweave.fhir.profiles import PROFILES

V3_MARITAL = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
CD_CIVILSTATE = "https://www.ehealth.fgov.be/standards/fhir/core/CodeSystem/cd-civilstate"
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"

# BePatient: ``maritalStatus from $be-civilstate (required)`` (shared/fhir-be/core/profiles/BePatient.fsh:46);
# the value set's codes (shared/fhir-be/core/valuesets/be-civilstate.fsh, compose.include).
BE_CIVILSTATE: dict[str, frozenset[str]] = {
    V3_MARITAL: frozenset({"A", "D", "M", "U", "W"}),
    CD_CIVILSTATE: frozenset({"10", "26", "40", "41", "50", "51", "60", "80", "81"}),
    NULL_FLAVOR: frozenset({"UNK"}),
}


def _in_value_set(concept: Any, value_set: dict[str, frozenset[str]]) -> bool:
    """A required binding on a CodeableConcept: at least one coding from the value set."""
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return any(c.get("code") in value_set.get(c.get("system") or "", ()) for c in codings or [])


def _be_patient(resource: dict[str, Any]) -> bool:
    status = resource.get("maritalStatus")
    return status is None or _in_value_set(status, BE_CIVILSTATE)


# profile -> the checks a resource must pass to claim it
CHECKS: dict[str, tuple[Callable[[dict[str, Any]], bool], ...]] = {
    PROFILES["Patient"]: (_be_patient,),
}


def _pruned(value: Any) -> Any:
    """``value`` without empty strings, objects and lists; an extension left without a value goes too."""
    if isinstance(value, dict):
        out = {k: v for k, v in ((k, _pruned(v)) for k, v in value.items()) if v not in ("", None, {}, [])}
        if "url" in out and set(out) == {"url"} and value.keys() - {"url", "id"}:
            return None  # an extension whose value was empty: ext-1 wants a value or extensions
        return out
    if isinstance(value, list):
        return [v for v in (_pruned(v) for v in value) if v not in ("", None, {}, [])]
    return value


def conform(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as served: nothing empty, and only the profiles it meets in ``meta.profile``."""
    resource = _pruned(resource)
    meta = resource.get("meta") or {}
    profiles = meta.get("profile")
    if profiles:
        kept = [p for p in profiles if all(check(resource) for check in CHECKS.get(p, ()))]
        if kept:
            meta["profile"] = kept
        else:
            meta.pop("profile")
            if not meta:
                resource.pop("meta")
    return resource
