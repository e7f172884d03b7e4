"""Notifications, an inbox, e-mail and web push (issue 21, decision 0030).

Other apps call :func:`emit` from their actions::

    from careweave import notifications
    notifications.emit("task_assigned", person=plan.person, target=task, actor=actor, recipients=[user])
"""

from __future__ import annotations

from typing import Any


def emit(kind: str, *, person: Any, target: Any = None, actor: Any = None, recipients: Any = None,
         **context: Any) -> Any:
    """See :func:`careweave.notifications.events.emit` (imported late: this package loads before its models)."""
    from careweave.notifications.events import emit as _emit

    return _emit(kind, person=person, target=target, actor=actor, recipients=recipients, **context)


__all__ = ["emit"]
