"""The audit trail: every read and write of personal data, allowed or refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from careweave.access.models import AuditEvent

# The request being served, so that actions (which take no request) audit the right channel and IP.
_current_request: ContextVar[HttpRequest | None] = ContextVar("careweave_audit_request", default=None)


class AuditContextMiddleware:
    """Make the current request known to :func:`record_access` for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


ACTIONS = {"read": "R", "create": "C", "update": "U", "delete": "D", "search": "E", "execute": "E"}


def _role(user) -> str:  # noqa: ANN001
    """A role code (``careweave.people.roles``): shown in the reader's language, never stored translated."""
    from careweave.people.roles import discipline_code

    professional = getattr(user, "professional", None)
    if professional is not None:
        return discipline_code(professional.discipline)
    if hasattr(user, "person"):
        return "person"
    return "staff" if getattr(user, "is_staff", False) else ""


def record_access(*args: Any, **kwargs: Any) -> AuditEvent:
    """Write one audit event (the arguments of :func:`audit_event`)."""
    event = audit_event(*args, **kwargs)
    event.save(force_insert=True)
    return event


def record_many(events: list[AuditEvent]) -> None:
    """Write events built with :func:`audit_event` in one go: an import of thousands stays one transaction."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def audit_event(
    user,  # noqa: ANN001
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    person=None,  # noqa: ANN001
    outcome: str = "success",
    reason: str = "",
    request: HttpRequest | None = None,
    basis: str = "",
    channel: str | None = None,
) -> AuditEvent:
    """One audit event, not saved yet. ``action`` is read/create/update/delete/search (or a FHIR letter)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    ip = None
    request = request if request is not None else _current_request.get()
    if request is not None:
        ip = request.META.get("REMOTE_ADDR")
        channel = channel or (
            "api" if request.path.startswith("/fhir/") else "admin" if request.path.startswith("/admin/") else "web"
        )
    return AuditEvent(
        fhir_id=uuid.uuid4(),
        user=user if authenticated else None,
        user_display=(user.get_full_name() or user.get_username()) if authenticated else "anonymous",
        user_role=_role(user) if authenticated else "",
        action=ACTIONS.get(action, action)[:1],
        resource_type=resource_type,
        resource_id=str(resource_id or "")[:64],
        person=person,
        outcome=outcome,
        basis=basis,
        reason=str(reason),
        channel=channel or "cli",
        ip_address=ip,
    )


def current_user() -> Any:
    """Who makes the request being served (None outside a request: the CLI, a job)."""
    request = _current_request.get()
    return getattr(request, "user", None) if request is not None else None


LIST_REASON = "list:"


def record_list_read(
    user,  # noqa: ANN001
    persons: Iterable,
    list_code: str,
    *,
    resource_type: str = "Patient",
    action: str = "read",
    basis: str | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
) -> int:
    """One read per person shown on a list page or in an export, written as one bulk insert.

    ``list_code`` names the page ("caseload", "tasks"...): the person's "who looked" shows it in their
    language. ``basis`` is the same for everyone (e.g. ``zone``) or, when ``None``, each person's own
    basis from :func:`careweave.access.decisions.bases_of`. Returns how many persons were recorded.
    """
    from careweave.access.decisions import bases_of

    shown = {p.pk: p for p in persons}
    if not shown:
        return 0
    bases = bases_of(user, shown.values()) if basis is None else dict.fromkeys(shown, basis)
    reason = f"{LIST_REASON}{list_code}" + (f" {detail}" if detail else "")
    record_many(
        [
            audit_event(
                user, action, resource_type, str(p.fhir_id), person=p, basis=bases[pk], reason=reason, request=request
            )
            for pk, p in shown.items()
        ]
    )
    return len(shown)


def list_code_of(reason: str) -> str | None:
    """The list page an audit event was recorded for (see :func:`record_list_read`), if any."""
    if not reason.startswith(LIST_REASON):
        return None
    return reason[len(LIST_REASON) :].split(" ", 1)[0]
