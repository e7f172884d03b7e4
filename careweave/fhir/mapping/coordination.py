"""EpisodeOfCare for coordination and case management (issue #20), read and search only.

One resource type, three kinds of record: a programme enrolment (mapping/episodes.py), a coordination
episode (a team member, the person or a carer holds the coordinator role) and a case-management episode
(a case manager appointed by the zone). :class:`EpisodeOfCareMapping` serves the three, as
mapping/scheduling.py serves MDOs and calendar appointments as one Appointment (decision 0032): a read
finds the id in the right model, a search runs on each and merges the pages.

Why: the population model counts "level-3 persons with a coordinator" from the zone's own work
(decision 0027) instead of the claims-like set. ``type`` says which kind (``episode-kind`` codes;
enrolments keep their programme code), ``careManager`` is the coordinator's or case manager's
Practitioner. The two episode models have no FHIR uuid of their own: their ids are the kind and the
record number (``coordination-12``, ``case-management-3``), so a read knows the model from the id and no
migration is needed. Written only through the care-plan actions, never here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.careplans.models import CaseManagementEpisode, CoordinationEpisode
from careweave.fhir.errors import NotFound
from careweave.fhir.mapping.base import Context, Mapping, instant, parse_token, ref
from careweave.fhir.mapping.episodes import EpisodeOfCareMapping as EnrolmentMapping
from careweave.fhir.profiles import CAREWEAVE
from careweave.people.models import Person

CW_EPISODE_KIND = f"{CAREWEAVE}/CodeSystem/episode-kind"
EXT_HOLDER = f"{CAREWEAVE}/StructureDefinition/coordination-holder"  # professional | person | carer
COORDINATION_STATUS = {
    CoordinationEpisode.Status.PROPOSED: "planned",
    CoordinationEpisode.Status.ACTIVE: "active",
    CoordinationEpisode.Status.REFUSED: "cancelled",
    CoordinationEpisode.Status.ENDED: "finished",
}
CASE_STATUS = {CaseManagementEpisode.Status.ACTIVE: "active", CaseManagementEpisode.Status.ENDED: "finished"}


def _codes(value: str) -> set[str]:
    return {parse_token(v)[1] or "" for v in value.split(",")}


def _status_filter(table: dict) -> Any:
    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        ours = [k for k, v in table.items() if v in _codes(value)]
        return qs.exclude(status__in=ours) if modifier == "not" else qs.filter(status__in=ours)
    return handler


def _kind_filter(kind: str) -> Any:
    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        hit = kind in _codes(value)
        return qs if hit != (modifier == "not") else qs.none()
    return handler


def _pk_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    return qs.filter(pk__in=[int(v) for v in value.split(",") if v.isdigit()])


def _care_manager_filter(field_name: str) -> Any:
    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        from careweave.fhir.mapping.base import as_uuid, reference_id

        keys = [k for k in (as_uuid(reference_id(v)) for v in value.split(",")) if k]
        return qs.filter(**{f"{field_name}__in": keys})
    return handler


class _KindMapping(Mapping):
    """What the two episode kinds share: an id made of the kind and the record number, no versions."""

    resource_type = "EpisodeOfCare"
    kind: ClassVar[str]
    interactions = ("read", "search-type")
    versioned = False
    has_external_id = False
    searches_identifiers = False
    keeps_source = False

    def get(self, rid: str) -> models.Model:
        prefix, _sep, number = rid.rpartition("-")
        if prefix != self.kind or not number.isdigit():
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": self.resource_type, "id": rid})
        found = self.queryset().filter(pk=int(number)).first()
        if found is None:
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": self.resource_type, "id": rid})
        return found

    def resource_id(self, obj: models.Model) -> str:
        return f"{self.kind}-{obj.pk}"

    def owns(self, rid: str) -> bool:
        return rid.startswith(f"{self.kind}-")

    def version_of(self, obj: models.Model) -> int:
        return 1

    def identifiers(self, obj: models.Model) -> list[dict[str, str]]:
        return []

    def start_of(self, obj: models.Model) -> datetime | None:
        raise NotImplementedError

    def _episode(self, obj: models.Model, status: str, person: Person, start: datetime | None,
                 end: datetime | None, manager: Any) -> dict[str, Any]:
        period: dict[str, str] = {}
        if start is not None:
            period["start"] = instant(start)
        if end is not None:
            period["end"] = instant(end)
        resource: dict[str, Any] = {
            "resourceType": "EpisodeOfCare",
            "id": self.resource_id(obj),
            "meta": self.meta(obj),
            "status": status,
            "type": [{"coding": [{"system": CW_EPISODE_KIND, "code": self.kind}]}],
            "patient": ref("Patient", person, display=""),
        }
        if period:
            resource["period"] = period
        if manager is not None:
            resource["careManager"] = ref("Practitioner", manager, display="")
        return resource


class CoordinationEpisodeMapping(_KindMapping):
    """A period in which someone holds the coordinator role of the person's care team."""

    kind = "coordination"
    model = CoordinationEpisode
    person_path = "team__person"
    select = ("team__person", "coordinator__professional")
    updated_field = "requested_at"
    search_params: ClassVar[dict] = {
        "status": _status_filter(COORDINATION_STATUS), "type": _kind_filter("coordination"), "_pk": _pk_filter,
        "care-manager": _care_manager_filter("coordinator__professional__fhir_id"),
    }

    def last_updated(self, obj: CoordinationEpisode) -> datetime:
        return obj.ended_at or obj.started_at or obj.agreed_at or obj.requested_at

    def start_of(self, obj: CoordinationEpisode) -> datetime | None:
        return obj.started_at or obj.requested_at

    def to_fhir(self, e: CoordinationEpisode) -> dict[str, Any]:
        member = e.coordinator
        professional = member.professional if member is not None and member.professional_id else None
        resource = self._episode(e, COORDINATION_STATUS[e.status], e.team.person, e.started_at, e.ended_at,
                                 professional)
        holder = "person" if e.held_by_person else ("professional" if professional is not None else "carer")
        resource["extension"] = [{"url": EXT_HOLDER, "valueCode": holder}]
        resource["team"] = [ref("CareTeam", e.team, display="")]
        return resource


