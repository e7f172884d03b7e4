"""Transaction and batch bundles: ``POST /fhir/R4`` and ``careweave fhir import`` share this code.

A transaction is all or nothing (one database transaction). Entries are written in an order where
references point backwards (organisations and people first, goals after their plan); ``urn:uuid:``
fullUrls resolve to the records created for them, ``ifNoneExist`` and conditional references
(``Patient?identifier=...``) are supported.

Imports must be idempotent: a POST entry that carries an identifier Careweave already knows (or a
``urn:uuid`` fullUrl it imported before) updates that record instead of creating a second one.
Resource types Careweave does not model (Observation, Encounter, Claim...) are never dropped: they
are kept as received in the integrated record (``careweave.records``: one owner each, matched by
source id within that owner only, issue #17), and counted per type in the summary the CLI reports
(:meth:`BundleResult.outcome`). The response Bundle has exactly one entry per request entry, in order,
as FHIR requires.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.decisions import decide
from careweave.careplans.errors import DuplicateRecord
from careweave.fhir import rest
from careweave.fhir.errors import (
    BadRequest,
    Conflict,
    FhirError,
    MethodNotAllowed,
    as_fhir_error,
    issue,
    operation_outcome,
)
from careweave.fhir.limits import check_depth
from careweave.fhir.mapping.base import Context, external_identifier, instant
from careweave.fhir.profiles import URI
from careweave.fhir.registry import WRITE_ORDER, is_modelled, is_served, mapping_for
from careweave.people.models import Person
from careweave.records import actions as records

PATIENT_KEYS = ("subject", "patient", "beneficiary", "for")
READS = ("GET", "HEAD")


@dataclass
class EntryResult:
    index: int
    resource_type: str
    outcome: str  # created / updated / unchanged / matched / stored / stored-unchanged / failed
    status: str
    location: str = ""
    etag: str = ""
    last_modified: str = ""
    message: str = ""
    http_status: int = 200
    resource: dict[str, Any] | None = None  # the answer of a GET entry (a resource or a searchset)
    warnings: list[str] = field(default_factory=list)  # said while writing this entry

    def response(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.location:
            out["location"] = self.location
        if self.etag:
            out["etag"] = self.etag
        if self.last_modified:
            out["lastModified"] = self.last_modified
        issues = []
        if self.message:
            severity = "error" if self.outcome == "failed" else "information"
            issues.append(issue(severity, "processing" if severity == "error" else "informational", self.message))
        issues += [issue("warning", "informational", w) for w in self.warnings]
        if issues:
            out["outcome"] = operation_outcome(issues)
        return out


@dataclass
class BundleResult:
    bundle_type: str
    entries: list[EntryResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter((e.resource_type, e.outcome) for e in self.entries)

    def total(self, *outcomes: str) -> int:
        return sum(1 for e in self.entries if e.outcome in outcomes)

    @property
    def failed(self) -> bool:
        return any(e.outcome == "failed" for e in self.entries)

    def outcome(self) -> dict[str, Any]:
        """The summary OperationOutcome: what happened per type, and what was only stored (the CLI's
        report; the response Bundle has exactly one entry per request entry, so it is not one of them)."""
        per_type: dict[str, Counter] = {}
        for entry in self.entries:
            per_type.setdefault(entry.resource_type, Counter())[entry.outcome] += 1
        issues = []
        for rtype in sorted(per_type):
            c = per_type[rtype]
            if c["read"] and sum(c.values()) == c["read"]:
                text = _("%(type)s: %(count)s read.") % {"type": rtype, "count": c["read"]}
            elif is_modelled(rtype):
                text = _("%(type)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
                    "type": rtype, "created": c["created"], "updated": c["updated"],
                    "unchanged": c["unchanged"] + c["matched"]}
            elif is_served(rtype):
                text = _("%(type)s: %(count)s kept as received (%(new)s new); they can be read through the API "
                         "(read, search by patient, code and date) by those with full access to the person.") % {
                    "type": rtype, "count": c["stored"] + c["stored-unchanged"], "new": c["stored"]}
            else:
                text = _("%(type)s: %(count)s kept as received (%(new)s new); Careweave does not serve this "
                         "resource type through the API yet.") % {
                    "type": rtype, "count": c["stored"] + c["stored-unchanged"], "new": c["stored"]}
            if c["failed"]:
                text += " " + _("%(count)s failed.") % {"count": c["failed"]}
            issues.append(issue("information", "informational", text))
        for warning in self.warnings:
            issues.append(issue("warning", "informational", warning))
        return operation_outcome(issues or [issue("information", "informational", _("The bundle was empty."))])

    def response_bundle(self) -> dict[str, Any]:
        """One response entry per request entry, in the request's order (FHIR R4 Bundle rules)."""
        entries = [{"resource": e.resource, "response": e.response()} if e.resource is not None
                   else {"response": e.response()} for e in self.entries]
        return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": f"{self.bundle_type}-response",
                "timestamp": instant(timezone.now()), "entry": entries}


