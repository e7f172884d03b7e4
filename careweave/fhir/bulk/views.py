"""HTTP of FHIR Bulk Data Access v2: kick-off, status (poll, DELETE), files, and the Group resources.

The asynchronous request pattern as the specification (https://hl7.org/fhir/uv/bulkdata/export.html): the
kick-off answers 202 with ``Content-Location`` (the status URL); the status answers 202 with ``X-Progress``
and ``Retry-After`` while the worker runs, 200 with the manifest when done, and ``DELETE`` cancels. The
files need the same bearer token or session as the kick-off, and only the one who asked may read them.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from careweave.access.permissions import check
from careweave.careplans.errors import RuleViolation
from careweave.fhir import actions
from careweave.fhir.bulk.groups import ExportGroup, all_groups, group_for, group_resource
from careweave.fhir.bulk.storage import export_storage, file_name
from careweave.fhir.bulk.writer import exportable_types, parse_type_filter
from careweave.fhir.errors import BadRequest, FhirError, Forbidden, NotFound, issue, operation_outcome
from careweave.fhir.mapping.base import Context, instant, parse_instant
from careweave.fhir.models import ExportJob
from careweave.fhir.views import _base, _params, fhir_endpoint, fhir_response

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = {NDJSON, "application/ndjson", "ndjson"}
KNOWN = {"_type", "_since", "_typeFilter", "_outputFormat", "_elements", "_pseudonymize", "_pretty", "_format"}
RETRY_AFTER = "2"
# a new query starts where a comma is followed by a type name and "?" (commas inside a query stay)
_QUERY_START = re.compile(r",(?=[A-Z][A-Za-z]*\?)")


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("true", "1", ""):
        return value.lower() != ""
    if value.lower() in ("false", "0"):
        return False
    raise BadRequest(_("%(name)s must be true or false.") % {"name": name})


def _own_zone(actor: Any) -> Any:
    from careweave.territory.models import ZoneStaff

    role = ZoneStaff.objects.filter(user=actor, role__in=("staff", "contact_point")).select_related("zone").first()
    return role.zone if role is not None else None


def _kick_off(request: HttpRequest, ctx: Context, level: str, group: ExportGroup | None = None) -> HttpResponse:
    prefer = request.headers.get("Prefer", "").replace(" ", "")
    if "respond-async" not in prefer.split(","):
        raise BadRequest(_("A bulk export runs in the background: send the header Prefer: respond-async."))
    if "application/fhir+json" not in request.headers.get("Accept", ""):
        raise BadRequest(_("Send the header Accept: application/fhir+json with a bulk export request."))
    lenient = "handling=lenient" in prefer
    params = _params(request)
    unknown = sorted({k for k, _v in params if k not in KNOWN})
    if unknown and not lenient:
        raise BadRequest(_("These parameters are not supported by $export: %(names)s (send Prefer: "
                           "handling=lenient to have them ignored).") % {"names": ", ".join(unknown)})
    given = {k: v for k, v in params if k in KNOWN}
    output_format = given.get("_outputFormat", NDJSON)
    if output_format not in OUTPUT_FORMATS:
        raise BadRequest(_("Careweave exports ndjson only (_outputFormat=application/fhir+ndjson), not %(value)s.")
                         % {"value": output_format})
    pseudonymise = _flag(given.get("_pseudonymize", "false"), "_pseudonymize")
    allowed = exportable_types(level, pseudonymise)
    types = [t.strip() for v in (v for k, v in params if k == "_type") for t in v.split(",") if t.strip()]
    wrong = [t for t in types if t not in allowed]
    if wrong and not lenient:
        raise BadRequest(_("This export cannot contain these types: %(names)s") % {"names": ", ".join(wrong)})
    types = [t for t in types if t in allowed]
    since = None
    if given.get("_since"):
        try:
            since = parse_instant(given["_since"])
        except Exception:  # noqa: BLE001 - any unreadable instant is the client's mistake
            raise BadRequest(_("_since must be an instant such as 2026-12-01T00:00:00Z, not %(value)s.")
                             % {"value": given["_since"]}) from None
    type_filters: dict[str, list[str]] = {}
    for value in (v for k, v in params if k == "_typeFilter"):
        for query in _QUERY_START.split(value):
            rtype, _params_ = parse_type_filter(query)
            type_filters.setdefault(rtype, []).append(query.partition("?")[2])
    elements = [e.strip() for v in (v for k, v in params if k == "_elements") for e in v.split(",") if e.strip()]
    scope: Any = group
    zone_code = ""
    if pseudonymise:
        zone = group.zone if group is not None and group.zone is not None else _own_zone(ctx.actor)
        if zone is None:
            raise BadRequest(_("A pseudonymised export is made for one zone: ask for it through the zone's Group "
                               "(Group/zone-<code>/$export)."))
        scope, zone_code = zone, zone.code
    try:
        job = actions.start_bulk_export(
            ctx.actor, scope, level=level, group=group.id if group else "", types=types, since=since,
            type_filters=type_filters, elements=elements, pseudonymise=pseudonymise, zone_code=zone_code,
            request_url=request.build_absolute_uri())
    except RuleViolation as exc:  # who may export is a question of authorisation: 403, whatever the rule's code
        raise Forbidden(str(exc), rule=exc.rule) from None
    status_url = f"{_base(request)}/$export-status/{job.key}"
    queued = _("The export is queued. Poll %(url)s for its progress.") % {"url": status_url}
    outcome = operation_outcome([issue("information", "informational", queued)])
    return fhir_response(request, outcome, 202, {"Content-Location": status_url})


@fhir_endpoint({"GET"})
def system_export(request: HttpRequest, ctx: Context) -> HttpResponse:
    """``GET [base]/$export``: everything the requester may read, with the directory (practitioners...)."""
    return _kick_off(request, ctx, ExportJob.Level.SYSTEM)


@fhir_endpoint({"GET"})
def patient_export(request: HttpRequest, ctx: Context) -> HttpResponse:
    """``GET [base]/Patient/$export``: every patient the requester may read, with their records."""
    return _kick_off(request, ctx, ExportJob.Level.PATIENT)


@fhir_endpoint({"GET"})
def group_export(request: HttpRequest, ctx: Context, gid: str) -> HttpResponse:
    """``GET [base]/Group/{id}/$export``: the group's members (as far as the requester may read them)."""
    return _kick_off(request, ctx, ExportJob.Level.GROUP, group_for(gid))


