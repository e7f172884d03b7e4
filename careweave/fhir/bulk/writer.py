"""``write_ndjson``: what a requester may read, as one ndjson file per resource type (decision 0026).

The one function behind ``$export`` (the worker calls it) and the zone's population pipeline (which feeds
the demo zone's own work into its indicators). Same rules as every read of the FHIR API:

* identified: the persons whose file the requester may open (``persons_visible_to``, then ``decide`` for
  each), and per person only what their level allows (``Mapping.restrict``: medical detail and clinical
  data from other systems need full access) — exactly what a search would show;
* pseudonymised (``pseudonymise=True``): the persons of one zone, for its staff (the permission row
  ``fhir.bulk_export_pseudonymised``), rewritten by :mod:`careweave.fhir.bulk.pseudonyms`;
* every person whose data is written is audited once on their file, one bulk insert per batch of persons.

Memory stays bounded: persons are taken in chunks, each type's records of a chunk in keyset pages, and
every line is written as soon as it is served.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import LIST_REASON, audit_event, record_many
from careweave.access.decisions import decide_many, persons_visible_to, remembering_decisions
from careweave.access.models import Level
from careweave.access.permissions import authorize
from careweave.fhir.bulk.pseudonyms import LEFT_OUT, Pseudonymiser
from careweave.fhir.errors import BadRequest, issue, operation_outcome
from careweave.fhir.mapping.base import Context, Mapping, instant
from careweave.fhir.registry import MAPPINGS, mapping_for
from careweave.fhir.search import apply_filters
from careweave.people.models import Person

PERSON_CHUNK = 500  # persons decided, audited and written together
PAGE = 500  # records served at a time
NOT_EXPORTED = {"AuditEvent"}  # the trail has its own readers (mapping/access.py)
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


class ExportCancelled(Exception):
    """Raised by a progress callback to stop an export (the files written so far are removed by the caller)."""


def person_types() -> list[str]:
    """The types whose records belong to one person (the Patient first), as ``$everything`` serves them."""
    others = sorted(t for t, m in MAPPINGS.items() if m.person_path not in (None, "") and t not in NOT_EXPORTED
                    and "search-type" in m.interactions)
    return ["Patient", *others]


def directory_types() -> list[str]:
    """Types about no one's file (practitioners, organisations, services, definitions): system level only."""
    return sorted(t for t, m in MAPPINGS.items() if m.person_path is None and "search-type" in m.interactions)


def exportable_types(level: str = "patient", pseudonymise: bool = False) -> list[str]:
    types = person_types() + (directory_types() if level == "system" and not pseudonymise else [])
    return [t for t in types if not (pseudonymise and t in LEFT_OUT)]


def parse_type_filter(value: str) -> tuple[str, list[tuple[str, str]]]:
    """``Goal?lifecycle-status=active`` -> ("Goal", [("lifecycle-status", "active")]), checked against the
    search parameters the type supports (the same parsing as a search)."""
    rtype, sep, query = value.partition("?")
    rtype = rtype.strip().rsplit("/", 1)[-1]
    if not sep or not rtype or rtype not in MAPPINGS:
        raise BadRequest(_("_typeFilter must be a search such as Goal?lifecycle-status=active, not \"%(value)s\".")
                         % {"value": value})
    params = parse_qsl(query, keep_blank_values=True)
    if not params:
        raise BadRequest(_("_typeFilter \"%(value)s\" has no search parameters.") % {"value": value})
    mapping = mapping_for(rtype)
    _qs, _explicit, _used, ignored = apply_filters(mapping, mapping.queryset().none(), params)
    if ignored:
        raise BadRequest(_("_typeFilter \"%(value)s\" uses search parameters %(type)s does not support: %(names)s")
                         % {"value": value, "type": rtype, "names": ", ".join(ignored)})
    return rtype, params


