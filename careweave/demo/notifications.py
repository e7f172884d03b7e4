"""Notifications in the demo (decision 0030): each demo login finds a few in their inbox, some read.

Emitted through ``careweave.notifications.emit`` on Maria's file, as the actions would, then dated back over
the last days. The MDO invitations of the demo (``demo/consultations.py``) come through the MDO actions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse

from careweave.careplans.models import JournalEntry, Task
from careweave.notifications import emit
from careweave.notifications.models import Event, Notification
from careweave.people.models import Person


def load_notifications(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Create the demo notifications; returns how many each login has."""
    maria = Person.objects.filter(user__username="person").first()
    if maria is None or not {"gp", "nurse", "carer", "coordinator"} <= set(users):
        return {}
    plan = maria.care_plans.order_by("-created_at").first()
    task = Task.objects.filter(plan=plan).order_by("pk").first()
    entry = JournalEntry.objects.filter(plan=plan).order_by("-pk").first()
    journal = reverse("web:journal", args=[maria.fhir_id])
    script = [
        # (hours ago, kind, actor, recipients, target, url, read)
        (50, "journal_message", "carer", ["gp", "nurse", "coordinator", "person"], entry, journal, True),
        (26, "task_assigned", "gp", ["nurse"], task, "", False),
        (20, "journal_mention", "nurse", ["gp"], entry, journal, False),
        (5, "task_due_tomorrow", None, ["carer"], task, "", False),
        (3, "programme_phase", "coordinator", ["person", "socialworker"], plan, "", False),
    ]
    if "physio" in users:
        script.append((30, "agreement_needed", "gp", ["person"], plan, reverse("web:team", args=[maria.fhir_id]),
                       True))
    events = [(maria, *line) for line in script]
    # Jan's "too much" about his mother, whose home nurse Els coordinates (demo/loader.py).
    mother = Person.objects.filter(given_name="Godelieve", family_name="Peeters").first()
    mother_plan = mother.care_plans.order_by("-created_at").first() if mother is not None else None
    if mother_plan is not None:
        events.append((mother, 8, "carer_checkin", "carer", ["coordinator"], mother_plan,
                       reverse("web:coordination"), False))
    for person, hours, kind, actor, recipients, target, url, read in events:
        event = emit(kind, person=person, target=target, actor=users.get(actor) if actor else None,
                     recipients=[users[r] for r in recipients if r in users], url=url)
        if event is None:
            continue
        at = now - timedelta(hours=hours)
        Event.objects.filter(pk=event.pk).update(created_at=at)
        if read:
            Notification.objects.filter(event=event).update(read_at=at + timedelta(hours=1))
    return {name: Notification.objects.filter(recipient=user).count() for name, user in users.items()
            if Notification.objects.filter(recipient=user).exists()}
