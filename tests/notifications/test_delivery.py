"""E-mail in the reader's language without health detail, retries, failures the administrator sees, the daily
digest, and web push against a local push service (decision 0030)."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from careweave.careplans import actions as plan_actions
from careweave.notifications import actions
from careweave.notifications.kinds import KINDS
from careweave.notifications.models import Delivery, EmailChoice, Notification, PushSubscription
from careweave.notifications.tasks import MAX_ATTEMPTS, send, send_digests
from careweave.web.models import UserPreference

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _address(cast) -> None:  # noqa: ANN001
    for user in (cast.nurse.user, cast.gp.user, cast.social.user, cast.jan.user, cast.maria.user):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


# --------------------------------------------------------------------------- e-mail content


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_mail_is_in_the_readers_language_and_carries_no_health_detail(cast, language):  # noqa: ANN001
    _address(cast)
    UserPreference.objects.create(user=cast.nurse.user, language=language)
    mail.outbox.clear()
    plan_actions.assign_task(cast.gp.user, cast.plan, "Insuline bijsturen na hypo", goal=cast.medical_goal,
                             assignee=cast.member(cast.nurse), is_medical=True)
    [message] = mail.outbox
    assert message.to == ["nurse@example.org"] and message.extra_headers["Content-Language"] == language
    with translation.override(language):
        assert str(KINDS["task_assigned"].sentence) in message.body
    notification = Notification.objects.filter(recipient=cast.nurse.user).latest("pk")
    assert f"/notifications/{notification.pk}/open/" in message.body
    text = (message.subject + message.body).lower()
    for detail in ("insuline", "hypo", "hba1c", "maria", "peeters", "diabet"):
        assert detail not in text, f"{detail!r} leaked into the e-mail"
    assert Delivery.objects.get(notification=notification, channel="email").status == "sent"


@pytest.mark.django_db
def test_never_and_daily_send_no_mail_at_once(cast):  # noqa: ANN001
    _address(cast)
    actions.set_email_choices(cast.nurse.user, cast.nurse.user, {"task_assigned": "never"})
    mail.outbox.clear()
    plan_actions.assign_task(cast.gp.user, cast.plan, "Iets", assignee=cast.member(cast.nurse))
    assert mail.outbox == [] and Notification.objects.filter(recipient=cast.nurse.user, email="never").exists()


@pytest.mark.django_db
def test_no_mail_about_what_the_reader_may_no_longer_see(cast):  # noqa: ANN001
    """Queued while allowed, sent after the nurse left the team: skipped, nothing said."""
    from careweave.notifications.tasks import deliver

    _address(cast)
    from careweave import notifications

    plan_actions.remove_team_member(cast.nurse.user, cast.member(cast.nurse))
    # As if queued before she left (she is no longer assignable now).

    queued = notifications.emit("task_assigned", person=cast.maria, target=cast.task_for_nurse, actor=cast.gp.user,
                                recipients=[cast.nurse.user])
    mail.outbox.clear()
    deliver.call([queued.pk])
    assert mail.outbox == []
    assert Delivery.objects.get(notification__event=queued, channel="email").status == "skipped"


# --------------------------------------------------------------------------- a failing mail server


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_loses_nothing_retries_and_shows_the_administrator(cast, settings, client):  # noqa: ANN001
    from django.contrib.auth.models import User
    from django_tasks_db.models import DBTaskResult

    from careweave.jobs.worker import run_worker

    _address(cast)
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", _free_port(), False
    settings.EMAIL_TIMEOUT = 2
    plan_actions.assign_task(cast.gp.user, cast.plan, "Wondzorg", assignee=cast.member(cast.nurse))
    run_worker(batch=True, scheduler=False, interval=0)

    delivery = Delivery.objects.get(recipient=cast.nurse.user, channel="email", status="queued")
    assert delivery.status == "queued" and "refused" in delivery.last_error.lower()
    retry = DBTaskResult.objects.filter(task_path__endswith="send_delivery").get()
    assert retry.run_after is not None and retry.args_kwargs["kwargs"]["attempt"] == 2

    assert send(delivery.pk, attempt=MAX_ATTEMPTS) == "failed"  # the last attempt fails too
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS

    admin = User.objects.get(username="admin")
    client.force_login(admin)
    page = client.get(reverse("notifications:deliveries")).content.decode()
    assert f'data-test="delivery-{delivery.pk}"' in page and "Sofie Van Damme" in page
    home = client.get(reverse("web:admin_home")).content.decode()
    assert 'data-test="failed-deliveries"' in home  # the admin reads Dutch: the count in words, in Dutch
    assert "1 e-mail of pushbericht kon niet worden afgeleverd." in home
    client.force_login(cast.nurse.user)
    assert client.get(reverse("notifications:deliveries")).status_code == 404

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    client.force_login(admin)
    client.post(reverse("notifications:retry", args=[delivery.pk]))
    run_worker(batch=True, scheduler=False, interval=0)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and [m.to for m in mail.outbox] == [["nurse@example.org"]]


# --------------------------------------------------------------------------- the daily digest


@pytest.mark.django_db
def test_the_daily_digest_counts_what_happened_once(cast):  # noqa: ANN001
    _address(cast)
    UserPreference.objects.create(user=cast.nurse.user, language="fr")
    EmailChoice.objects.create(user=cast.nurse.user, kind="task_assigned", choice="daily")
    mail.outbox.clear()
    plan_actions.write_in_journal(cast.jan.user, cast.plan, "Mama heeft slecht geslapen")
    plan_actions.write_in_journal(cast.gp.user, cast.plan, "Bloeddruk 160/95, medicatie aangepast", is_medical=True)
    plan_actions.assign_task(cast.gp.user, cast.plan, "Bloeddruk meten", assignee=cast.member(cast.nurse))
    assert [m.to for m in mail.outbox if m.to == ["nurse@example.org"]] == [], "daily: nothing at once"

    assert send_digests.call() >= 1
    [digest] = [m for m in mail.outbox if m.to == ["nurse@example.org"]]
    assert digest.extra_headers["Content-Language"] == "fr"
    with translation.override("fr"):
        assert f"{KINDS['journal_message'].sentence} (3)" in digest.body  # the cast's message and today's two
        assert f"{KINDS['task_assigned'].sentence} (1)" in digest.body
    for detail in ("slecht", "bloeddruk", "160", "medicatie", "maria"):
        assert detail not in digest.body.lower()
    mail.outbox.clear()
    send_digests.call()
    assert [m for m in mail.outbox if m.to == ["nurse@example.org"]] == [], "each notification is digested once"


@pytest.mark.django_db
def test_the_digest_leaves_out_what_the_reader_may_not_see(cast):  # noqa: ANN001
    """The social worker (plan level) is not told of a medical journal message, not even as a count."""
    _address(cast)
    mail.outbox.clear()
    plan_actions.write_in_journal(cast.gp.user, cast.plan, "Medisch", is_medical=True)
    send_digests.call()
    [digest] = [m for m in mail.outbox if m.to == ["socialworker@example.org"]]
    from django.utils import translation

    with translation.override(digest.extra_headers.get("Content-Language", "en")):  # the reader's language
        expected = f"{KINDS['journal_message'].sentence} (1)"
    assert expected in digest.body  # the cast's plain message only


# --------------------------------------------------------------------------- web push


class PushService(BaseHTTPRequestHandler):
    """A local stand-in for a browser vendor's push service: records each request, answers as told."""

    answers: dict[str, int] = {}
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                              "body": body})
        self.send_response(self.answers.get(self.path, 201))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def push_service():  # noqa: ANN201
    server = HTTPServer(("127.0.0.1", 0), PushService)
    PushService.received, PushService.answers = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", PushService
    server.shutdown()


