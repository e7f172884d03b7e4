"""Resource types Careweave does not model (Condition, Observation, Encounter...): served as received.

Why: an import must lose nothing it accepts, and what it kept must be readable by the people who
may see it. These resources come in bundles (``bundles._store``) or from Careweave's own modules
(an assessment writes its score as an Observation row), are kept unchanged in the integrated record
(:class:`~careweave.records.models.StoredResource`, rules in ``records/actions.py``) and served
read-only here: read, vread, ``_history``,
search by patient, code and date, and the patient compartment (``Patient/{id}/Condition``).
They are clinical data from other systems: only someone with full access to the person sees them
(a welfare professional or an informal carer without the person's permission does not), every read
and search is audited like any other, and the person sees it in "who looked".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.access.models import Level
from careweave.fhir.errors import NotFound
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    date_filter,
    json_identifier_q,
    parse_token,
)
from careweave.records import actions as records
from careweave.records.models import StoredResource
from careweave.records.representation import SERVED_TYPES, as_fhir

STORED_TYPES = SERVED_TYPES
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

    def authorise_read(self, ctx: Context, obj: StoredResource, action: str = "read", needed: int | None = None
                       ) -> None:
        """The integrated record's rule (``records.read``): full access to the owner, audited either way."""
        records.read_record(ctx.actor, obj, request=ctx.request, action=action)

    def needed_level(self, obj: StoredResource) -> int:
        return Level.FULL

    def to_fhir(self, obj: StoredResource) -> dict[str, Any]:
        """The resource as received, under Careweave's id and version, its owner as ``Patient/{id}``."""
        return as_fhir(obj)


def stored_mappings() -> list[StoredMapping]:
    return [StoredMapping(rtype) for rtype in STORED_TYPES]
