"""FHIR for the MDO (C8): the meeting as an Appointment (planned, with the answers to the invitations; a
held MDO is ``fulfilled``). Read and search only; writes go through the web pages' actions. The MDO's
decisions are careplans Tasks (served by the Task mapping), whose ``reasonReference`` points to the
Appointment of the meeting that decided them.

Not an Encounter: received Encounters (Synthea sends one per visit) are kept as received by the store
(decision 0014), and a second, read-only Encounter mapping would refuse those imports.

No HL7 Belgium profile exists for the Appointment; the mode, the place, the link and the reimbursement
have no R4 element of their own and are Careweave extensions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet

from careweave.consultations.models import Consultation, Participant
from careweave.fhir.mapping.base import Mapping, date_filter, instant, parse_token, ref
from careweave.fhir.profiles import CAREWEAVE

CW_MODE = f"{CAREWEAVE}/CodeSystem/consultation-mode"
CW_CONSULTATION_TYPE = f"{CAREWEAVE}/CodeSystem/consultation-type"
EXT_MODE = f"{CAREWEAVE}/StructureDefinition/consultation-mode"
EXT_PLACE = f"{CAREWEAVE}/StructureDefinition/consultation-place"
EXT_LINK = f"{CAREWEAVE}/StructureDefinition/consultation-link"
EXT_REIMBURSABLE = f"{CAREWEAVE}/StructureDefinition/mdo-reimbursable"
EXT_TRANSITION = f"{CAREWEAVE}/StructureDefinition/mdo-transition"
CW_TRANSITION = f"{CAREWEAVE}/CodeSystem/transition-point"

APPOINTMENT_STATUS = {
    Consultation.Status.PROPOSED: "proposed",
    Consultation.Status.SCHEDULED: "booked",
    Consultation.Status.HELD: "fulfilled",
    Consultation.Status.CONCLUDED: "fulfilled",
    Consultation.Status.CANCELLED: "cancelled",
}
RESPONSE_STATUS = {
    Participant.Response.PENDING: "needs-action",
    Participant.Response.ACCEPTED: "accepted",
    Participant.Response.DECLINED: "declined",
}
SELECT = ("person", "plan")


def _mdo_type() -> list[dict[str, Any]]:
    return [{"coding": [{"system": CW_CONSULTATION_TYPE, "code": "mdo",
                         "display": "multidisciplinary consultation (MDO)"}], "text": "MDO"}]


def _extensions(c: Consultation) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"url": EXT_MODE, "valueCoding": {"system": CW_MODE, "code": c.mode}}]
    if c.location:
        out.append({"url": EXT_PLACE, "valueString": c.location})
    if c.link:
        out.append({"url": EXT_LINK, "valueUrl": c.link})
    if c.transition_kind:  # issue #20: which transition point the MDO is held at (population indicators)
        out.append({"url": EXT_TRANSITION, "extension": [
            {"url": "kind", "valueCoding": {"system": CW_TRANSITION, "code": c.transition_kind}},
            *([{"url": "on", "valueDate": c.transition_on.isoformat()}] if c.transition_on else [])]})
    if c.reimbursable is not None:  # decided when the MDO is concluded (decision 0016)
        out.append({"url": EXT_REIMBURSABLE, "valueBoolean": c.reimbursable})
    return out


def _who(p: Participant) -> dict | None:
    if p.is_person:
        return ref("Patient", p.consultation.person)
    member = p.member
    if member.professional_id:
        return ref("Practitioner", member.professional)
    return ref("RelatedPerson", member.related_person)


def _status_filter(qs: QuerySet, value: str, modifier: str, table: dict[str, str]) -> QuerySet:
    """FHIR status codes to ours (``fulfilled`` is both held and concluded), with ``:not``."""
    codes = {parse_token(v)[1] for v in value.split(",")}
    ours = [k for k, v in table.items() if v in codes]
    return qs.exclude(status__in=ours) if modifier == "not" else qs.filter(status__in=ours)


class _ConsultationMapping(Mapping):
    model = Consultation
    person_path = "person"
    interactions = ("read", "search-type")
    has_external_id = False
    versioned = False  # two resource types for one model: no history of their own
    keeps_source = False
    select = SELECT
    default_order = ("start", "pk")
    search_docs: ClassVar[dict[str, str]] = {"patient": "reference", "date": "date", "status": "token"}

    def participants(self, c: Consultation) -> list[Participant]:
        return list(c.participants.select_related("member__professional", "member__related_person"))


class AppointmentMapping(_ConsultationMapping):
    resource_type = "Appointment"
    search_params = {
        "date": lambda qs, v, m: date_filter(qs, "start", v),
        "status": lambda qs, v, m: _status_filter(qs, v, m, APPOINTMENT_STATUS),
    }

    def to_fhir(self, c: Consultation) -> dict[str, Any]:
        participants = self.participants(c)
        rows = []
        for p in participants:
            p.consultation = c
            rows.append({"actor": _who(p), "required": "required", "status": RESPONSE_STATUS[p.response]})
        if not any(p.is_person for p in participants):
            rows.insert(0, {"actor": ref("Patient", c.person), "required": "information-only",
                            "status": "needs-action"})
        resource: dict[str, Any] = {
            "resourceType": "Appointment",
            "id": str(c.fhir_id),
            "meta": self.meta(c),
            "identifier": self.identifiers(c),
            "extension": _extensions(c),
            "status": APPOINTMENT_STATUS[c.status],
            "serviceType": _mdo_type(),
            "description": c.reason_text[:1000] if c.reason_text else "MDO",
            "created": instant(c.created_at),
            "participant": rows,
        }
        if c.reason_text:
            resource["reasonCode"] = [{"text": c.reason_text[:1000]}]
        if c.start:
            resource["start"], resource["end"] = instant(c.start), instant(c.end)
        if c.plan_id:
            resource["supportingInformation"] = [ref("CarePlan", c.plan)]
        if c.cancel_reason:
            resource["cancelationReason"] = {"text": c.cancel_reason}
        if c.transition_label:
            resource["comment"] = c.transition_text
        return resource


MAPPINGS: list[Mapping] = [AppointmentMapping()]
