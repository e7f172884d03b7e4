"""``GET Patient/{id}/$everything``: the person's whole file, as far as the reader may see it.

Why: it is the operation every FHIR client uses for "the whole record". It follows the same access
rule as reads and searches (``access.decisions``): the person is checked and the read audited once on
their file, and each record the reader may not see at their level is left out (medical detail and
clinical data from other systems need full access). The audit trail itself (AuditEvent) is not part
of it: it has its own reader rule (the person and their representative only).

Parameters: ``_since`` (only what changed at or after this instant), ``_type`` (only these types),
``_count`` and ``_offset`` (paging; the links carry every parameter). Order: the Patient, then each
type in alphabetical order, each by last update and id, so that paging is deterministic.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from careweave.access.guard import require_access
from careweave.access.models import Level
from careweave.fhir.errors import BadRequest
from careweave.fhir.mapping.base import Context, Mapping, parse_instant
from careweave.fhir.registry import MAPPINGS, mapping_for
from careweave.fhir.search import DEFAULT_COUNT, MAX_COUNT

EXCLUDED = {"AuditEvent"}  # the trail has its own readers (mapping/access.py)
OPERATION = "http://hl7.org/fhir/OperationDefinition/Patient-everything"


def compartment_types() -> list[str]:
    """The searchable types whose records belong to one person, the Patient itself excepted."""
    return sorted(t for t, m in MAPPINGS.items()
                  if m.person_path not in (None, "") and "search-type" in m.interactions and t not in EXCLUDED)


def _number(params: dict[str, str], name: str, default: int) -> int:
    try:
        return max(0, int(params.get(name, default)))
    except ValueError:
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": name}) from None


def _parts(ctx: Context, person_pk: int, decisions: dict, types: list[str], since: Any
           ) -> list[tuple[Mapping, QuerySet]]:
    parts = []
    for rtype in types:
        # A type modelled here whose copies received from other systems are kept too (DocumentReference): both.
        for mapping in (mapping_for(rtype), *getattr(mapping_for(rtype), "received_too", ())):
            qs = mapping.queryset().filter(**{mapping.person_field(): person_pk})
            if rtype != "Patient":
                qs = mapping.restrict(ctx, qs, decisions)
            if since is not None:
                qs = qs.filter(**{f"{mapping.updated_field}__gte": since})
            parts.append((mapping, qs.order_by(mapping.updated_field, "pk")))
    return parts


def everything(ctx: Context, rid: str, params: list[tuple[str, str]], base: str) -> dict[str, Any]:
    """The searchset Bundle of ``Patient/{rid}/$everything``."""
    person = mapping_for("Patient").get(rid)
    given = dict(params)
    count = min(_number(given, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _number(given, "_offset", 0)
    since = None
    if given.get("_since"):
        try:
            since = parse_instant(given["_since"])
        except Exception:  # noqa: BLE001 - any unreadable instant is the client's mistake
            raise BadRequest(_("%(value)s is not a date to search on.") % {"value": given["_since"]}) from None
    types = ["Patient", *compartment_types()]
    if given.get("_type"):
        wanted = [t.strip() for t in given["_type"].split(",") if t.strip()]
        unknown = [t for t in wanted if t not in types]
        if unknown:
            raise BadRequest(_("$everything cannot return these types: %(names)s") % {"names": ", ".join(unknown)})
        types = [t for t in types if t in wanted]
    decision = require_access(ctx.actor, person, action="read", resource_type="Patient",
                              resource_id=str(person.fhir_id), needed=Level.PLAN, request=ctx.request)
    entries, total = [], 0
    for mapping, qs in _parts(ctx, person.pk, {person.pk: decision}, types, since):
        size = qs.count()
        start, stop = max(offset - total, 0), min(offset + count - total, size)
        total += size
        if start >= stop:
            continue
        objects = list(qs[start:stop])
        entries += [{"fullUrl": f"{base}/{mapping.resource_type}/{mapping.resource_id(obj)}", "resource": resource,
                     "search": {"mode": "match"}}
                    for obj, resource in zip(objects, mapping.serve_many(objects), strict=True)]
    kept = [(k, v) for k, v in params if k in ("_since", "_type")]
    url = f"{base}/Patient/{rid}/$everything"

    def link(relation: str, at: int) -> dict[str, str]:
        return {"relation": relation, "url": f"{url}?{urlencode([*kept, ('_count', count), ('_offset', at)])}"}

    links = [link("self", offset)]
    if count and offset + count < total:
        links.append(link("next", offset + count))
    if offset:
        links.append(link("previous", max(0, offset - count)))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
    if entries:
        bundle["entry"] = entries
    return bundle