class CaseManagementEpisodeMapping(_KindMapping):
    """A case manager appointed by the zone, outside the care team."""

    kind = "case-management"
    model = CaseManagementEpisode
    person_path = "person"
    select = ("person", "case_manager")
    updated_field = "started_at"
    search_params: ClassVar[dict] = {
        "status": _status_filter(CASE_STATUS), "type": _kind_filter("case-management"), "_pk": _pk_filter,
        "care-manager": _care_manager_filter("case_manager__fhir_id"),
    }

    def last_updated(self, obj: CaseManagementEpisode) -> datetime:
        return obj.ended_at or obj.started_at

    def start_of(self, obj: CaseManagementEpisode) -> datetime | None:
        return obj.started_at

    def to_fhir(self, e: CaseManagementEpisode) -> dict[str, Any]:
        return self._episode(e, CASE_STATUS[e.status], e.person, e.started_at, e.ended_at, e.case_manager)


class ProgrammeEpisodeMapping(EnrolmentMapping):
    """An enrolment, searchable by care manager like the others (an enrolment has none)."""

    search_params: ClassVar[dict] = {**EnrolmentMapping.search_params,
                                     "care-manager": lambda qs, v, m: qs.none()}

    def start_of(self, obj: models.Model) -> datetime | None:
        return timezone.make_aware(datetime.combine(obj.started_on, datetime.min.time()))