def _job(ctx: Context, key: Any) -> ExportJob:
    job = ExportJob.objects.filter(key=key).first()
    if job is None or job.status == ExportJob.Status.CANCELLED:
        raise NotFound(_("There is no such export (it was cancelled, or it expired and was removed)."))
    allowed, _code, message = check(ctx.actor, "fhir.see_bulk_export", job)
    if not allowed:
        raise Forbidden(message)
    return job


def manifest(request: HttpRequest, job: ExportJob) -> dict[str, Any]:
    def url(entry: dict[str, Any]) -> str:
        return f"{_base(request)}/$export-file/{job.key}/{entry['type']}.ndjson"

    return {
        "transactionTime": instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [{"type": e["type"], "url": url(e), "count": e["count"]} for e in job.output if not e.get("error")],
        "error": [{"type": "OperationOutcome", "url": url(e), "count": e["count"]} for e in job.output
                  if e.get("error")],
        "extension": {"https://careweave.be/fhir/bulk/pseudonymised": job.pseudonymised},
    }


@fhir_endpoint({"GET", "DELETE"})
def export_status(request: HttpRequest, ctx: Context, key: Any) -> HttpResponse:
    """Poll (202 with progress, 200 with the manifest, 500 with what went wrong) or cancel (DELETE)."""
    job = _job(ctx, key)
    if request.method == "DELETE":
        try:
            actions.cancel_bulk_export(ctx.actor, job)
        except RuleViolation as exc:
            raise Forbidden(str(exc), rule=exc.rule) from None
        return fhir_response(request, operation_outcome([issue(
            "information", "informational", _("The export is cancelled and its files are removed."))]), 202)
    if job.is_active:
        return fhir_response(request, None, 202, {"X-Progress": f"{job.get_status_display()}: {job.progress}%",
                                                  "Retry-After": RETRY_AFTER})
    if job.status == ExportJob.Status.FAILED:
        raise FhirError(_("The export failed: %(error)s") % {"error": job.error}, status=500, code="exception")
    response = fhir_response(request, manifest(request, job), 200)
    response["Content-Type"] = "application/json; charset=utf-8"
    response["Expires"] = http_date(job.expires_at.timestamp())
    return response


@fhir_endpoint({"GET"})
def export_file(request: HttpRequest, ctx: Context, key: Any, name: str) -> HttpResponse:
    """One ndjson file of a finished export, streamed from the storage."""
    job = _job(ctx, key)
    rtype = name.removesuffix(".ndjson")
    if job.status != ExportJob.Status.COMPLETED or not any(e["type"] == rtype for e in job.output):
        raise NotFound(_("This export has no file %(name)s.") % {"name": name})
    if request.META.get("REQUEST_METHOD") == "HEAD":
        return HttpResponse(b"", content_type=NDJSON)
    handle = export_storage().open(file_name(job, rtype), "rb")
    return FileResponse(handle, content_type=NDJSON)


@fhir_endpoint({"GET"})
def group_read(request: HttpRequest, ctx: Context, gid: str) -> HttpResponse:
    group = group_for(gid)
    _may_read_group(ctx, group)
    return fhir_response(request, group_resource(group, ctx.actor, request))


@fhir_endpoint({"GET"})
def group_search(request: HttpRequest, ctx: Context) -> HttpResponse:
    """``GET Group``: the zones and programmes, each with the members the reader may read."""
    _may_read_group(ctx, None)
    base = _base(request)
    groups = all_groups()
    wanted = {k: v for k, v in _params(request)}
    if wanted.get("_id"):
        groups = [g for g in groups if g.id in wanted["_id"].split(",")]
    if wanted.get("name"):
        groups = [g for g in groups if g.name.lower().startswith(wanted["name"].lower())]
    entries = [{"fullUrl": f"{base}/Group/{g.id}", "resource": group_resource(g, ctx.actor, request),
                "search": {"mode": "match"}} for g in groups]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(entries),
                              "link": [{"relation": "self", "url": f"{base}/Group"}]}
    if entries:
        bundle["entry"] = entries
    return fhir_response(request, bundle)


def _may_read_group(ctx: Context, group: ExportGroup | None) -> None:
    allowed, _code, message = check(ctx.actor, "fhir.read_group", group)
    if not allowed:
        raise Forbidden(message)


def status_path(job: ExportJob) -> str:
    return reverse("fhir:bulk-status", kwargs={"key": job.key})
