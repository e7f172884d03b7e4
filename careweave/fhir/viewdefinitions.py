"""SQL on FHIR v2 in the FHIR API: ViewDefinitions Careweave serves, and ``$viewdefinition-run``.

``GET ViewDefinition`` and ``GET ViewDefinition/{id}`` serve the views shipped in
``careweave/sof/views/``. ``POST ViewDefinition/$viewdefinition-run`` (a ``viewResource`` or a
``viewReference``) and ``ViewDefinition/{id}/$viewdefinition-run`` run one on DuckDB: over the
``resource`` parameters given inline, else over Careweave's own records of the view's type, read
through the same search as ``GET [type]`` (``run_search``), so the caller sees only the records
they may read and every person whose data is used is audited, as for any read.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from careweave import csvexport
from careweave.access.permissions import authorize
from careweave.fhir.errors import BadRequest, NotFound, Unprocessable
from careweave.fhir.mapping.base import Context
from careweave.fhir.registry import MAPPINGS
from careweave.fhir.search import MAX_COUNT, run_search
from careweave.sof import ViewDefinitionError, run_view, shipped_views, validate_view

OPERATION = "http://sql-on-fhir.org/OperationDefinition/$viewdefinition-run"
FORMATS = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": csvexport.CONTENT_TYPE}
SEARCH_PARAMS = {"name": "string", "url": "uri", "status": "token", "resource": "token"}


def capability_entry() -> dict[str, Any]:
    """The ViewDefinition entry of the CapabilityStatement."""
    return {
        "type": "ViewDefinition",
        "profile": "https://sql-on-fhir.org/ig/StructureDefinition/ViewDefinition",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [{"name": n, "type": t} for n, t in sorted(SEARCH_PARAMS.items())],
        "operation": [{"name": "viewdefinition-run", "definition": OPERATION}],
    }


def _served() -> dict[str, dict]:
    views = {}
    for vid, view in shipped_views().items():
        views[vid] = {"resourceType": "ViewDefinition", "id": vid, **{k: v for k, v in view.items() if k != "id"}}
    return views


def read(ctx: Context, rid: str) -> dict[str, Any]:
    authorize(ctx.actor, "sof.read_viewdefinition")
    view = _served().get(rid)
    if view is None:
        raise NotFound(_("There is no ViewDefinition %(id)s.") % {"id": rid})
    return view


def search(ctx: Context, params: list[tuple[str, str]], base: str) -> dict[str, Any]:
    authorize(ctx.actor, "sof.read_viewdefinition")
    views = list(_served().values())
    for key, value in params:
        field = key.split(":")[0]
        if field in SEARCH_PARAMS:
            views = [v for v in views if str(v.get(field, "")).lower().startswith(value.lower())]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(views),
            "link": [{"relation": "self", "url": f"{base}/ViewDefinition"}],
            "entry": [{"fullUrl": f"{base}/ViewDefinition/{v['id']}", "resource": v, "search": {"mode": "match"}}
                      for v in views]}


# --------------------------------------------------------------------------- $viewdefinition-run


def _parameters(body: Any, query: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """(name, value) pairs from a Parameters body and the query string."""
    pairs: list[tuple[str, Any]] = list(query)
    if body is None:
        return pairs
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise BadRequest(_("Send the operation's input as a Parameters resource."))
    for p in body.get("parameter") or []:
        if not isinstance(p, dict) or not p.get("name"):
            raise BadRequest(_("Every parameter needs a name."))
        values = [v for k, v in p.items() if k.startswith("value") or k == "resource"]
        pairs.append((p["name"], values[0] if values else None))
    return pairs


def _reference_id(value: Any, resource_type: str) -> str:
    reference = value.get("reference", "") if isinstance(value, dict) else str(value or "")
    prefix = f"{resource_type}/"
    return reference[len(prefix):] if reference.startswith(prefix) else reference


def run(ctx: Context, body: Any, query: list[tuple[str, str]], rid: str | None = None) -> tuple[str, str]:
    """Run the view; (content, content type) in the asked format."""
    authorize(ctx.actor, "sof.run_view")
    pairs = _parameters(body, query)
    given = dict(pairs)
    fmt = str(given.get("_format") or "json").lower().split("/")[-1].replace("x-", "")
    if fmt not in FORMATS:
        raise BadRequest(_("_format must be json, ndjson or csv, not %(format)s.") % {"format": fmt})
    view = _view(ctx, given, rid)
    try:
        validate_view(view)
    except ViewDefinitionError as exc:
        raise Unprocessable(_("The ViewDefinition cannot be run: %(reason)s") % {"reason": exc},
                            code="invalid") from None
    limit = _limit(given.get("_limit"))
    if given.get("group"):
        raise BadRequest(_("The group parameter is not supported yet: use patient, or send the resources."),
                         code="not-supported")
    inline = [v for k, v in pairs if k == "resource"]
    if inline:
        if not all(isinstance(r, dict) and r.get("resourceType") for r in inline):
            raise BadRequest(_("Every resource parameter must hold a FHIR resource."))
        patient = given.get("patient")
        resources = inline if not patient else [r for r in inline if _concerns(r, _reference_id(patient, "Patient"))]
    else:
        resources = _own_records(ctx, view["resource"], given)
    try:
        table = run_view(view, resources)
    except ViewDefinitionError as exc:
        raise Unprocessable(_("The ViewDefinition cannot be run: %(reason)s") % {"reason": exc},
                            code="processing") from None
    if limit is not None:
        table = table.slice(0, limit)
    return render(table.to_pylist(), table.column_names, fmt, _header(given.get("header"))), FORMATS[fmt]


def _view(ctx: Context, given: dict, rid: str | None) -> dict:
    if rid is not None:
        return read(ctx, rid)
    if given.get("viewResource") is not None:
        view = given["viewResource"]
        if not isinstance(view, dict):
            raise BadRequest(_("viewResource must hold a ViewDefinition."))
        return view
    if given.get("viewReference") is not None:
        return read(ctx, _reference_id(given["viewReference"], "ViewDefinition"))
    raise BadRequest(_("Give the view to run: a viewResource or a viewReference parameter."))


def _limit(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": "_limit"}) from None
    if limit < 0:
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": "_limit"})
    return limit


def _header(value: Any) -> bool:
    return str(value).lower() != "false" if value is not None else True


def _concerns(resource: dict, patient_id: str) -> bool:
    """An inline resource is the patient, or refers to them as subject/patient/beneficiary."""
    if resource.get("resourceType") == "Patient":
        return resource.get("id") == patient_id
    for key in ("subject", "patient", "beneficiary", "for"):
        ref = resource.get(key)
        if isinstance(ref, dict) and ref.get("reference", "").endswith(f"Patient/{patient_id}"):
            return True
    return False


def _own_records(ctx: Context, resource_type: str, given: dict) -> list[dict]:
    """Careweave's records of this type the caller may read, through the search of ``GET [type]``."""
    mapping = MAPPINGS.get(resource_type)
    if mapping is None or "search-type" not in mapping.interactions:
        raise BadRequest(_("Careweave does not serve %(type)s resources.") % {"type": resource_type},
                         code="not-supported")
    params: list[tuple[str, str]] = [("_count", str(MAX_COUNT))]
    if given.get("patient"):
        patient = _reference_id(given["patient"], "Patient")
        params.append(("_id" if resource_type == "Patient" else "patient", patient))
    if given.get("_since"):
        params.append(("_lastUpdated", f"ge{given['_since']}"))
    resources: list[dict] = []
    offset = 0
    while True:
        result = run_search(ctx, mapping, [*params, ("_offset", str(offset))])
        resources.extend(mapping.serve_many(result.objects))
        if not result.objects or len(result.objects) < result.count:
            return resources
        offset += result.count


def render(rows: list[dict], columns: list[str], fmt: str, header: bool = True) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, default=str)
    if fmt == "ndjson":
        return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    # The one CSV writer (formula-safe text, issue 18), comma-separated with a decimal point as the spec's CSV.
    def value(v: Any) -> Any:
        return v if isinstance(v, int | float) and not isinstance(v, bool) else _cell(v)

    table = ([value(row[c]) for c in columns] for row in rows)
    return csvexport.csv_bytes(columns if header else None, table, separator=",", decimal_comma=False,
                               bom=False).decode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