def bundle_hash(raw: bytes | dict) -> str:
    data = raw if isinstance(raw, bytes) else json.dumps(raw, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


@dataclass
class _Entry:
    index: int
    full_url: str
    method: str
    url: str
    resource_type: str
    resource: dict[str, Any] | None
    request: dict[str, Any]


def _entries(bundle: dict[str, Any]) -> list[_Entry]:
    out = []
    for index, raw in enumerate(bundle.get("entry") or []):
        if not isinstance(raw, dict):
            raise BadRequest(_("Entry %(index)s of the bundle is not an object.") % {"index": index})
        request = raw.get("request") or {}
        method = (request.get("method") or "").upper()
        url = request.get("url") or ""
        resource = raw.get("resource")
        if not method or not url:
            raise BadRequest(_("Entry %(index)s has no request method and url.") % {"index": index})
        rtype = (resource or {}).get("resourceType") or url.split("?")[0].split("/")[0]
        out.append(_Entry(index, raw.get("fullUrl") or "", method, url, rtype, resource, request))
    return out


def process_bundle(
    actor: Any, bundle: Any, *, request: HttpRequest | None = None, source_hash: str = ""
) -> BundleResult:
    """Process a transaction (all or nothing) or batch (each entry on its own) bundle as ``actor``."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BadRequest(_("Send a Bundle of type transaction or batch."))
    check_depth(bundle)  # also for bundles read from files by the CLI
    kind = bundle.get("type")
    if kind not in ("transaction", "batch"):
        raise BadRequest(_("Only transaction and batch bundles can be posted here (this one is %(type)s).")
                         % {"type": kind})
    entries = _entries(bundle)
    ctx = Context(actor=actor, request=request, in_transaction=True)
    result = BundleResult(kind)
    source_hash = source_hash or bundle_hash(bundle)
    _prepare(ctx, entries)
    if kind == "transaction":
        with transaction.atomic():
            results = _process(ctx, entries, source_hash, batch=False)
    else:
        results = _process(ctx, entries, source_hash, batch=True)
    result.entries = sorted(results, key=lambda e: e.index)
    result.warnings = list(dict.fromkeys(ctx.warnings))
    return result


def _prepare(ctx: Context, entries: list[_Entry]) -> None:
    """Links that only the bundle knows: which plan lists which goal (our goals name their plan)."""
    for entry in entries:
        if entry.resource_type == "CarePlan" and entry.resource:
            medical = bool(entry.resource.get("addresses"))
            for goal in entry.resource.get("goal") or []:
                target = goal.get("reference") or ""
                if target:
                    ctx.goal_plans.setdefault(target, entry.full_url)
                    if medical:
                        ctx.medical_goals.add(target)


def _order(entry: _Entry) -> tuple[int, int, int]:
    method_rank = {"DELETE": 0, "POST": 1, "PUT": 2, "PATCH": 2, "GET": 3, "HEAD": 3}.get(entry.method, 4)
    type_rank = WRITE_ORDER.index(entry.resource_type) if entry.resource_type in WRITE_ORDER else len(WRITE_ORDER)
    return (0 if is_modelled(entry.resource_type) else 1, method_rank, type_rank)


def _process(ctx: Context, entries: list[_Entry], source_hash: str, *, batch: bool) -> list[EntryResult]:
    """Writes first (modelled types in reference order, then what is stored as received), reads last."""
    results: list[EntryResult] = []
    reads = [e for e in entries if e.method in READS]
    entries = [e for e in entries if e.method not in READS]
    modelled = sorted((e for e in entries if is_modelled(e.resource_type)), key=_order)
    for entry in modelled:
        ctx.full_url = entry.full_url
        said = len(ctx.warnings)
        try:
            if batch:
                with transaction.atomic():
                    results.append(_modelled(ctx, entry))
            else:
                results.append(_modelled(ctx, entry))
            results[-1].warnings = list(dict.fromkeys(ctx.warnings[said:]))
        except Exception as exc:  # noqa: BLE001 - every failure becomes an OperationOutcome
            error = _entry_error(exc, entry)
            if not batch:
                raise error from exc
            results.append(EntryResult(entry.index, entry.resource_type, "failed",
                                       f"{error.status} {_reason(error.status)}", message=error.message,
                                       http_status=error.status))
    ctx.full_url = ""
    others = [e for e in entries if not is_modelled(e.resource_type)]
    if others:
        try:
            if batch:
                with transaction.atomic():
                    results.extend(_store(ctx, others, source_hash, batch=True))
            else:
                results.extend(_store(ctx, others, source_hash))
        except Exception as exc:  # noqa: BLE001
            error = _entry_error(exc, others[0])
            if not batch:
                raise error from exc
            results.extend(EntryResult(e.index, e.resource_type, "failed", f"{error.status} {_reason(error.status)}",
                                       message=error.message, http_status=error.status) for e in others)
    for entry in reads:
        try:
            results.append(_read(ctx, entry))
        except Exception as exc:  # noqa: BLE001
            error = _entry_error(exc, entry)
            if not batch:
                raise error from exc
            results.append(EntryResult(entry.index, entry.resource_type, "failed",
                                       f"{error.status} {_reason(error.status)}", message=error.message,
                                       http_status=error.status))
    return results


def _base(ctx: Context) -> str:
    if ctx.request is None:
        return ""
    from django.urls import reverse

    return ctx.request.build_absolute_uri(reverse("fhir:base")).rstrip("/")


def _read(ctx: Context, entry: _Entry) -> EntryResult:
    """A GET entry: read (``Type/id``), vread (``Type/id/_history/n``), search (``Type?...``) or the
    patient compartment (``Patient/id/Type?...``), answered as the same request on its own would be."""
    from urllib.parse import parse_qsl

    path, _sep, query = entry.url.partition("?")
    parts = [p for p in path.strip("/").split("/") if p]
    params = parse_qsl(query, keep_blank_values=True)
    base = _base(ctx)
    if len(parts) == 1:
        bundle = rest.search_bundle(ctx, parts[0], params, base)
        return EntryResult(entry.index, parts[0], "read", "200 OK", resource=bundle)
    if len(parts) == 3 and parts[0] == "Patient" and parts[2] != "_history":
        bundle = rest.search_bundle(ctx, parts[2], [*params, ("patient", parts[1])], base)
        return EntryResult(entry.index, parts[2], "read", "200 OK", resource=bundle)
    if len(parts) == 2:
        mapping, obj = rest.read(ctx, parts[0], parts[1])
        version = mapping.version_of(obj)
        return EntryResult(entry.index, parts[0], "read", "200 OK", etag=rest.etag(version),
                           last_modified=instant(mapping.last_updated(obj)) or "", resource=mapping.serve(obj))
    if len(parts) == 3:
        bundle = rest.history_bundle(ctx, parts[0], parts[1], base)
        return EntryResult(entry.index, parts[0], "read", "200 OK", resource=bundle)
    if len(parts) == 4 and parts[2] == "_history":
        _mapping, found = rest.vread(ctx, parts[0], parts[1], parts[3])
        return EntryResult(entry.index, parts[0], "read", "200 OK", etag=rest.etag(found.version_id),
                           last_modified=instant(found.recorded_at) or "", resource=found.data)
    raise BadRequest(_("The url %(url)s of this GET entry is not understood.") % {"url": entry.url})


def _entry_error(exc: Exception, entry: _Entry) -> FhirError:
    error = as_fhir_error(exc)
    prefix = _("Entry %(index)s (%(type)s)") % {"index": entry.index, "type": entry.resource_type}
    error.message = f"{prefix}: {error.message}"
    error.expression = [f"Bundle.entry[{entry.index}]"]
    return error


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _import_match(ctx: Context, entry: _Entry) -> models.Model | None:
    """The record an imported resource was stored as before (by identifier or by its urn:uuid fullUrl),
    among those the importer may read: another person's record out of reach is never matched, so the
    import neither touches it nor answers 403 that proves it exists (issue #17)."""
    found = _any_import_match(entry)
    if found is None:
        return None
    mapping = mapping_for(entry.resource_type)
    person = mapping.person_of(found)
    if person is None or decide(ctx.actor, person).allows(mapping.needed_level(found)):
        return found
    return None


def _any_import_match(entry: _Entry) -> models.Model | None:
    mapping = mapping_for(entry.resource_type)
    found = mapping.existing_for(entry.resource or {})
    if found is None and mapping.has_external_id:
        external = external_identifier(entry.resource or {}, entry.full_url)
        if external:
            found = mapping.queryset().filter(external_id=external).order_by("pk").first()
        if found is None and entry.full_url.startswith("urn:uuid:"):
            found = mapping.queryset().filter(external_id=f"{URI}|{entry.full_url}").order_by("pk").first()
    return found


def _modelled(ctx: Context, entry: _Entry) -> EntryResult:
    mapping = mapping_for(entry.resource_type)
    if entry.method == "POST":
        if entry.resource is None:
            raise BadRequest(_("A POST entry needs a resource."))
        if_none_exist = entry.request.get("ifNoneExist")
        if if_none_exist:
            write = rest.create(ctx, entry.resource_type, entry.resource, if_none_exist=if_none_exist)
        else:
            rest.validate(entry.resource, entry.resource_type)
            existing = _import_match(ctx, entry)
            if existing is None:
                try:
                    write = rest.create(ctx, entry.resource_type, entry.resource)
                except (IntegrityError, Conflict, DuplicateRecord):
                    existing = _import_match(ctx, entry)  # a concurrent import of the same record won the insert
                    if existing is None:
                        raise
            if existing is not None:
                # an import from another system: its meta.versionId is that system's, not ours
                write = rest._update_object(ctx, mapping, existing, entry.resource, None, client_copy=False)
    elif entry.method == "PUT":
        if entry.resource is None:
            raise BadRequest(_("A PUT entry needs a resource."))
        path, _sep, query = entry.url.partition("?")
        if query:
            write = rest.conditional_update(ctx, entry.resource_type, query, entry.resource,
                                            entry.request.get("ifMatch"))
        else:
            rid = path.rstrip("/").split("/")[-1]
            write = rest.update(ctx, entry.resource_type, rid, entry.resource, entry.request.get("ifMatch"))
    else:
        raise MethodNotAllowed(_("%(method)s is not supported in a bundle here; Careweave never deletes "
                                 "(the history is kept).") % {"method": entry.method})
    if entry.full_url:
        ctx.local[entry.full_url] = (entry.resource_type, write.obj)
    status = {"created": "201 Created"}.get(write.outcome, "200 OK")
    return EntryResult(entry.index, entry.resource_type, write.outcome, status, location=write.location,
                       etag=write.etag, last_modified=instant(mapping.last_updated(write.obj)) or "")


def _resolve_owner(ctx: Context, entry: _Entry, reference: dict) -> Person:
    """The person a reference in a received resource names, among those the importer may write for.

    By id (``Patient/{id}``: the records action then checks access, refusal audited), as an entry of
    this bundle, by a conditional (``Patient?identifier=…``) or an identifier. Conditional and
    identifier references consider only persons the importer may add records to: one the importer may
    not see is refused exactly as if nobody matched (issue #17). Absolute URLs name another server."""
    from careweave.fhir.mapping.base import as_uuid
    from careweave.fhir.search import apply_filters

    target = reference.get("reference") or ""
    local = ctx.local_entry(target) if target else None
    if local is not None:
        if local[0] == "Patient":
            return local[1]
        raise records.owner_required(entry.resource_type)
    patients = mapping_for("Patient")
    candidates: list[Person] = []
    if target.startswith("Patient/") and target.count("/") in (1, 3) and "?" not in target:
        key = as_uuid(target.split("/")[1])
        found = Person.objects.filter(fhir_id=key).first() if key else None
        if found is not None:
            return found
    elif target.startswith("Patient?"):
        params = parse_qsl(target.partition("?")[2], keep_blank_values=True)
        if params:
            qs, _explicit, _used, ignored = apply_filters(patients, patients.queryset(), params)
            if not ignored:
                candidates = list(qs.order_by("pk")[:50])
    elif not target and isinstance(reference.get("identifier"), dict):
        ident = reference["identifier"]
        q = patients.identifier_q(ident.get("system"), ident.get("value"))
        candidates = list(Person.objects.filter(q).order_by("pk")[:50]) if q is not None else []
    reachable = [p for p in candidates if records.may_receive_for(ctx.actor, p)]
    if len(reachable) == 1:
        return reachable[0]
    raise records.owner_required(entry.resource_type)


def _owner_of(ctx: Context, entry: _Entry) -> Person | None:
    """The one person a received resource belongs to; None only for types that describe no person."""
    resource = entry.resource or {}
    refs = [resource[key] for key in PATIENT_KEYS if isinstance(resource.get(key), dict)]
    if entry.resource_type == "Provenance":  # about the records it targets: their person's
        for target in resource.get("target") or []:
            text = target.get("reference") or "" if isinstance(target, dict) else ""
            local = ctx.local_entry(text)
            if text.startswith("Patient/") or (local is not None and local[0] == "Patient"):
                refs.append(target)
    if not refs:
        if entry.resource_type in records.WITHOUT_OWNER:
            return None
        raise records.owner_required(entry.resource_type)
    owners = {}
    for reference in refs:
        person = _resolve_owner(ctx, entry, reference)
        owners[person.pk] = person
    if len(owners) != 1:
        raise records.owner_required(entry.resource_type)
    return next(iter(owners.values()))


def _store(ctx: Context, entries: list[_Entry], source_hash: str, *, batch: bool = False) -> list[EntryResult]:
    """Keep what Careweave does not model, unchanged, in its owner's integrated record (``records.receive``).

    Each entry must name its owner (else 422: the whole transaction, or that entry of a batch); the
    records action checks access, matches within the owner only and audits."""
    items: list[records.Received] = []
    accepted: list[_Entry] = []
    results: list[EntryResult] = []
    for entry in entries:
        if entry.method not in ("POST", "PUT") or entry.resource is None:
            raise MethodNotAllowed(_("%(method)s is not supported in a bundle here; Careweave never deletes "
                                     "(the history is kept).") % {"method": entry.method})
        try:
            owner = _owner_of(ctx, entry)
        except Exception as exc:  # noqa: BLE001 - this entry fails; in a transaction the whole bundle
            if not batch:
                raise
            error = _entry_error(exc, entry)
            results.append(EntryResult(entry.index, entry.resource_type, "failed",
                                       f"{error.status} {_reason(error.status)}", message=error.message,
                                       http_status=error.status))
            continue
        source_id = entry.resource.get("id") or entry.full_url or bundle_hash(entry.resource)
        items.append(records.Received(entry.resource_type, source_id[:200], owner, entry.resource))
        accepted.append(entry)
    if not items:
        return results
    for entry, kept in zip(accepted, records.receive_records(ctx.actor, items, request=ctx.request,
                                                             source_hash=source_hash), strict=True):
        stored = kept.record
        status = "201 Created" if kept.created else ("200 OK" if is_served(entry.resource_type) else "202 Accepted")
        location = (f"{entry.resource_type}/{stored.fhir_id}/_history/{stored.version}"
                    if is_served(entry.resource_type) else "")
        results.append(EntryResult(entry.index, entry.resource_type, kept.outcome, status, location=location,
                                   etag=rest.etag(stored.version) if location else "",
                                   last_modified=instant(stored.updated_at) or ""))
    return results
