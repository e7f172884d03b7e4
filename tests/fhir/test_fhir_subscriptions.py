"""FHIR Subscriptions (R4 Backport, topic-based, rest-hook): a real HTTP receiver hears what it may read.

Each test starts a small HTTP server on this machine, subscribes through the API as a user with a token and
checks what arrives: the handshake, id-only notifications of changes, heartbeats, retries after a failure,
``$status``, and that nothing arrives for a change the subscriber may not read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from careweave.careplans.actions import add_goal
from careweave.fhir.models import Subscription, SubscriptionEvent
from careweave.fhir.subscriptions import delivery
from careweave.fhir.subscriptions.topics import TOPIC_BASE

GOALS = f"{TOPIC_BASE}/goal-changed"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


class Receiver:
    """An HTTP endpoint that keeps every notification; ``fail`` makes the next N answers a 500."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.fail > 0:
                    receiver.fail -= 1
                    self.send_response(500)
                else:
                    receiver.received.append({"headers": dict(self.headers), "body": body})
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kinds(self) -> list[str]:
        return [status(n["body"])["type"] for n in self.received]


def status(bundle: dict) -> dict[str, Any]:
    """The SubscriptionStatus parameters of a notification bundle, as a dict (notification-event: a list)."""
    params = bundle["entry"][0]["resource"]["parameter"]
    out: dict[str, Any] = {"events": []}
    for p in params:
        if p["name"] == "notification-event":
            out["events"].append({q["name"]: next(v for k, v in q.items() if k.startswith("value"))
                                  for q in p["part"]})
        else:
            out[p["name"]] = next(v for k, v in p.items() if k.startswith("value"))
    return out


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def subscription(endpoint: str, topic: str = GOALS, patient: str | None = None, **channel: Any) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Subscription", "status": "requested", "reason": "Our EHR follows Maria's goals",
        "criteria": topic,
        "channel": {"type": "rest-hook", "endpoint": endpoint, "payload": "application/fhir+json",
                    "_payload": {"extension": [{"url": f"{BACKPORT}/backport-payload-content",
                                                "valueCode": "id-only"}]},
                    "header": ["Authorization: Bearer their-secret"], **channel},
    }
    if patient:
        resource["_criteria"] = {"extension": [{"url": f"{BACKPORT}/backport-filter-criteria",
                                                "valueString": f"Goal?patient=Patient/{patient}"}]}
    return resource


def test_the_handshake_activates_and_a_change_arrives_id_only(api, plan, person, gp, receiver, validate_r4b) -> None:
    answer = api.post("/Subscription", subscription(receiver.url, patient=str(person.fhir_id)))
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert receiver.kinds() == ["handshake"]
    assert receiver.received[0]["headers"]["Authorization"] == "Bearer their-secret"
    assert api.get(f"/Subscription/{created['id']}").json()["status"] == "active"
    validate_r4b(api.get(f"/Subscription/{created['id']}").json())

    goal = add_goal(gp.user, plan, "Go to the day centre on Tuesdays", domain="social")

    assert receiver.kinds() == ["handshake", "event-notification"]
    bundle = receiver.received[1]["body"]
    validate_r4b(bundle)
    event = status(bundle)
    assert event["topic"] == GOALS
    assert event["events-since-subscription-start"] == "1"
    assert event["events"][0]["focus"]["reference"].endswith(f"/Goal/{goal.fhir_id}")
    assert [e["fullUrl"].rsplit("/", 2)[-2:] for e in bundle["entry"][1:]] == [["Goal", str(goal.fhir_id)]]
    assert all("resource" not in e for e in bundle["entry"][1:])  # id-only: no content travels
    assert "Go to the day centre" not in json.dumps(bundle)


def test_nothing_arrives_that_the_subscriber_may_not_read(make_api, plan, gp, welfare_member, stranger, person,
                                                          receiver) -> None:
    social = make_api(welfare_member.user)
    assert social.post("/Subscription", subscription(receiver.url)).status_code == 201  # every file they may read

    add_goal(gp.user, plan, "Lower the blood pressure", is_medical=True)  # medical: not for the social worker
    assert receiver.kinds() == ["handshake"]
    add_goal(gp.user, plan, "Find a volunteer for shopping", domain="social")
    assert receiver.kinds() == ["handshake", "event-notification"]
    assert status(receiver.received[1]["body"])["events-since-subscription-start"] == "1"

    refused = make_api(stranger.user).post("/Subscription", subscription(receiver.url, patient=str(person.fhir_id)))
    assert refused.status_code == 403
    assert Subscription.objects.filter(owner=stranger.user).count() == 0


