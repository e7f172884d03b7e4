"""How a received record reads as FHIR: as received, under Careweave's id, version and owner.

Why here and not in the FHIR door: a replaced version is kept at the moment it is replaced, whoever
replaces it (an import, an assessment's score, a referral), so the record itself must know its
served form. The FHIR mapping (``fhir/mapping/stored.py``) serves exactly this.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from careweave.records.models import ResourceVersion, StoredResource

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
# Every type a Synthea bundle carries (and the usual clinical neighbours) that Careweave does not model:
# the ones the API serves (others are kept but not served).
SERVED_TYPES = (
    "AllergyIntolerance", "Claim", "Condition", "Device", "DiagnosticReport", "DocumentReference", "Encounter",
    "ExplanationOfBenefit", "FamilyMemberHistory", "ImagingStudy", "Immunization", "Medication",
    "MedicationAdministration", "MedicationRequest", "MedicationStatement", "Observation", "Procedure",
    "Provenance", "ServiceRequest", "Specimen", "SupplyDelivery",
)
PATIENT_KEYS = ("subject", "patient", "beneficiary", "for")


def as_fhir(stored: StoredResource) -> dict[str, Any]:
    """The resource as received, under Careweave's id and version, its owner as ``Patient/{id}``; always
    labelled restricted (clinical data from another system)."""
    resource = copy.deepcopy(stored.data) if isinstance(stored.data, dict) else {}
    resource["resourceType"] = stored.resource_type
    resource["id"] = str(stored.fhir_id)
    meta = dict(resource.get("meta") or {})
    meta["versionId"] = str(stored.version)
    meta["lastUpdated"] = _instant(stored.updated_at)
    security = [s for s in meta.get("security") or [] if s.get("system") != CONFIDENTIALITY]
    meta["security"] = [*security, {"system": CONFIDENTIALITY, "code": "R"}]
    resource["meta"] = meta
    if stored.patient_id is not None:
        for key in PATIENT_KEYS:
            if isinstance(resource.get(key), dict) and resource[key].get("reference"):
                resource[key] = {"reference": f"Patient/{stored.patient.fhir_id}", "display": str(stored.patient)}
    return resource


def _instant(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def keep_earlier(records: Iterable[StoredResource]) -> None:
    """Keep the current version of each record (before a new copy replaces it) for vread and ``_history``."""
    ResourceVersion.objects.bulk_create([
        ResourceVersion(resource_type=r.resource_type, resource_id=str(r.fhir_id), version_id=r.version,
                        data=as_fhir(r), recorded_at=r.updated_at)
        for r in records if r.resource_type in SERVED_TYPES
    ], batch_size=500, ignore_conflicts=True)
