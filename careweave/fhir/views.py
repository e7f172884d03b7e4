"""HTTP views of the FHIR API: authentication, content negotiation and errors; the work is in ``rest``.

Authentication is a bearer token (``Authorization: Bearer <token>``, see ``ApiToken``) or the web
app's session. Only bearer requests are exempt from CSRF checks: a session request that changes
something must carry the CSRF token like any form of the web app.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from careweave.access.models import ApiToken
from careweave.fhir import limits, rest
from careweave.fhir.bundles import process_bundle
from careweave.fhir.capability import capability_statement
from careweave.fhir.errors import (
    BadRequest,
    FhirError,
    Forbidden,
    MethodNotAllowed,
    NotAcceptable,
    Unauthorised,
    UnsupportedMediaType,
    as_fhir_error,
    issue,
    operation_outcome,
    outcome_for,
)
from careweave.fhir.history import acting_as
from careweave.fhir.mapping.base import Context
from careweave.fhir.refusals import keep_refusals
from careweave.fhir.registry import mapping_for

logger = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"
JSON_TYPES = {"application/fhir+json", "application/json", ""}
FORMATS = {"json", "application/json", "application/fhir+json"}
SAFE = {"GET", "HEAD", "OPTIONS"}


def fhir_response(request: HttpRequest, data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> HttpResponse:
    indent = 2 if request.GET.get("_pretty") == "true" else None
    body = "" if data is None else json.dumps(data, ensure_ascii=False, indent=indent)
    response = HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _authenticate(request: HttpRequest) -> tuple[Any, bool]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    challenge = 'Bearer realm="careweave"'
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorised(_("Send an API token: Authorization: Bearer <token>."),
                               headers={"WWW-Authenticate": challenge})
        found = ApiToken.find(token.strip())
        refusal = _token_refusal(found)
        if refusal:
            raise Unauthorised(refusal, headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'})
        found.touch()
        request.user = found.user
        return found.user, True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, False
    raise Unauthorised(_("Log in or send an API token: Authorization: Bearer <token>."),
                       headers={"WWW-Authenticate": challenge})


def _token_refusal(found: ApiToken | None) -> str:
    """Why a bearer token is refused, in words its holder can act on; empty when it may be used."""
    if found is None:
        return _("This API token is not valid. Check that you copied it completely.")
    if found.revoked:
        return _("This API token was revoked on %(date)s. Create a new one under \"My API tokens\".") % {
            "date": formats.date_format(timezone.localtime(found.revoked_at or found.created_at), "DATETIME_FORMAT")}
    if found.is_expired:
        return _("This API token expired on %(date)s. Create a new one under \"My API tokens\".") % {
            "date": formats.date_format(timezone.localtime(found.expires_at), "DATETIME_FORMAT")}
    if not found.user.is_active:
        return _("The account of this API token is no longer active.")
    return ""


def _csrf_view(request: HttpRequest) -> None:  # a view without csrf_exempt, for the CSRF check
    return None


def _check_csrf(request: HttpRequest) -> None:
    refused = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, _csrf_view, (), {})
    if refused is not None:
        raise Forbidden(_("This request lacks a valid CSRF token (needed when you use the API from a logged-in "
                          "browser session)."), code="security")


def _check_format(request: HttpRequest) -> None:
    if request.path.endswith("$viewdefinition-run"):  # issue 20: answers in csv/ndjson/json as asked
        return
    fmt = request.GET.get("_format")
    if fmt and fmt not in FORMATS:
        raise NotAcceptable(_("Careweave answers in JSON only (application/fhir+json)."))
    accept = request.META.get("HTTP_ACCEPT", "")
    if accept and "json" not in accept and "*/*" not in accept and "application/*" not in accept:
        raise NotAcceptable(_("Careweave answers in JSON only (application/fhir+json)."))


def _raw_body(request: HttpRequest) -> bytes:
    """The body, up to ``FHIR_MAX_BODY_BYTES``: read from the stream so that the site-wide
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (meant for web forms) does not apply to FHIR bundles."""
    limit = limits.max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise limits.too_large(declared)
    if getattr(request, "_body", None) is not None:
        raw = request._body
    else:
        raw = request.read(limit + 1) or b""
        request._body = raw
    if len(raw) > limit:
        raise limits.too_large(len(raw))
    return raw


def _body(request: HttpRequest) -> Any:
    if request.content_type not in JSON_TYPES:
        raise UnsupportedMediaType(_("Send the resource as application/fhir+json."))
    raw = _raw_body(request)
    try:
        data = json.loads(raw or b"")
    except RecursionError:
        raise BadRequest(_("The JSON is nested too deeply (more than %(limit)s levels).")
                         % {"limit": limits.MAX_DEPTH}) from None
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The body is not valid JSON.")) from None
    limits.check_depth(data)
    return data


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:base")).rstrip("/")


def _error_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    try:
        error = as_fhir_error(exc)
    except Exception:  # noqa: BLE001 - anything unexpected: a 500 that still speaks FHIR
        logger.exception("unexpected error in the FHIR API")
        error = FhirError(_("Something went wrong on the server; the change was not saved."), status=500,
                          code="exception")
    return fhir_response(request, outcome_for(error), status=error.status, headers=error.headers)


def _allow(methods: dict[str, str | None], resource_type: str | None) -> str:
    """The methods this endpoint offers for this type (``Allow`` of a 405): a read-only type offers no PUT."""
    from careweave.fhir.registry import MAPPINGS

    mapping = MAPPINGS.get(resource_type or "")
    offered = [m for m, interaction in methods.items()
               if interaction is None or mapping is None or interaction in mapping.interactions]
    if "GET" in offered:
        offered.append("HEAD")
    return ", ".join(sorted(offered))


def fhir_endpoint(methods: set[str] | dict[str, str | None], *, anonymous: bool = False) -> Callable:
    """Wrap a view: authenticate, check CSRF (sessions only), negotiate JSON, turn errors into outcomes.

    ``methods`` maps each HTTP method to the FHIR interaction it needs (for the ``Allow`` header of a
    405); ``HEAD`` is answered wherever ``GET`` is, as the same request without a body.
    """
    needs = methods if isinstance(methods, dict) else dict.fromkeys(methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            head = request.method == "HEAD" and "GET" in needs
            if head:
                request.method = "GET"
            response = _run(request, view, needs, anonymous, args, kwargs)
            if head:
                request.method = "HEAD"
                response["Content-Length"] = str(len(response.content))
                response.content = b""
            return response

        return wrapper

    return decorate


def _run(request: HttpRequest, view: Callable[..., HttpResponse], needs: dict[str, str | None], anonymous: bool,
         args: tuple, kwargs: dict) -> HttpResponse:
    try:
        if request.method not in needs:
            raise MethodNotAllowed(_("%(method)s is not supported here.") % {"method": request.method})
        _check_format(request)
        if anonymous:
            actor = getattr(request, "user", None)
        else:
            actor, bearer = _authenticate(request)
            if not bearer and request.method not in SAFE:
                _check_csrf(request)
        with keep_refusals(), acting_as(actor):
            return view(request, Context(actor=actor, request=request), *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure becomes an OperationOutcome
        if isinstance(exc, MethodNotAllowed):
            exc.headers = {**(exc.headers or {}), "Allow": _allow(needs, kwargs.get("resource_type"))}
        return _error_response(request, exc)


def _params(request: HttpRequest) -> list[tuple[str, str]]:
    return [(k, v) for k, values in request.GET.lists() for v in values]


def _write_response(request: HttpRequest, result: rest.WriteResult) -> HttpResponse:
    headers = {"ETag": result.etag,
               "Last-Modified": http_date(result.mapping.last_updated(result.obj).timestamp())}
    headers["Location"] = f"{_base(request)}/{result.location}"
    prefer = request.headers.get("Prefer", "")
    if "return=minimal" in prefer:
        return fhir_response(request, None, result.status, headers)
    if "return=OperationOutcome" in prefer:
        text = {"created": _("Created."), "updated": _("Updated."), "unchanged": _("Nothing changed."),
                "matched": _("It existed already; nothing was created.")}[result.outcome]
        issues = [issue("information", "informational", text)]
        issues += [issue("warning", "informational", w) for w in result.warnings]
        return fhir_response(request, operation_outcome(issues), result.status, headers)
    return fhir_response(request, result.resource(), result.status, headers)


@fhir_endpoint({"POST"})
def system(request: HttpRequest, ctx: Context) -> HttpResponse:
    """``POST [base]`` with a transaction or batch Bundle."""
    result = process_bundle(ctx.actor, _body(request), request=request)
    return fhir_response(request, result.response_bundle())


@fhir_endpoint({"GET"}, anonymous=True)
def metadata(request: HttpRequest, ctx: Context) -> HttpResponse:
    return fhir_response(request, capability_statement(_base(request)))


@fhir_endpoint({"GET": "search-type", "POST": "create", "PUT": "update"})
def type_level(request: HttpRequest, ctx: Context, resource_type: str) -> HttpResponse:
    """Search (GET), create (POST, with If-None-Exist) or conditional update (PUT ?identifier=...)."""
    if request.method == "GET":
        return fhir_response(request, rest.search_bundle(ctx, resource_type, _params(request), _base(request)))
    if request.method == "PUT":
        query = request.META.get("QUERY_STRING", "")
        result = rest.conditional_update(ctx, resource_type, query, _body(request), request.headers.get("If-Match"))
        return _write_response(request, result)
    result = rest.create(ctx, resource_type, _body(request), if_none_exist=request.headers.get("If-None-Exist"))
    return _write_response(request, result)


@fhir_endpoint({"POST"})
def type_search(request: HttpRequest, ctx: Context, resource_type: str) -> HttpResponse:
    """``POST [type]/_search`` with form-encoded parameters."""
    params = _params(request) + [(k, v) for k, values in request.POST.lists() for v in values]
    return fhir_response(request, rest.search_bundle(ctx, resource_type, params, _base(request)))


@fhir_endpoint({"GET": "read", "PUT": "update"})
def instance(request: HttpRequest, ctx: Context, resource_type: str, rid: str) -> HttpResponse:
    if request.method == "PUT":
        result = rest.update(ctx, resource_type, rid, _body(request), request.headers.get("If-Match"))
        return _write_response(request, result)
    mapping, obj = rest.read(ctx, resource_type, rid)
    tag = rest.etag(mapping.version_of(obj))
    headers = {"ETag": tag, "Last-Modified": http_date(mapping.last_updated(obj).timestamp())}
    if rest.none_match(request.headers.get("If-None-Match"), mapping.version_of(obj)):
        return fhir_response(request, None, 304, headers)
    return fhir_response(request, mapping.serve(obj), headers=headers)


@fhir_endpoint({"GET"})
def patient_everything(request: HttpRequest, ctx: Context, rid: str) -> HttpResponse:
    """``GET Patient/{id}/$everything``: the person's whole file as far as the reader may see it."""
    from careweave.fhir.everything import everything

    return fhir_response(request, everything(ctx, rid, _params(request), _base(request)))


