"""Subscription resources in and out (R4 Backport profiles), and the notification bundles sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.fhir.errors import Unprocessable
from careweave.fhir.mapping.base import instant, parse_instant, reference_id
from careweave.fhir.models import Subscription, SubscriptionEvent
from careweave.fhir.subscriptions.topics import BACKPORT, TOPICS

PROFILE = f"{BACKPORT}/backport-subscription"
STATUS_PROFILE = f"{BACKPORT}/backport-subscription-status-r4"
NOTIFICATION_PROFILE = f"{BACKPORT}/backport-subscription-notification-r4"
FILTER = f"{BACKPORT}/backport-filter-criteria"
HEARTBEAT = f"{BACKPORT}/backport-heartbeat-period"
TIMEOUT = f"{BACKPORT}/backport-timeout"
MAX_COUNT = f"{BACKPORT}/backport-max-count"
PAYLOAD_CONTENT = f"{BACKPORT}/backport-payload-content"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass
class Requested:
    """A Subscription as a client sent it, checked; what ``create_subscription`` needs."""

    topic: str
    endpoint: str
    patient_id: str | None = None
    headers: list[str] = field(default_factory=list)
    payload: str = Subscription.Payload.ID_ONLY
    heartbeat: int | None = None
    timeout: int = 10
    max_count: int = 20
    end: datetime | None = None
    reason: str = ""


def _ext(element: dict | None, url: str) -> Any:
    for ext in (element or {}).get("extension", []) or []:
        if ext.get("url") == url:
            return next((v for k, v in ext.items() if k.startswith("value")), None)
    return None


def _positive(value: Any, what: str, lowest: int, highest: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not lowest <= value <= highest:
        raise Unprocessable(_("%(what)s must be a whole number from %(low)s to %(high)s.")
                            % {"what": what, "low": lowest, "high": highest}, code="value")
    return value


def parse(resource: Any) -> Requested:
    """Check a client's Subscription; every problem is a clear 422 and nothing is stored."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        raise Unprocessable(_("Send a Subscription resource."), code="structure")
    topic = resource.get("criteria") or ""
    if topic not in TOPICS:
        raise Unprocessable(_("Unknown subscription topic %(topic)s; the CapabilityStatement lists the topics "
                              "Careweave offers.") % {"topic": topic or "—"}, code="value",
                            expression=["Subscription.criteria"])
    channel = resource.get("channel") or {}
    if channel.get("type") != "rest-hook":
        raise Unprocessable(_("Careweave sends notifications by rest-hook only (channel.type = rest-hook)."),
                            code="not-supported", expression=["Subscription.channel.type"])
    endpoint = channel.get("endpoint") or ""
    parts = urlsplit(endpoint)
    local = (parts.hostname or "") in LOCAL_HOSTS
    if parts.scheme not in ("http", "https") or not parts.hostname or \
            (parts.scheme == "http" and not local and not settings.FHIR_SUBSCRIPTION_ALLOW_HTTP):
        raise Unprocessable(_("The endpoint must be an https:// address (http:// only on this machine)."),
                            code="value", expression=["Subscription.channel.endpoint"])
    payload_type = channel.get("payload")
    if payload_type not in (None, "application/fhir+json", "application/json"):
        raise Unprocessable(_("Notifications are sent as application/fhir+json."), code="not-supported",
                            expression=["Subscription.channel.payload"])
    content = _ext(channel.get("_payload"), PAYLOAD_CONTENT) or ("id-only" if payload_type else "empty")
    if content not in (Subscription.Payload.ID_ONLY, Subscription.Payload.EMPTY):
        raise Unprocessable(_("Careweave sends id-only or empty notifications, never full resources: "
                              "the subscriber reads each resource with its own access."), code="not-supported",
                            expression=["Subscription.channel.payload"])
    headers = channel.get("header") or []
    if not isinstance(headers, list) or not all(isinstance(h, str) and ":" in h and "\n" not in h
                                                and "\r" not in h for h in headers):
        raise Unprocessable(_("Each channel header is one line \"Name: value\"."), code="value",
                            expression=["Subscription.channel.header"])
    patient_id = _patient_filter(resource, TOPICS[topic].resource_type)
    end = parse_instant(resource.get("end")) if resource.get("end") else None
    if resource.get("end") and end is None:
        raise Unprocessable(_("Subscription.end is not a valid instant."), code="value")
    return Requested(
        topic=topic, endpoint=endpoint, patient_id=patient_id, headers=headers, payload=content,
        heartbeat=_positive(_ext(channel, HEARTBEAT), "heartbeat-period", 10, 86400),
        timeout=_positive(_ext(channel, TIMEOUT), "timeout", 1, 60) or 10,
        max_count=_positive(_ext(channel, MAX_COUNT), "max-count", 1, 100) or 20,
        end=end, reason=str(resource.get("reason") or "")[:200],
    )