def _browser_keys() -> tuple[str, str]:
    """A browser's subscription keys: a P-256 public key and 16 random bytes (base64url)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    encode = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return encode(public), encode(os.urandom(16))


@pytest.fixture
def vapid(settings, tmp_path):  # noqa: ANN001, ANN201
    out = tmp_path / "vapid.pem"
    call_command("vapid_keys", out=str(out))
    settings.CAREWEAVE_VAPID_PRIVATE_KEY = str(out)
    settings.CAREWEAVE_VAPID_SUBJECT = "mailto:admin@example.org"
    return out


@pytest.mark.django_db
def test_push_reaches_each_device_signed_with_vapid_and_gone_devices_are_removed(cast, push_service, vapid):  # noqa: ANN001
    base, service = push_service
    p256dh, auth = _browser_keys()
    phone = PushSubscription.objects.create(user=cast.nurse.user, endpoint=f"{base}/phone", p256dh=p256dh, auth=auth)
    PushSubscription.objects.create(user=cast.nurse.user, endpoint=f"{base}/old-laptop", p256dh=p256dh, auth=auth)
    service.answers["/old-laptop"] = 410
    plan_actions.assign_task(cast.gp.user, cast.plan, "Wondzorg", assignee=cast.member(cast.nurse))

    assert sorted(r["path"] for r in service.received) == ["/old-laptop", "/phone"]
    sent = next(r for r in service.received if r["path"] == "/phone")
    assert sent["headers"]["content-encoding"] == "aes128gcm" and sent["headers"]["authorization"].startswith("vapid")
    assert b"Wondzorg" not in sent["body"], "the payload is encrypted (and carries only the general sentence)"
    assert list(PushSubscription.objects.filter(user=cast.nurse.user)) == [phone], "410: the device is removed"
    assert Delivery.objects.get(channel="push", recipient=cast.nurse.user).status == "sent"


@pytest.mark.django_db
def test_a_push_service_error_is_retried_not_dropped(cast, push_service, vapid):  # noqa: ANN001
    base, service = push_service
    p256dh, auth = _browser_keys()
    PushSubscription.objects.create(user=cast.nurse.user, endpoint=f"{base}/phone", p256dh=p256dh, auth=auth)
    service.answers["/phone"] = 500
    plan_actions.assign_task(cast.gp.user, cast.plan, "Wondzorg", assignee=cast.member(cast.nurse))
    delivery = Delivery.objects.get(channel="push", recipient=cast.nurse.user)
    assert delivery.status == "failed" and "500" in delivery.last_error  # the inline test queue cannot defer
    assert PushSubscription.objects.filter(user=cast.nurse.user).count() == 1


def test_the_push_payload_is_the_general_sentence_in_the_readers_language() -> None:
    from types import SimpleNamespace

    from careweave.notifications.push import payload

    n = SimpleNamespace(pk=7, event=SimpleNamespace(kind="task_assigned"))
    data = json.loads(payload(n, "fr"))
    with translation.override("fr"):
        assert data == {"title": "Careweave", "body": str(KINDS["task_assigned"].sentence),
                        "url": "/notifications/7/open/", "tag": "careweave-7"}


@pytest.mark.django_db
def test_subscribing_a_device_through_the_page(cast, client_for, settings):  # noqa: ANN001
    settings.CAREWEAVE_VAPID_PUBLIC_KEY = "BPublicKey"
    nurse = client_for("nurse")
    assert 'data-key="BPublicKey"' in nurse.get(reverse("notifications:settings")).content.decode()
    p256dh, auth = _browser_keys()
    body = {"endpoint": "https://push.example.org/send/abc", "keys": {"p256dh": p256dh, "auth": auth}}
    response = nurse.post(reverse("notifications:push_subscribe"), json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert PushSubscription.objects.get().user == cast.nurse.user
    bad = nurse.post(reverse("notifications:push_subscribe"), json.dumps({"endpoint": "ftp://x"}),
                     content_type="application/json")
    assert bad.status_code == 400 and PushSubscription.objects.count() == 1
    other = client_for("gp")
    other.post(reverse("notifications:push_remove", args=[PushSubscription.objects.get().pk]))
    assert PushSubscription.objects.count() == 1, "someone else's device stays"
    nurse.post(reverse("notifications:push_remove", args=[PushSubscription.objects.get().pk]))
    assert PushSubscription.objects.count() == 0
