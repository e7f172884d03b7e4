"""Errors of the FHIR API, each with its HTTP status and an OperationOutcome.

Domain exceptions (RuleViolation, AccessRefused, ChangedMeanwhile, ValidationError) keep their
translated messages: :func:`outcome_for` turns any of them into the status and the
OperationOutcome a FHIR client expects, in the requester's language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import IntegrityError
from django.utils.translation import gettext as _

from careweave.careplans.errors import DuplicateRecord, RuleViolation
from careweave.fhir.profiles import CW_RULE
from careweave.versioning import ChangedMeanwhile

# Rules that are about who may act rather than about the content: refused with 403.
AUTHORISATION_RULES = {"no_access", "person_decides", "access_choice_by_person", "proxy_by_person",
                       "proxy_for_yourself", "representative_by_person", "representation_end_by",
                       "directory_writer", "own_directory_entry", "organisation_keeper"}


class FhirError(Exception):
    """An error with an HTTP status, a FHIR issue type and a human-readable diagnosis."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None, rule: str = "",
                 expression: list[str] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.rule = rule
        self.expression = expression or []
        self.headers = headers or {}


class BadRequest(FhirError):
    status, code = 400, "structure"


class Unauthorised(FhirError):
    status, code = 401, "login"


class Forbidden(FhirError):
    status, code = 403, "forbidden"


class NotFound(FhirError):
    status, code = 404, "not-found"


class MethodNotAllowed(FhirError):
    status, code = 405, "not-supported"


class NotAcceptable(FhirError):
    status, code = 406, "not-supported"


class Conflict(FhirError):
    status, code = 409, "conflict"


class PreconditionFailed(FhirError):
    status, code = 412, "conflict"


class PayloadTooLarge(FhirError):
    status, code = 413, "too-long"


class UnsupportedMediaType(FhirError):
    status, code = 415, "not-supported"


class Unprocessable(FhirError):
    status, code = 422, "processing"


def operation_outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}


def issue(severity: str, code: str, message: str, *, rule: str = "", expression: list[str] | None = None) -> dict:
    entry: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    details: dict[str, Any] = {"text": message}
    if rule:
        details["coding"] = [{"system": CW_RULE, "code": rule}]
    entry["details"] = details
    if expression:
        entry["expression"] = expression
    return entry


def _messages(exc: ValidationError) -> list[tuple[str, list[str]]]:
    """Flatten a ValidationError into (message, [field]) pairs."""
    if hasattr(exc, "error_dict"):
        return [(m, [field]) for field, errors in exc.message_dict.items() for m in errors]
    return [(m, []) for m in exc.messages]


def as_fhir_error(exc: BaseException) -> FhirError:
    """Translate a domain or framework exception into a :class:`FhirError`."""
    if isinstance(exc, FhirError):
        return exc
    if isinstance(exc, DuplicateRecord):
        return Conflict(str(exc), rule=exc.rule)
    if isinstance(exc, RuleViolation):
        status = 403 if exc.rule in AUTHORISATION_RULES else 422
        return FhirError(str(exc), status=status, code="forbidden" if status == 403 else "business-rule",
                         rule=exc.rule)
    if isinstance(exc, ChangedMeanwhile):
        return PreconditionFailed(str(exc), rule="changed_meanwhile")
    if isinstance(exc, PermissionDenied):
        return Forbidden(str(exc) or _("You may not do this."))
    if isinstance(exc, ValidationError):
        pairs = _messages(exc)
        error = Unprocessable("; ".join(m for m, _f in pairs), code="invalid")
        error.expression = [f for _m, fields in pairs for f in fields]
        return error
    if isinstance(exc, ObjectDoesNotExist):
        return NotFound(_("This resource does not exist."))
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return PayloadTooLarge(_("The request is too large; split it into smaller requests."))
    if isinstance(exc, RecursionError):
        return BadRequest(_("The JSON is nested too deeply."))
    if isinstance(exc, IntegrityError):
        return Conflict(_("This conflicts with data that is already stored (a duplicate identifier?)."))
    raise exc


def outcome_for(error: FhirError) -> dict[str, Any]:
    severity = "error"
    issues = getattr(error, "issues", None)  # several problems at once (e.g. each invalid answer, issue #8)
    return operation_outcome(
        issues or [issue(severity, error.code, error.message, rule=error.rule, expression=error.expression)]
    )
