"""What every action needs: who the actor is for this person, and the audit write."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

from careweave.access.audit import record_access
from careweave.access.decisions import decide, forgetting_decisions
from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CareTeam, TeamMember
from careweave.people.models import Person

P = ParamSpec("P")
R = TypeVar("R")


def atomic_action(func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic`` for an action, keeping the audit row of a refused attempt.

    The refusal is recorded inside the action's transaction, which the refusal itself rolls
    back; the row is written again after the rollback so that refused attempts stay visible.
    The action decides on the relationships as they are, never on decisions a page remembered,
    and the page shown after it forgets them (the action may have changed them).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with forgetting_decisions(), transaction.atomic():
                return func(*args, **kwargs)
        except RuleViolation as error:
            event = getattr(error, "denied_audit", None)
            if event is not None and not AuditEvent.objects.filter(fhir_id=event.fhir_id).exists():
                event.pk = None
                event._state.adding = True
                event.save(force_insert=True)
            raise

    return wrapper


def speaks_for_person(actor, person: Person) -> bool:  # noqa: ANN001
    """The person themselves, or their representative/proxy: those who decide."""
    return decide(actor, person).basis in ("self", "proxy")


def membership_of(actor, team: CareTeam) -> TeamMember | None:  # noqa: ANN001
    """The actor's active membership in this team, if any."""
    professional = getattr(actor, "professional", None)
    qs = team.members.filter(status=TeamMember.Status.ACTIVE)
    if professional is not None:
        member = qs.filter(professional=professional).first()
        if member:
            return member
    return qs.filter(related_person__user=actor).first() if actor.is_authenticated else None


def audit_write(actor, action: str, resource_type: str, obj, person: Person, reason: str = "") -> None:  # noqa: ANN001
    record_access(
        actor,
        action,
        resource_type,
        str(getattr(obj, "fhir_id", obj.pk)),
        person=person,
        reason=reason,
        basis=decide(actor, person).basis,
    )