def _patient_filter(resource: dict, resource_type: str) -> str | None:
    """``backport-filter-criteria`` ``CarePlan?patient=Patient/123``: the only filter offered."""
    criteria = _ext(resource.get("_criteria"), FILTER)
    if not criteria:
        return None
    rtype, _sep, query = str(criteria).partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if rtype != resource_type or len(pairs) != 1 or pairs[0][0] not in ("patient", "subject") or not pairs[0][1]:
        raise Unprocessable(_("The only filter offered is %(type)s?patient=Patient/[id].")
                            % {"type": resource_type}, code="not-supported", expression=["Subscription.criteria"])
    return reference_id(pairs[0][1])


def to_fhir(sub: Subscription) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "rest-hook", "endpoint": sub.endpoint, "payload": "application/fhir+json",
        "_payload": {"extension": [{"url": PAYLOAD_CONTENT, "valueCode": sub.payload}]},
        "extension": [{"url": TIMEOUT, "valueUnsignedInt": sub.timeout_seconds},
                      {"url": MAX_COUNT, "valuePositiveInt": sub.max_count}],
    }
    if sub.heartbeat_seconds:
        channel["extension"].insert(0, {"url": HEARTBEAT, "valueUnsignedInt": sub.heartbeat_seconds})
    if sub.headers:
        channel["header"] = [f"{h.split(':', 1)[0]}: ***" for h in sub.headers]  # secrets are not echoed
    out: dict[str, Any] = {
        "resourceType": "Subscription", "id": str(sub.fhir_id),
        "meta": {"versionId": str(sub.version), "lastUpdated": instant(sub.updated_at), "profile": [PROFILE]},
        "status": sub.status, "reason": str(sub.reason or TOPICS[sub.topic].title), "criteria": sub.topic,
        "channel": channel,
    }
    if sub.person_id:
        rtype = TOPICS[sub.topic].resource_type
        criteria = f"{rtype}?patient=Patient/{sub.person.fhir_id}"
        out["_criteria"] = {"extension": [{"url": FILTER, "valueString": criteria}]}
    if sub.end:
        out["end"] = instant(sub.end)
    if sub.error:
        out["error"] = sub.error
    return out


def status_parameters(sub: Subscription, kind: str, events: list[SubscriptionEvent] = ()) -> dict[str, Any]:
    """The SubscriptionStatus (R4: Parameters) that opens every notification and answers ``$status``."""
    params: list[dict[str, Any]] = [
        {"name": "subscription", "valueReference": {"reference": f"{sub.base_url}/Subscription/{sub.fhir_id}"}},
        {"name": "topic", "valueCanonical": sub.topic},
        {"name": "status", "valueCode": sub.status},
        {"name": "type", "valueCode": kind},
        {"name": "events-since-subscription-start", "valueString": str(sub.events_since_start)},
    ]
    for event in events:
        part = [{"name": "event-number", "valueString": str(event.number)},
                {"name": "timestamp", "valueInstant": instant(event.occurred_at)}]
        if sub.payload == Subscription.Payload.ID_ONLY:
            part.append({"name": "focus", "valueReference": {
                "reference": f"{sub.base_url}/{event.resource_type}/{event.resource_id}"}})
        params.append({"name": "notification-event", "part": part})
    if sub.error and kind == "query-status":
        params.append({"name": "error", "valueCodeableConcept": {"text": sub.error}})
    return {"resourceType": "Parameters", "id": str(uuid.uuid4()), "meta": {"profile": [STATUS_PROFILE]},
            "parameter": params}


def notification(sub: Subscription, kind: str, events: list[SubscriptionEvent] = ()) -> dict[str, Any]:
    """A notification bundle (type history): the status first, then (id-only) one entry per focus."""
    status = status_parameters(sub, kind, events)
    entries: list[dict[str, Any]] = [{
        "fullUrl": f"urn:uuid:{status['id']}", "resource": status,
        "request": {"method": "GET", "url": f"{sub.base_url}/Subscription/{sub.fhir_id}/$status"},
        "response": {"status": "200"},
    }]
    if sub.payload == Subscription.Payload.ID_ONLY:
        for event in events:
            entries.append({"fullUrl": f"{sub.base_url}/{event.resource_type}/{event.resource_id}",
                            "request": {"method": "PUT", "url": f"{event.resource_type}/{event.resource_id}"},
                            "response": {"status": "200"}})
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"profile": [NOTIFICATION_PROFILE]},
            "type": "history", "timestamp": instant(timezone.now()), "entry": entries}


def status_bundle(subs: list[Subscription]) -> dict[str, Any]:
    """``$status``: a searchset of SubscriptionStatus Parameters."""
    return {"resourceType": "Bundle", "type": "searchset", "total": len(subs),
            "entry": [{"resource": status_parameters(s, "query-status"), "search": {"mode": "match"}}
                      for s in subs]}