def test_access_is_checked_again_at_delivery(api, make_api, plan, gp, welfare_member, person, receiver) -> None:
    social = make_api(welfare_member.user)
    social.post("/Subscription", subscription(receiver.url))
    sub = Subscription.objects.get(owner=welfare_member.user)
    goal = add_goal(gp.user, plan, "Walk with a neighbour", domain="social")
    SubscriptionEvent.objects.filter(subscription=sub).update(delivered_at=None)  # as if not yet sent
    goal.is_medical = True  # relabelled medical before the worker came round
    goal.save(update_fields=["is_medical"])
    receiver.received.clear()
    delivery.deliver.call(sub.pk)
    assert receiver.received == []
    assert SubscriptionEvent.objects.filter(subscription=sub, withheld=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_retried_later_and_nothing_is_lost(settings, api, plan, gp, person, receiver) -> None:
    from django_tasks_db.models import DBTaskResult

    from careweave.jobs.worker import run_worker

    settings.TASKS = DATABASE_QUEUE
    api.post("/Subscription", subscription(receiver.url, patient=str(person.fhir_id)))
    run_worker(batch=True, scheduler=False, interval=0)
    assert receiver.kinds() == ["handshake"]

    receiver.fail = 1
    add_goal(gp.user, plan, "Sleep through the night", domain="daily_living")
    run_worker(batch=True, scheduler=False, interval=0)
    sub = Subscription.objects.get()
    assert (sub.failures, sub.error, sub.status) == (1, "HTTP 500", "active")
    assert receiver.kinds() == ["handshake"]
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after > timezone.now() + timedelta(seconds=20)  # backs off

    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())  # time passes
    run_worker(batch=True, scheduler=False, interval=0)
    assert receiver.kinds() == ["handshake", "event-notification"]
    sub.refresh_from_db()
    assert (sub.failures, sub.error) == (0, "")


def test_status_heartbeat_and_stopping(api, make_api, plan, gp, person, stranger, receiver) -> None:
    created = api.post("/Subscription", subscription(receiver.url, patient=str(person.fhir_id), extension=[
        {"url": f"{BACKPORT}/backport-heartbeat-period", "valueUnsignedInt": 30}])).json()
    add_goal(gp.user, plan, "Cook once a week", domain="daily_living")

    state = status(api.get(f"/Subscription/{created['id']}/$status").json())
    assert (state["type"], state["status"], state["events-since-subscription-start"]) == ("query-status", "active", "1")

    Subscription.objects.update(last_sent_at=timezone.now() - timedelta(seconds=45))
    assert delivery.send_heartbeats.call() == 1
    assert receiver.kinds()[-1] == "heartbeat"
    assert delivery.send_heartbeats.call() == 0  # not again within the period

    assert make_api(stranger.user).get(f"/Subscription/{created['id']}").status_code == 404
    assert api.client.delete(f"/fhir/R4/Subscription/{created['id']}", **api.headers).status_code == 204
    add_goal(gp.user, plan, "Visit the library", domain="social")
    assert receiver.kinds().count("event-notification") == 1
    assert api.get(f"/Subscription/{created['id']}").json()["status"] == "off"


@pytest.mark.parametrize(("change", "words"), [
    ({"criteria": "Observation?code=1234"}, "Unknown subscription topic"),
    ({"channel": {"type": "websocket"}}, "rest-hook"),
    ({"channel": {"type": "rest-hook", "endpoint": "http://ehr.example.org/hook"}}, "https://"),
    ({"channel": {"type": "rest-hook", "endpoint": "https://ehr.example.org/hook", "payload": "application/fhir+json",
                  "_payload": {"extension": [{"url": f"{BACKPORT}/backport-payload-content",
                                              "valueCode": "full-resource"}]}}}, "id-only"),
])
def test_a_subscription_careweave_cannot_honour_is_refused_clearly(api, receiver, change, words) -> None:
    answer = api.post("/Subscription", {**subscription(receiver.url), **change})
    assert answer.status_code == 422
    assert words in answer.json()["issue"][0]["diagnostics"]
    assert not Subscription.objects.exists()


def test_the_capability_statement_lists_the_topics(api) -> None:
    subscription_entry = next(r for r in api.get("/metadata").json()["rest"][0]["resource"]
                              if r["type"] == "Subscription")
    topics = {e["valueCanonical"] for e in subscription_entry["extension"]}
    assert {f"{TOPIC_BASE}/{t}-changed" for t in ("careplan", "goal", "task", "communication", "appointment",
                                                  "documentreference")} == topics