@fhir_endpoint({"GET"})
def compartment(request: HttpRequest, ctx: Context, rid: str, resource_type: str) -> HttpResponse:
    """``GET Patient/{id}/{type}``: the person's resources of that type (a search with ``patient={id}``)."""
    mapping_for("Patient").get(rid)  # 404 for an unknown person; the search checks and audits the access
    params = [*_params(request), ("patient", rid)]
    return fhir_response(request, rest.search_bundle(ctx, resource_type, params, _base(request)))


@fhir_endpoint({"GET": "history-instance"})
def instance_history(request: HttpRequest, ctx: Context, resource_type: str, rid: str) -> HttpResponse:
    return fhir_response(request, rest.history_bundle(ctx, resource_type, rid, _base(request)))


@fhir_endpoint({"GET": "vread"})
def vread(request: HttpRequest, ctx: Context, resource_type: str, rid: str, vid: str) -> HttpResponse:
    mapping, found = rest.vread(ctx, resource_type, rid, vid)
    headers = {"ETag": rest.etag(found.version_id), "Last-Modified": http_date(found.recorded_at.timestamp())}
    return fhir_response(request, found.data, headers=headers)


# --------------------------------------------------------------------------- issue #8: SDC operations


@fhir_endpoint({"POST"})
def questionnaire_populate(request: HttpRequest, ctx: Context, rid: str | None = None) -> HttpResponse:
    """``POST Questionnaire/$populate``: a response prefilled with the person's earlier answers."""
    from careweave.fhir.mapping.assessments import populate

    return fhir_response(request, populate(ctx, _body(request), rid))