class EpisodeOfCareMapping(EnrolmentMapping):
    """The three kinds of EpisodeOfCare behind one resource type (decision 0032's pattern)."""

    search_docs: ClassVar[dict[str, str]] = {**EnrolmentMapping.search_docs, "care-manager": "reference"}
    search_params: ClassVar[dict] = ProgrammeEpisodeMapping.search_params  # parsing a _typeFilter of any kind
    searches_identifiers = False  # the merged search of three kinds offers no identifier search (not claimed)

    def __init__(self) -> None:
        self.enrolments = ProgrammeEpisodeMapping()
        self.coordination = CoordinationEpisodeMapping()
        self.case_management = CaseManagementEpisodeMapping()
        self.kinds: tuple[_KindMapping, ...] = (self.coordination, self.case_management)
        # Patient/$everything and the Bulk export list every kind (fhir/everything.py, bulk/writer.py)
        self.received_too = self.kinds
        self.parts: tuple[Mapping, ...] = (self.enrolments, *self.kinds)

    def _of(self, obj: models.Model) -> Mapping:
        for part in self.kinds:
            if isinstance(obj, part.model):
                return part
        return self.enrolments

    def get(self, rid: str) -> models.Model:
        for part in self.kinds:
            if part.owns(rid):
                return part.get(rid)
        return self.enrolments.get(rid)

    def resource_id(self, obj: models.Model) -> str:
        return self._of(obj).resource_id(obj)

    def version_of(self, obj: models.Model) -> int:
        return self._of(obj).version_of(obj)

    def last_updated(self, obj: models.Model) -> datetime:
        return self._of(obj).last_updated(obj)

    def to_fhir(self, obj: models.Model) -> dict[str, Any]:
        return self._of(obj).to_fhir(obj)

    def serve(self, obj: models.Model, received: Any = True) -> dict[str, Any]:
        return self._of(obj).serve(obj, received)

    def serve_many(self, objects: list[models.Model], copies: Any = None) -> list[dict[str, Any]]:
        served: dict[int, dict[str, Any]] = {}
        for part in self.parts:
            mine = [o for o in objects if self._of(o) is part]
            served.update({id(o): r for o, r in zip(mine, part.serve_many(mine), strict=True)})
        return [served[id(o)] for o in objects]

    def person_of(self, obj: models.Model) -> Person | None:
        return self._of(obj).person_of(obj)

    def needed_level(self, obj: models.Model) -> int:
        return self._of(obj).needed_level(obj)

    def meta(self, obj: models.Model) -> dict[str, Any]:
        return self._of(obj).meta(obj)

    def authorise_read(self, ctx: Context, obj: models.Model, action: str = "read", needed: int | None = None
                       ) -> None:
        self._of(obj).authorise_read(ctx, obj, action, needed)

    def _params_for(self, part: Mapping, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """``_id`` names records of any kind: each part gets its own (the episodes by record number)."""
        if part is self.enrolments:
            return [(k, ",".join(i for i in v.split(",") if not any(p.owns(i) for p in self.kinds)) or "none")
                    if k == "_id" else (k, v) for k, v in params]
        kind: _KindMapping = part  # type: ignore[assignment]
        return [("_pk", ",".join(i.rpartition("-")[2] for i in v.split(",") if kind.owns(i)))
                if k == "_id" else (k, v) for k, v in params]

    def run_search(self, ctx: Context, params: list[tuple[str, str]]) -> Any:
        """Search every kind and merge them by start of the episode: each part is asked for everything up
        to the end of the requested page, so paging through the merged list neither repeats nor skips."""
        from careweave.fhir.search import CONTROL, DEFAULT_COUNT, MAX_COUNT, run_search

        control = dict(params)
        count = min(max(0, int(control.get("_count", DEFAULT_COUNT) or 0)), MAX_COUNT)
        offset = max(0, int(control.get("_offset", 0) or 0))
        wide = [(k, v) for k, v in params if k not in ("_count", "_offset")]
        wide += [("_count", str(min(offset + count, MAX_COUNT))), ("_offset", "0")]
        results = [(part, run_search(ctx, part, self._params_for(part, wide))) for part in self.parts]
        never = datetime.max.replace(tzinfo=timezone.get_current_timezone())
        merged = sorted(
            ((part, o) for part, result in results for o in result.objects),
            key=lambda po: (po[0].start_of(po[1]) or never, self.parts.index(po[0]), po[1].pk))
        first = results[0][1]
        totals = [r.total for _p, r in results]
        first.objects = [o for _p, o in merged[offset: offset + count]]
        first.total = None if any(t is None for t in totals) else sum(totals)
        first.offset, first.count = offset, count
        first.ignored = [n for n in first.ignored if all(n in r.ignored for _p, r in results[1:])]
        first.used = [(k, v) for k, v in params if k not in CONTROL and k not in first.ignored]
        for _part, result in results[1:]:
            first.included += result.included
        return first


MAPPINGS: list[Mapping] = [EpisodeOfCareMapping()]
