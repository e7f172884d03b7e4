"""FHIR search: parameters to a queryset, access filtering, paging and auditing of what was shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.fhir.errors import BadRequest
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    date_filter,
    json_identifier_q,
    parse_token,
    reference_id,
)
from careweave.people.models import Person

DEFAULT_COUNT = 50
MAX_COUNT = 500
CONTROL = {"_count", "_offset", "_format", "_sort", "_summary", "_total", "_elements", "_pretty", "_revinclude"}
COMPARTMENT = {"patient", "subject", "for"}


@dataclass
class SearchResult:
    objects: list[models.Model]
    total: int | None
    offset: int
    count: int
    used: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    included: list[tuple[Mapping, models.Model]] = field(default_factory=list)
    controls: list[tuple[str, str]] = field(default_factory=list)  # the honoured _sort, _total, _summary

    def link_params(self) -> list[tuple[str, str]]:
        """Every parameter that shaped this result, for the self/next/previous links: a next page
        must be the same search (same filters, same order), only further on."""
        return [*self.used, *self.controls]


def _id_filter(mapping: Mapping, qs: QuerySet, value: str) -> QuerySet:
    ids = [v.strip() for v in value.split(",") if v.strip()]
    keys = [k for k in (as_uuid(i) for i in ids) if k]
    q = Q(fhir_id__in=keys)
    if not mapping.versioned and not mapping.stored:  # AuditEvent rows written before they had a fhir_id
        q |= Q(pk__in=[int(i) for i in ids if i.isdigit()])
    return qs.filter(q)


def _identifier_filter(mapping: Mapping, qs: QuerySet, value: str) -> QuerySet:
    """Every identifier a served resource carries: Careweave's own (``identifier_q``) and those of the
    copy as received that are merged into what is served (a Synthea Patient's MRN, passport...)."""
    q = Q()
    for item in value.split(","):
        system, code = parse_token(item)
        if system is None and code is None:
            continue
        condition = mapping.identifier_q(system, code)
        if condition is not None:
            q |= condition
        if mapping.keeps_source and mapping.versioned:
            ids = [k for k in (as_uuid(i) for i in received_with_identifier(mapping.resource_type, system, code)) if k]
            if ids:
                q |= Q(fhir_id__in=ids)
    return qs.filter(q) if q else qs.none()


def received_with_identifier(resource_type: str, system: str | None, value: str | None) -> list[str]:
    """Ids of the records whose copy as received carries this identifier."""
    from careweave.fhir.models import SourceResource

    condition = json_identifier_q(system, value)
    if condition is None:
        return []
    return list(SourceResource.objects.filter(condition, resource_type=resource_type)
                .values_list("resource_id", flat=True)[:MAX_COUNT])


def _persons(values: list[str]) -> list[Person]:
    keys = [k for k in (as_uuid(reference_id(v)) for value in values for v in value.split(",")) if k]
    return list(Person.objects.filter(fhir_id__in=keys))


def apply_filters(
    mapping: Mapping, qs: QuerySet, params: list[tuple[str, str]]
) -> tuple[QuerySet, list[Person] | None, list[tuple[str, str]], list[str]]:
    """Apply search parameters; return the queryset, the persons named by patient/subject, used and ignored."""
    explicit: list[Person] | None = None
    used: list[tuple[str, str]] = []
    ignored: list[str] = []
    compartment = mapping.person_path not in (None, "")
    for name, value in params:
        base, _sep, modifier = name.partition(":")
        if base in CONTROL:
            continue
        if base == "_id":
            qs = _id_filter(mapping, qs, value)
        elif base == "_lastUpdated":
            qs = date_filter(qs, mapping.updated_field, value)
        elif base == "identifier" and mapping.searches_identifiers:
            qs = _identifier_filter(mapping, qs, value)
        elif base in COMPARTMENT and compartment:
            persons = _persons([value])
            explicit = persons if explicit is None else [p for p in explicit if p in persons]
            qs = qs.filter(**{f"{mapping.person_field()}__in": [p.pk for p in persons]})
        elif base in mapping.search_params:
            qs = mapping.search_params[base](qs, value, modifier)
        else:
            ignored.append(name)
            continue
        used.append((name, value))
    return qs, explicit, used, ignored


def _int(params: dict[str, str], name: str, default: int) -> int:
    try:
        return max(0, int(params.get(name, default)))
    except ValueError:
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": name}) from None


def run_search(ctx: Context, mapping: Mapping, params: list[tuple[str, str]]) -> SearchResult:
    """Search as the actor: only what they may see, each person whose data is shown audited."""
    if hasattr(mapping, "run_search"):  # a type served from two models merges its own (mapping/scheduling.py)
        return mapping.run_search(ctx, params)
    control = {k: v for k, v in params if k in CONTROL}
    count = min(_int(control, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _int(control, "_offset", 0)
    qs, explicit, used, ignored = apply_filters(mapping, mapping.queryset(), params)
    sort = control.get("_sort", "")
    controls: list[tuple[str, str]] = []
    if sort in ("_lastUpdated", "-_lastUpdated"):
        controls.append(("_sort", sort))
    elif sort:
        ignored.append(f"_sort={sort}")
    revincludes = [v for k, v in params if k == "_revinclude"]
    ignored += [f"_revinclude={v}" for v in revincludes if _revinclude_field(mapping, v) is None]
    if ignored and _strict(ctx):  # before anything is looked at or audited
        raise BadRequest(_("These search parameters are not supported: %(names)s") % {"names": ", ".join(ignored)})
    qs, decisions = mapping.visible(ctx, qs, explicit)
    if controls:
        direction = "-" if sort.startswith("-") else ""
        # the primary key breaks ties, so that pages of equal timestamps neither repeat nor skip a record
        qs = qs.order_by(f"{direction}{mapping.updated_field}", f"{direction}pk")
    else:
        qs = qs.order_by(*mapping.default_order)
    summary = control.get("_summary") == "count"
    if summary:
        controls.append(("_summary", "count"))
    if control.get("_total") in ("none", "estimate", "accurate"):
        controls.append(("_total", control["_total"]))
    objects = [] if summary or count == 0 else list(qs[offset: offset + count])
    if control.get("_total") == "none":
        total = None
    elif objects and len(objects) < count:
        total = offset + len(objects)  # the last page: no need to count
    else:
        total = qs.count()
    included = _revinclude(ctx, mapping, objects, decisions, revincludes)
    if objects and decisions:
        audited = {p.pk for p in explicit or []}
        reason = ("with " + ", ".join(sorted({m.resource_type for m, _o in included}))) if included else ""
        for person in {mapping.person_of(obj) for obj in objects}:
            if person is not None and person.pk not in audited and person.pk in decisions:
                record_access(ctx.actor, "search", mapping.resource_type, person=person, request=ctx.request,
                              basis=decisions[person.pk].basis, reason=reason)
    return SearchResult(objects, total, offset, count, used, ignored, included, controls)


def _strict(ctx: Context) -> bool:
    """``Prefer: handling=strict``: an unsupported parameter is an error, not silently left out."""
    request = ctx.request
    return request is not None and "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")


# _revinclude pairs: (resource type, search parameter) -> the ORM field pointing at the searched record.
REVINCLUDES = {
    ("CarePlan", "Task", "based-on"): "plan",
    ("CarePlan", "Goal", "care-plan"): "plan",
    ("CarePlan", "Communication", "based-on"): "plan",
    ("Goal", "Task", "focus"): "goal",
}


def _revinclude_field(mapping: Mapping, value: str) -> str | None:
    rtype, _sep, param = value.partition(":")
    return REVINCLUDES.get((mapping.resource_type, rtype, param))


def _revinclude(ctx: Context, mapping: Mapping, objects: list[models.Model], decisions: dict,
                values: list[str]) -> list[tuple[Mapping, models.Model]]:
    """Records pointing at the found ones (a plan's goals and tasks), filtered by the same decisions."""
    from careweave.fhir.registry import mapping_for

    included: list[tuple[Mapping, models.Model]] = []
    for value in values:
        rtype = value.partition(":")[0]
        field_name = _revinclude_field(mapping, value)
        if field_name is None or not objects:
            continue
        target = mapping_for(rtype)
        for obj in target.queryset().filter(**{f"{field_name}__in": objects}).order_by(*target.default_order):
            person = target.person_of(obj)
            decision = decisions.get(person.pk) if person is not None else None
            if decision is not None and decision.allows(target.needed_level(obj)):
                included.append((target, obj))
    return included


def conditional_queryset(mapping: Mapping, query: str) -> models.QuerySet:
    """The records a conditional query (``identifier=...``) names, before any access rule: the caller
    narrows them to what the requester may read (``rest.readable_matches``)."""
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    if not params:
        raise BadRequest(_("A conditional request needs search parameters."))
    qs, _explicit, _used, ignored = apply_filters(mapping, mapping.queryset(), params)
    if ignored:
        raise BadRequest(_("These search parameters are not supported: %(names)s") % {"names": ", ".join(ignored)})
    return qs


def search_link(base: str, resource_type: str, used: list[tuple[str, str]], **extra: Any) -> str:
    from urllib.parse import urlencode

    query = urlencode([*used, *[(k, str(v)) for k, v in extra.items()]])
    return f"{base}/{resource_type}" + (f"?{query}" if query else "")
