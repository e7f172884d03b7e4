"""FHIR Appointment for the calendar (issue 21): appointments with the person, and the MDO beside them.

One resource type, two kinds of record: a ``scheduling.Appointment`` (a home visit, a phone call...; read,
search, create and update through :mod:`careweave.scheduling.actions`) and an MDO (``consultations``, read
and search only, mapping/consultations.py). :class:`AppointmentMapping` serves both: a read finds the id in
either, a search runs on both and merges the pages in order of start (decision 0032).

An appointment's note is labelled like a journal entry (``meta.security`` R = medical detail, full access
needed); the kind and place have no R4 element of their own and are Careweave codes and an extension.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.careplans.models import TeamMember
from careweave.consultations.models import Consultation
from careweave.fhir.errors import NotFound, Unprocessable
from careweave.fhir.mapping import consultations as mdo
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    code_in,
    date_filter,
    extension_value,
    instant,
    is_medical,
    parse_instant,
    parse_token,
    ref,
    reference_id,
)
from careweave.fhir.profiles import CAREWEAVE
from careweave.people.models import Person, Professional
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment

CW_KIND = f"{CAREWEAVE}/CodeSystem/appointment-kind"
EXT_PLACE = f"{CAREWEAVE}/StructureDefinition/appointment-place"
STATUS = {
    Appointment.Status.PROPOSED: "proposed",
    Appointment.Status.BOOKED: "booked",
    Appointment.Status.CANCELLED: "cancelled",
    Appointment.Status.DONE: "fulfilled",
}
KIND_DISPLAY = {"home_visit": "home visit", "consultation": "consultation", "phone_call": "phone call",
                "other": "other appointment"}


def _actor_ids(value: str) -> tuple[list, list, list]:
    """``actor=Practitioner/…,RelatedPerson/…,Patient/…``: the ids per type (a bare id may be any)."""
    professionals, related, patients = [], [], []
    for item in value.split(","):
        key = as_uuid(reference_id(item))
        if key is None:
            continue
        kind = item.split("/")[-2] if item.count("/") else ""
        if kind in ("", "Practitioner"):
            professionals.append(key)
        if kind in ("", "RelatedPerson"):
            related.append(key)
        if kind in ("", "Patient"):
            patients.append(key)
    return professionals, related, patients


def _actor_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    professionals, related, patients = _actor_ids(value)
    return qs.filter(Q(members__professional__fhir_id__in=professionals)
                     | Q(members__related_person__fhir_id__in=related)
                     | Q(with_person=True, person__fhir_id__in=patients)).distinct()


def _mdo_actor_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    professionals, related, patients = _actor_ids(value)
    return qs.filter(Q(participants__member__professional__fhir_id__in=professionals)
                     | Q(participants__member__related_person__fhir_id__in=related)
                     | Q(participants__member__isnull=True, person__fhir_id__in=patients)
                     | Q(convened_by__professional__fhir_id__in=professionals)).distinct()


def _status_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    codes = {parse_token(v)[1] for v in value.split(",")}
    ours = [k for k, v in STATUS.items() if v in codes]
    return qs.exclude(status__in=ours) if modifier == "not" else qs.filter(status__in=ours)


class MdoAppointmentMapping(mdo.AppointmentMapping):
    """The MDO's Appointment, searchable by actor like the calendar's."""

    search_params: ClassVar[dict] = {**mdo.AppointmentMapping.search_params, "actor": _mdo_actor_filter}


class CalendarAppointmentMapping(Mapping):
    """A ``scheduling.Appointment`` as a FHIR Appointment."""

    resource_type = "Appointment"
    model = Appointment
    person_path = "person"
    has_medical_flag = True
    select = ("person",)
    interactions = ("read", "vread", "search-type", "history-instance", "create", "update")
    default_order = ("start", "pk")
    search_params: ClassVar[dict] = {
        "date": lambda qs, v, m: date_filter(qs, "start", v),
        "status": _status_filter,
        "actor": _actor_filter,
    }
    search_docs: ClassVar[dict[str, str]] = {"patient": "reference", "actor": "reference", "date": "date",
                                             "status": "token"}

    def to_fhir(self, a: Appointment) -> dict[str, Any]:
        participants = []
        if a.with_person:
            participants.append({"actor": ref("Patient", a.person), "required": "required", "status": "accepted"})
        for member in a.members.select_related("professional", "related_person"):
            actor = (ref("Practitioner", member.professional) if member.professional_id
                     else ref("RelatedPerson", member.related_person))
            participants.append({"actor": actor, "required": "required", "status": "accepted"})
        if not a.with_person:
            participants.insert(0, {"actor": ref("Patient", a.person), "required": "information-only",
                                    "status": "accepted"})
        resource: dict[str, Any] = {
            "resourceType": "Appointment",
            "id": str(a.fhir_id),
            "meta": self.meta(a),
            "identifier": self.identifiers(a),
            "status": STATUS[a.status],
            "serviceType": [{"coding": [{"system": CW_KIND, "code": a.kind, "display": KIND_DISPLAY[a.kind]}]}],
            "description": KIND_DISPLAY[a.kind],
            "start": instant(a.start),
            "end": instant(a.end),
            "created": instant(a.created_at),
            "participant": participants,
        }
        if a.place:
            resource["extension"] = [{"url": EXT_PLACE, "valueString": a.place}]
        if a.note:
            resource["comment"] = a.note
        if a.cancel_reason:
            resource["cancelationReason"] = {"text": a.cancel_reason}
        return resource

    # -- writing, through the actions
    def _parse(self, ctx: Context, resource: dict, person: Person | None = None) -> dict[str, Any]:
        patient, members, with_person = None, [], False
        for row in resource.get("participant") or []:
            target = ctx.resolve(row.get("actor"), "Patient", "Practitioner", "RelatedPerson", what=_("a participant"))
            if isinstance(target, Person):
                patient = target
                with_person = with_person or (row.get("required") != "information-only"
                                              and row.get("status") != "declined")
            elif target is not None:
                members.append(target)
        person = person or patient
        if person is None:
            raise Unprocessable(_("Say which person (Patient) the appointment is with."), expression=["participant"])
        if patient is not None and patient.pk != person.pk:
            raise Unprocessable(_("This cannot be moved to another person's file."), expression=["participant"])
        chosen = []
        for target in members:
            field = "professional" if isinstance(target, Professional) else "related_person"
            member = TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE,
                                               **{field: target}).first()
            if member is None:
                raise Unprocessable(_("%(name)s is not a member of the team.") % {"name": target},
                                    expression=["participant"])
            chosen.append(member)
        start, end = parse_instant(resource.get("start")), parse_instant(resource.get("end"))
        if start is None or end is None:
            raise Unprocessable(_("Say when the appointment starts and ends."), expression=["start"])
        status = {v: k for k, v in STATUS.items()}.get(resource.get("status") or "booked")
        if status is None:
            raise Unprocessable(_("The status %(status)s is not supported here.") % {"status": resource.get("status")},
                                expression=["status"])
        return {
            "person": person, "members": chosen, "with_person": with_person, "start": start, "end": end,
            "kind": code_in(resource.get("serviceType"), CW_KIND) or Appointment.Kind.OTHER,
            "place": extension_value(resource, EXT_PLACE, "valueString") or "",
            "note": resource.get("comment") or "", "is_medical": bool(is_medical(resource)), "status": status,
        }

    def create(self, ctx: Context, resource: dict) -> Appointment:
        data = self._parse(ctx, resource)
        return actions.create_appointment(
            ctx.actor, data["person"], kind=data["kind"], start=data["start"], end=data["end"], place=data["place"],
            note=data["note"], is_medical=data["is_medical"], members=data["members"],
            with_person=data["with_person"], status=data["status"],
        )

    def update(self, ctx: Context, obj: Appointment, resource: dict, expected: int) -> bool:
        """Move, cancel or mark done (the actions there are); other changes are refused, not dropped."""
        data = self._parse(ctx, resource, obj.person)
        fixed = {"kind": obj.kind, "note": obj.note, "is_medical": obj.is_medical, "with_person": obj.with_person,
                 "members": sorted(m.pk for m in obj.members.all())}
        asked = {**{k: data[k] for k in fixed if k != "members"}, "members": sorted(m.pk for m in data["members"])}
        if asked != fixed:
            raise Unprocessable(_("Only the time, the place and the status of an appointment can be changed; book "
                                  "a new one for the rest."), code="not-supported")
        changed = False
        if (data["start"], data["end"], data["place"]) != (obj.start, obj.end, obj.place):
            actions.reschedule_appointment(ctx.actor, obj, start=data["start"], end=data["end"], place=data["place"],
                                           expected_version=expected)
            expected, changed = obj.version, True
        if data["status"] != obj.status:
            if data["status"] == Appointment.Status.CANCELLED:
                reason = ((resource.get("cancelationReason") or {}).get("text") or "")
                actions.cancel_appointment(ctx.actor, obj, reason, expected_version=expected)
            elif data["status"] == Appointment.Status.DONE:
                actions.complete_appointment(ctx.actor, obj, expected_version=expected)
            else:
                raise Unprocessable(_("The status %(status)s is not supported here.")
                                    % {"status": resource.get("status")}, expression=["status"])
            changed = True
        return changed


class AppointmentMapping(CalendarAppointmentMapping):
    """Both kinds of Appointment behind one resource type (writes: the calendar's only)."""

    search_docs: ClassVar[dict[str, str]] = CalendarAppointmentMapping.search_docs

    def __init__(self) -> None:
        self.mdo = MdoAppointmentMapping()
        self.calendar = CalendarAppointmentMapping()

    def _of(self, obj: models.Model) -> Mapping:
        return self.mdo if isinstance(obj, Consultation) else self.calendar

    def get(self, rid: str) -> models.Model:
        try:
            return self.calendar.get(rid)
        except NotFound:
            return self.mdo.get(rid)

    def to_fhir(self, obj: models.Model) -> dict[str, Any]:
        return self._of(obj).to_fhir(obj)

    def serve(self, obj: models.Model, received: Any = True) -> dict[str, Any]:
        return self._of(obj).serve(obj, received)

    def serve_many(self, objects: list[models.Model], copies: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        served: dict[int, dict[str, Any]] = {}
        for group in (self.mdo, self.calendar):
            mine = [o for o in objects if self._of(o) is group]
            served.update({id(o): r for o, r in zip(mine, group.serve_many(mine, copies), strict=True)})
        return [served[id(o)] for o in objects]

    def person_of(self, obj: models.Model) -> Person | None:
        return self._of(obj).person_of(obj)

    def needed_level(self, obj: models.Model) -> int:
        return self._of(obj).needed_level(obj)

    def meta(self, obj: models.Model) -> dict[str, Any]:
        return self._of(obj).meta(obj)

    def last_updated(self, obj: models.Model) -> datetime:
        return obj.updated_at

    def authorise_read(self, ctx: Context, obj: models.Model, action: str = "read", needed: int | None = None
                       ) -> None:
        self._of(obj).authorise_read(ctx, obj, action, needed)

    def update(self, ctx: Context, obj: models.Model, resource: dict, expected: int) -> bool:
        if isinstance(obj, Consultation):
            raise Unprocessable(_("An MDO is changed on its page in Careweave, not through the API."),
                                code="not-supported")
        return self.calendar.update(ctx, obj, resource, expected)

    def run_search(self, ctx: Context, params: list[tuple[str, str]]) -> Any:
        """Search both kinds and merge them in order of start: each side is asked for everything up to the
        end of the requested page, so paging through the merged list neither repeats nor skips."""
        from careweave.fhir.search import DEFAULT_COUNT, MAX_COUNT, run_search

        control = dict(params)
        count = min(max(0, int(control.get("_count", DEFAULT_COUNT) or 0)), MAX_COUNT)
        offset = max(0, int(control.get("_offset", 0) or 0))
        wide = [(k, v) for k, v in params if k not in ("_count", "_offset")]
        wide += [("_count", str(min(offset + count, MAX_COUNT))), ("_offset", "0")]
        calendar = run_search(ctx, self.calendar, wide)
        mdos = run_search(ctx, self.mdo, wide)
        merged = sorted(calendar.objects + mdos.objects,
                        key=lambda o: (o.start is None, o.start or datetime.max.replace(tzinfo=None), o.pk))
        total = None if calendar.total is None or mdos.total is None else calendar.total + mdos.total
        calendar.objects = merged[offset: offset + count]
        calendar.total, calendar.offset, calendar.count = total, offset, count
        calendar.ignored = [name for name in calendar.ignored if name in mdos.ignored]
        calendar.included += mdos.included
        return calendar
