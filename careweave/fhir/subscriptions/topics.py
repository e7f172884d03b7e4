"""The subscription topics Careweave offers: one per resource type of a person's shared plan."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
TOPIC_BASE = "https://careweave.be/fhir/SubscriptionTopic"


@dataclass(frozen=True)
class Topic:
    url: str
    resource_type: str
    title: Promise


TOPICS: dict[str, Topic] = {
    t.url: t
    for t in (
        Topic(f"{TOPIC_BASE}/careplan-changed", "CarePlan", _("A person's care plan was created or changed")),
        Topic(f"{TOPIC_BASE}/goal-changed", "Goal", _("A goal of a person's plan was created or changed")),
        Topic(f"{TOPIC_BASE}/task-changed", "Task", _("A task of a person's plan was created or changed")),
        Topic(f"{TOPIC_BASE}/communication-changed", "Communication",
              _("A message was written in a person's journal")),
        Topic(f"{TOPIC_BASE}/appointment-changed", "Appointment",
              _("An appointment or MDO of a person was planned or changed")),
        Topic(f"{TOPIC_BASE}/documentreference-changed", "DocumentReference",
              _("A document was added to a person's file or replaced")),
    )
}
BY_TYPE: dict[str, list[Topic]] = {}
for _topic in TOPICS.values():
    BY_TYPE.setdefault(_topic.resource_type, []).append(_topic)
