"""EpisodeOfCare: a person's enrolment in a programme (issue #20), read and search only.

Why served: the population pipeline reads the zone's own work through FHIR (Bulk export and
SQL-on-FHIR views, decision 0027); which persons are in which programme, since when and in which
phase is what "persons in a programme with an on-time plan review" or "EPDS screening in the
perinatal programme" count. No HL7 Belgium profile covers EpisodeOfCare (``shared/fhir-be`` has
none), so this follows base R4: ``type`` is the programme (its PlanDefinition's code), ``status``
the R4 episode status, ``period`` the enrolment, ``statusHistory`` nothing (phases are not statuses);
the current phase and its start are a Careweave extension, the phase history a repeated one.
Enrolments are written through the programmes' actions (web, ``PlanDefinition/$apply``), never here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from careweave.fhir.mapping.base import Mapping, fhir_date, instant, ref, token_filter
from careweave.fhir.mapping.programmes import CANONICAL, CW_PHASE
from careweave.fhir.profiles import CAREWEAVE, URI
from careweave.programmes.models import Enrolment

CW_PROGRAMME = f"{CAREWEAVE}/CodeSystem/programme"
EXT_PHASE = f"{CAREWEAVE}/StructureDefinition/programme-phase"  # code + since (valueDate)
EXT_PHASE_CHANGE = f"{CAREWEAVE}/StructureDefinition/programme-phase-change"  # from, to, on
EXT_PLAN = f"{CAREWEAVE}/StructureDefinition/episode-care-plan"
STATUS = {Enrolment.Status.ACTIVE: "active", Enrolment.Status.COMPLETED: "finished",
          Enrolment.Status.ENDED: "finished"}


def _status_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    wanted = {c.strip() for c in value.split(",")}
    ours = [k for k, v in STATUS.items() if v in wanted]
    return qs.exclude(status__in=ours) if modifier == "not" else qs.filter(status__in=ours)


class EpisodeOfCareMapping(Mapping):
    resource_type = "EpisodeOfCare"
    model = Enrolment
    person_path = "person"
    interactions = ("read", "search-type")
    versioned = False
    has_external_id = False
    keeps_source = False
    select = ("person", "pathway", "plan")
    search_docs = {"patient": "reference", "status": "token", "type": "token"}
    search_params = {
        "status": _status_filter,
        "type": token_filter("pathway__code"),
    }

    def identifiers(self, enrolment: Enrolment) -> list[dict[str, str]]:
        return [{"system": URI, "value": f"urn:uuid:{enrolment.fhir_id}"}]

    def queryset(self) -> QuerySet:
        return super().queryset().prefetch_related("phase_changes")

    def to_fhir(self, enrolment: Enrolment) -> dict[str, Any]:
        extension: list[dict[str, Any]] = [{"url": EXT_PHASE, "extension": [
            {"url": "phase", "valueCoding": {"system": CW_PHASE, "code": enrolment.phase}},
            {"url": "since", "valueDate": fhir_date(enrolment.phase_since)},
        ]}]
        for change in enrolment.phase_changes.all():
            parts = [{"url": "to", "valueCoding": {"system": CW_PHASE, "code": change.to_phase}},
                     {"url": "on", "valueDate": fhir_date(change.on)}]
            if change.from_phase:
                parts.insert(0, {"url": "from", "valueCoding": {"system": CW_PHASE, "code": change.from_phase}})
            extension.append({"url": EXT_PHASE_CHANGE, "extension": parts})
        extension.append({"url": EXT_PLAN, "valueReference": ref("CarePlan", enrolment.plan, display="")})
        period: dict[str, str] = {"start": fhir_date(enrolment.started_on)}
        if enrolment.ended_on:
            period["end"] = fhir_date(enrolment.ended_on)
        resource: dict[str, Any] = {
            "resourceType": "EpisodeOfCare",
            "id": str(enrolment.fhir_id),
            "meta": {"versionId": str(enrolment.version), "lastUpdated": instant(enrolment.updated_at)},
            "extension": extension,
            "identifier": self.identifiers(enrolment),
            "status": STATUS[enrolment.status],
            "type": [{"coding": [{"system": CW_PROGRAMME, "code": enrolment.pathway.code}],
                      "text": f"{CANONICAL}/{enrolment.pathway.code}"}],
            "patient": ref("Patient", enrolment.person, display=""),
            "period": period,
        }
        return resource


MAPPINGS: list[Mapping] = [EpisodeOfCareMapping()]
