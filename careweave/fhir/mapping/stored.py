"""Resource types Careweave does not model (Condition, Observation, Encounter...): served as received.

Why: an import must lose nothing it accepts, and what it kept must be readable by the people who
may see it. These resources come in bundles (``bundles._store``) or from Careweave's own modules
(an assessment writes its score as an Observation row), are kept unchanged in
:class:`~careweave.fhir.models.StoredResource` and served read-only here: read, vread, ``_history``,
search by patient, code and date, and the patient compartment (``Patient/{id}/Condition``).
They are clinical data from other systems: only someone with full access to the person sees them
(a welfare professional or an informal carer without the person's permission does not), every read
and search is audited like any other, and the person sees it in "who looked".
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.access.models import Level
from careweave.fhir.errors import Forbidden, NotFound
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    date_filter,
    instant,
    json_identifier_q,
    parse_token,
    ref,
)
from careweave.fhir.models import StoredResource
from careweave.fhir.profiles import CONFIDENTIALITY

# Every type a Synthea bundle carries (and the usual clinical neighbours) that Careweave does not model.
STORED_TYPES = (
    "AllergyIntolerance", "Claim", "Condition", "Device", "DiagnosticReport", "DocumentReference", "Encounter",
    "ExplanationOfBenefit", "FamilyMemberHistory", "ImagingStudy", "Immunization", "Medication",
    "MedicationAdministration", "MedicationRequest", "MedicationStatement", "Observation", "Procedure",
    "Provenance", "ServiceRequest", "Specimen", "SupplyDelivery",
)
PATIENT_KEYS = ("subject", "patient", "beneficiary", "for")


def _code_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    """FHIR token search on the codes of the resource (``system|code``, ``code``, ``system|``)."""
    q = Q()
    for item in value.split(","):
        system, code = parse_token(item.strip())
        if system is None:
            q |= Q(codes__contains=f"|{code} ")
        elif code is None:
            q |= Q(codes__contains=f" {system}|")
        else:
            q |= Q(codes__contains=f" {system}|{code} ")
    return qs.exclude(q) if modifier == "not" else qs.filter(q)


class StoredMapping(Mapping):
    """One unmodelled type, read-only over ``StoredResource`` rows of that type."""

    model = StoredResource
    person_path = "patient"
    select = ("patient",)
    stored = True
    clinical = True
    keeps_source = False
    versioned = False  # no domain model behind it: its versions are StoredResource.version
    has_external_id = False
    interactions = ("read", "vread", "search-type", "history-instance")
    search_docs = {"patient": "reference", "subject": "reference", "code": "token", "date": "date"}
    search_params = {
        "code": _code_filter,
        "date": lambda qs, v, m: date_filter(qs, "clinical_date", v),
    }

    def __init__(self, resource_type: str) -> None:
        self.resource_type = resource_type

    @property
    def profile(self) -> str | None:
        return None

    def queryset(self) -> QuerySet:
        return StoredResource.objects.filter(resource_type=self.resource_type).select_related("patient")

    def get(self, rid: str) -> StoredResource:
        key = as_uuid(rid)
        found = self.queryset().filter(fhir_id=key).first() if key else None
        if found is None:
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": self.resource_type, "id": rid})
        return found

    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        """The identifiers the resource was received with (it is served as received)."""
        return json_identifier_q(system, value)

    def identifiers(self, obj: StoredResource) -> list[dict[str, str]]:
        return []

    def authorise_read(self, ctx: Context, obj: StoredResource, action: str = "read") -> None:
        """Linked to a person: full access to that person (audited). Not linked (a Medication, a
        Provenance): professionals and staff only."""
        if obj.patient_id is None:
            actor = ctx.actor
            professional = getattr(actor, "professional", None)
            if not (getattr(actor, "is_staff", False) or (professional is not None and professional.active)):
                raise Forbidden(_("You may not do this."))
            return
        super().authorise_read(ctx, obj, action)

    def needed_level(self, obj: StoredResource) -> int:
        return Level.FULL

    def to_fhir(self, obj: StoredResource) -> dict[str, Any]:
        """The resource as received, under Careweave's id and version, its patient as ``Patient/{id}``."""
        resource = copy.deepcopy(obj.data) if isinstance(obj.data, dict) else {}
        resource["resourceType"] = self.resource_type
        resource["id"] = str(obj.fhir_id)
        meta = dict(resource.get("meta") or {})
        meta["versionId"] = str(obj.version)
        meta["lastUpdated"] = instant(obj.updated_at)
        security = [s for s in meta.get("security") or [] if s.get("system") != CONFIDENTIALITY]
        meta["security"] = [*security, {"system": CONFIDENTIALITY, "code": "R"}]
        resource["meta"] = meta
        if obj.patient_id is not None:
            for key in PATIENT_KEYS:
                if isinstance(resource.get(key), dict) and resource[key].get("reference"):
                    resource[key] = ref("Patient", obj.patient)
        return resource


def stored_mappings() -> list[StoredMapping]:
    return [StoredMapping(rtype) for rtype in STORED_TYPES]