@dataclass
class _Output:
    out_dir: Path
    files: dict[str, IO[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def write(self, rtype: str, resource: dict[str, Any]) -> None:
        handle = self.files.get(rtype)
        if handle is None:
            handle = self.files[rtype] = (self.out_dir / f"{rtype}.ndjson").open("w", encoding="utf-8")
        handle.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
        handle.write("\n")
        self.counts[rtype] = self.counts.get(rtype, 0) + 1

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()
        if self.errors:
            with (self.out_dir / "OperationOutcome.ndjson").open("w", encoding="utf-8") as handle:
                for outcome in self.errors:
                    handle.write(json.dumps(outcome, ensure_ascii=False, separators=(",", ":")) + "\n")


def _elements(resource: dict[str, Any], keep: set[str] | None) -> dict[str, Any]:
    """``_elements``: only the asked top-level elements (and the mandatory ones), marked SUBSETTED."""
    if not keep:
        return resource
    out = {k: v for k, v in resource.items() if k in keep or k in ("resourceType", "id", "meta")}
    meta = dict(out.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    out["meta"] = meta
    return out


def _filtered(mapping: Mapping, qs: Any, queries: list[list[tuple[str, str]]]) -> Any:
    """Several ``_typeFilter`` queries of one type are alternatives (OR), each applied as a search would."""
    if not queries:
        return qs
    from django.db.models import Q

    condition = Q()
    for params in queries:
        found, _explicit, _used, _ignored = apply_filters(mapping, mapping.queryset(), params)
        condition |= Q(pk__in=found.values("pk"))
    return qs.filter(condition)


def _candidates(requester: Any, persons: Iterable[Any] | None, zone: Any) -> list[int]:
    wanted = None if persons is None else {p.pk if isinstance(p, Person) else int(p) for p in persons}
    if zone is not None:
        ids = list(Person.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True))
    else:
        ids = persons_visible_to(requester)
    return sorted(i for i in ids if wanted is None or i in wanted)


def write_ndjson(requester: Any, out_dir: str | Path, *, types: list[str] | None = None, since: datetime | None = None,
                 type_filters: dict[str, list[str]] | None = None, persons: Iterable[Any] | None = None,
                 pseudonymise: bool = False, zone_code: str | None = None, elements: list[str] | None = None,
                 level: str = "patient", progress: Callable[[int, dict[str, int]], None] | None = None,
                 channel: str = "cli") -> dict[str, Any]:
    """Write ``<Type>.ndjson`` files (one resource per line, as the FHIR API serves them) of what
    ``requester`` may read; return ``{"output": [{"type", "path", "count"}], "transactionTime", "error"}``.

    ``types``: only these types (default: every person type; at ``level="system"`` identified exports
    add the directory types). ``since``: only records changed at or after this instant (their version
    timestamp). ``type_filters``: per type, FHIR search queries (``"lifecycle-status=active"``), OR'ed.
    ``persons``: only these persons (a Group's members). ``pseudonymise`` with ``zone_code``: the zone's
    persons under their pseudonyms (zone staff). ``progress(percent, counts)`` may raise
    :class:`ExportCancelled`. Raises ``RuleViolation`` when the requester may not export this way.
    """
    zone = None
    if pseudonymise:
        from careweave.territory.models import Zone

        zone = Zone.objects.filter(code=zone_code or "").first()
        if zone is None:
            raise BadRequest(_("A pseudonymised export needs the zone whose pseudonyms it uses."))
        authorize(requester, "fhir.bulk_export_pseudonymised", zone)
    else:
        authorize(requester, "fhir.bulk_export", None)
    allowed = exportable_types(level, pseudonymise)
    wanted = [t for t in allowed if t in set(types)] if types else allowed
    filters: dict[str, list[list[tuple[str, str]]]] = {}
    for rtype, queries in (type_filters or {}).items():
        for query in queries:
            _t, params = parse_type_filter(f"{rtype}?{query}")
            filters.setdefault(rtype, []).append(params)
    keep = {e.split(".", 1)[-1] for e in elements or [] if e}
    transaction_time = timezone.now()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    output = _Output(out_dir)
    ctx = Context(actor=requester)
    renamer = Pseudonymiser(zone.code) if zone is not None else None
    try:
        with remembering_decisions():
            ids = _candidates(requester, persons, zone)
            chunks = [ids[i:i + PERSON_CHUNK] for i in range(0, len(ids), PERSON_CHUNK)] or [[]]
            steps, done = len(chunks) * max(len(wanted), 1), 0
            for number, chunk in enumerate(chunks):
                people = list(Person.objects.filter(pk__in=chunk).order_by("pk"))
                if zone is not None:
                    decisions = None
                    renamer.add(people)
                else:
                    decisions = {pk: d for pk, d in decide_many(requester, people).items() if d.allows(Level.PLAN)}
                included: set[int] = set()
                for rtype in wanted:
                    if number == 0 or mapping_for(rtype).person_field() is not None:  # the directory once
                        # a type served from several models (EpisodeOfCare, mapping/coordination.py): each
                        for part in getattr(mapping_for(rtype), "parts", (mapping_for(rtype),)):
                            _write_type(ctx, part, chunk, decisions, since, filters.get(rtype, []),
                                        keep, renamer, output, included)
                    done += 1
                    if progress is not None:
                        progress(min(99, done * 100 // steps), dict(output.counts))
                _audit(requester, [p for p in people if p.pk in included], decisions, pseudonymise, channel)
    finally:
        output.close()
    return {
        "transactionTime": instant(transaction_time),
        "output": [{"type": t, "path": str(out_dir / f"{t}.ndjson"), "count": output.counts[t]}
                   for t in wanted if output.counts.get(t)],
        "error": [{"type": "OperationOutcome", "path": str(out_dir / "OperationOutcome.ndjson"),
                   "count": len(output.errors)}] if output.errors else [],
    }


def _write_type(ctx: Context, mapping: Mapping, chunk: list[int], decisions: dict | None, since: datetime | None,
                queries: list, keep: set[str], renamer: Pseudonymiser | None, output: _Output,
                included: set[int]) -> None:
    field_name = mapping.person_field()
    if field_name is not None and not chunk:
        return
    qs = mapping.queryset()
    if field_name is not None:
        if decisions is None:
            qs = qs.filter(**{f"{field_name}__in": chunk})
        else:
            qs = mapping.restrict(ctx, qs, decisions)
    if since is not None:
        qs = qs.filter(**{f"{mapping.updated_field}__gte": since})
    qs = _filtered(mapping, qs, queries).order_by("pk")
    last = None
    while True:
        page = list((qs.filter(pk__gt=last) if last is not None else qs)[:PAGE])
        if not page:
            return
        last = page[-1].pk
        if field_name is not None:
            owners = dict(mapping.model.objects.filter(pk__in=[o.pk for o in page]).values_list("pk", field_name))
            included.update(v for v in owners.values() if v is not None)
        for resource in _serve(mapping, page, output):
            if renamer is not None:
                resource = renamer.resource(resource)
            output.write(mapping.resource_type, _elements(resource, keep))
        if len(page) < PAGE:
            return


def _serve(mapping: Mapping, page: list[Any], output: _Output) -> list[dict[str, Any]]:
    """A page as the API serves it; a record that cannot be served becomes an OperationOutcome line."""
    try:
        return mapping.serve_many(page)
    except Exception:  # noqa: BLE001 - one broken record must not lose the whole export
        served = []
        for obj in page:
            try:
                served.append(mapping.serve(obj))
            except Exception:  # noqa: BLE001
                output.errors.append(operation_outcome([issue(
                    "error", "exception", _("%(type)s/%(id)s could not be exported.")
                    % {"type": mapping.resource_type, "id": mapping.resource_id(obj)})]))
        return served


def _audit(requester: Any, persons: list[Person], decisions: dict | None, pseudonymise: bool, channel: str) -> None:
    """One read per person whose data was written, on their file, as one bulk insert."""
    if not persons:
        return
    code = "bulk_export_pseudonymised" if pseudonymise else "bulk_export"
    record_many([
        audit_event(requester, "read", "Patient", str(p.fhir_id), person=p, reason=f"{LIST_REASON}{code}",
                    basis="zone" if decisions is None else decisions[p.pk].basis, channel=channel)
        for p in persons
    ])