@fhir_endpoint({"POST"})
def response_extract(request: HttpRequest, ctx: Context, rid: str | None = None) -> HttpResponse:
    """``POST QuestionnaireResponse/[id/]$extract``: the scores as a Bundle of Observations."""
    from careweave.fhir.mapping.assessments import extract

    return fhir_response(request, extract(ctx, _body(request) if request.body else None, rid))


# --------------------------------------------------------------------------- issue #20: SQL on FHIR views


@fhir_endpoint({"GET": "search-type"})
def viewdefinition_search(request: HttpRequest, ctx: Context) -> HttpResponse:
    """``GET ViewDefinition``: the views Careweave ships."""
    from careweave.fhir import viewdefinitions

    return fhir_response(request, viewdefinitions.search(ctx, _params(request), _base(request)))


@fhir_endpoint({"GET": "read"})
def viewdefinition_read(request: HttpRequest, ctx: Context, rid: str) -> HttpResponse:
    from careweave.fhir import viewdefinitions

    return fhir_response(request, viewdefinitions.read(ctx, rid))


@fhir_endpoint({"POST": None, "GET": None})
def viewdefinition_run(request: HttpRequest, ctx: Context, rid: str | None = None) -> HttpResponse:
    """``[ViewDefinition/{id}/]$viewdefinition-run``: the view's rows as json, ndjson or csv."""
    from careweave.fhir import viewdefinitions

    body = _body(request) if request.method == "POST" and _raw_body(request) else None
    content, content_type = viewdefinitions.run(ctx, body, _params(request), rid)
    return HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
