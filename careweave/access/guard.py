"""The single door to a person's data: decide, audit, and refuse with an explanation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from careweave.access.audit import record_access
from careweave.access.decisions import Decision, decide
from careweave.access.models import Level
from careweave.people.models import Person


class AccessRefused(PermissionDenied):
    """Refused access; ``str(exc)`` is a translated explanation for the user."""

    def __init__(self, message: str, decision: Decision | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.decision = decision


def require_access(
    user,  # noqa: ANN001
    person: Person,
    *,
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    needed: int = Level.PLAN,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> Decision:
    """Check ``user`` may do ``action`` on ``person``'s data; audit the outcome either way."""
    decision = decide(user, person)
    if not decision.allows(needed):
        if audit:
            record_access(
                user,
                action,
                resource_type,
                resource_id,
                person=person,
                outcome="denied",
                reason=decision.refusal,
                request=request,
                basis=decision.basis,
            )
        raise AccessRefused(decision.refusal, decision)
    if audit:
        record_access(user, action, resource_type, resource_id, person=person, request=request, basis=decision.basis)
    return decision
