"""What a reader sees of their notifications: only what the permission table lets them see now.

The table's row ``notifications.open_notification`` is asked for every notification at read time (the
level on the person's file it needs, and being its recipient): a notification about a task on a file the
reader lost access to is simply not shown, nor counted, nor mailed. Decisions for all the persons of a
page are taken together (``decide_many``), so the queries do not grow with the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from careweave.access.decisions import decide_many, remembering_decisions
from careweave.access.permissions import check
from careweave.notifications.models import Notification

ROW = "notifications.open_notification"
# The menu counts up to this many unread notifications ("99+" beyond); older unread ones stay in the inbox.
COUNT_WINDOW = 500


def visible(reader: Any, notifications: Iterable[Notification]) -> list[Notification]:
    """The notifications ``reader`` may see at this moment (asked of the permission table, not audited)."""
    notifications = list(notifications)
    with remembering_decisions():
        decide_many(reader, {n.event.person for n in notifications if n.event.person_id})
        return [n for n in notifications if check(reader, ROW, n)[0]]


def unread_count(reader: Any) -> int:
    unread = (Notification.objects.filter(recipient=reader, read_at=None)
              .select_related("event__person").order_by("-pk")[:COUNT_WINDOW])
    return len(visible(reader, unread))


@dataclass
class Group:
    person: Any
    items: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if n.read_at is None)


def inbox(reader: Any, limit: int = 200) -> list[Group]:
    """The reader's latest notifications, grouped per person (the group with the newest one first)."""
    latest = (Notification.objects.filter(recipient=reader)
              .select_related("event__person", "event__actor").order_by("-event__created_at", "-pk")[:limit])
    groups: dict[Any, Group] = {}
    for n in visible(reader, latest):
        groups.setdefault(n.event.person_id, Group(n.event.person)).items.append(n)
    return list(groups.values())
