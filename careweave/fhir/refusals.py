"""Refused attempts stay in the audit trail even when the write they belonged to is rolled back.

A refusal is audited where it happens, often inside the transaction of the write (a bundle, an
update); the refusal then rolls that transaction back, audit row included. The API runs each
request inside :func:`keep_refusals`, which writes such rows again once the transactions are gone
(the domain actions do the same for themselves with ``atomic_action``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from careweave.access.models import AuditEvent

_collected: ContextVar[list[AuditEvent] | None] = ContextVar("careweave_fhir_refusals", default=None)


def on_audit_saved(sender: type[AuditEvent], instance: AuditEvent, created: bool = False, **kwargs: Any) -> None:
    collected = _collected.get()
    if collected is not None and created and instance.outcome == AuditEvent.Outcome.DENIED:
        collected.append(instance)


@contextmanager
def keep_refusals() -> Iterator[None]:
    collected: list[AuditEvent] = []
    token = _collected.set(collected)
    try:
        yield
    finally:
        _collected.reset(token)
        for event in collected:
            if event.fhir_id and not AuditEvent.objects.filter(fhir_id=event.fhir_id).exists():
                event.pk = None
                event._state.adding = True
                event.save(force_insert=True)
