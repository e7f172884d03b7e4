"""Background jobs (decision 0024): sending e-mail and push, the daily digest, the daily reminders.

Every message is a ``Delivery`` row written with the event; a job only changes its status. A failure
keeps the row (attempts, last error) and enqueues a retry with back-off (``careweave.jobs.retry``);
after the last attempt the row is *failed*, listed for the administrator with a button to send it again.
Nothing is dropped.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import InvalidTaskError

from careweave.jobs.retry import retry_later
from careweave.notifications.events import build, fan_out
from careweave.notifications.inbox import visible
from careweave.notifications.kinds import DAILY
from careweave.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # 30 s, 1, 2, 4, 8 min: about a quarter of an hour before an administrator is asked


@task()
def deliver(event_ids: list[int]) -> int:
    """Send the e-mails and push messages queued with these events; returns how many went out."""
    pending = Delivery.objects.filter(notification__event_id__in=event_ids, status=Delivery.Status.QUEUED,
                                      attempts=0).values_list("pk", flat=True)
    return sum(1 for pk in list(pending) if send(pk, attempt=1) == Delivery.Status.SENT)


@task()
def send_delivery(delivery_id: int, attempt: int = 1) -> str:
    return send(delivery_id, attempt=attempt)


def _send_now(delivery: Delivery) -> str:
    """Send one delivery; returns SENT or SKIPPED, raises on a passing failure."""
    from careweave.notifications import mail, push

    user = delivery.recipient
    if delivery.channel == Delivery.Channel.DIGEST:
        pending = list(_digest_pending(delivery))
        shown = visible(user, pending)
        address = mail.address_of(user)
        if shown and address:
            mail.digest_message(user, shown, address).send()
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digested_at=timezone.now())
        return Delivery.Status.SENT if shown and address else Delivery.Status.SKIPPED
    notification = delivery.notification
    if not visible(user, [notification]):
        return Delivery.Status.SKIPPED  # the reader lost access meanwhile: tell nothing
    if delivery.channel == Delivery.Channel.PUSH:
        return Delivery.Status.SENT if push.send(notification, mail.language_of(user)) else Delivery.Status.SKIPPED
    address = mail.address_of(user)
    if not address:
        return Delivery.Status.SKIPPED
    mail.notification_message(notification, address).send()
    return Delivery.Status.SENT


def send(delivery_id: int, attempt: int = 1) -> str:
    delivery = (Delivery.objects.select_related("recipient", "notification__event__person", "notification__recipient")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.status != Delivery.Status.QUEUED:
        return "gone"
    try:
        outcome = _send_now(delivery)
    except Exception as error:  # noqa: BLE001 - any failure of the mail server or push service is retried
        delivery.attempts = attempt
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        try:
            again = retry_later(send_delivery, delivery.pk, attempt=attempt, max_attempts=MAX_ATTEMPTS)
        except InvalidTaskError:  # a backend without deferred runs (the tests' immediate one)
            again = False
        if not again:
            delivery.status = Delivery.Status.FAILED
            logger.warning("notification delivery %s failed after %s attempts: %s", delivery.pk, attempt, error)
        delivery.save(update_fields=["attempts", "last_error", "status", "updated_at"])
        return delivery.status
    delivery.status, delivery.attempts, delivery.sent_at = outcome, attempt, timezone.now()
    delivery.save(update_fields=["status", "attempts", "sent_at", "updated_at"])
    return outcome


# --------------------------------------------------------------------------- the daily digest


def _digest_pending(delivery: Delivery):  # noqa: ANN202
    return (Notification.objects.filter(recipient_id=delivery.recipient_id, email=DAILY, digested_at=None,
                                        event__created_at__lte=delivery.created_at)
            .select_related("event__person"))


def queue_digests(now=None) -> list[int]:  # noqa: ANN001
    """One digest delivery per reader with notifications waiting for it (one query to find them)."""
    now = now or timezone.now()
    readers = (Notification.objects.filter(email=DAILY, digested_at=None).values_list("recipient_id", flat=True)
               .distinct())
    waiting = set(Delivery.objects.filter(channel=Delivery.Channel.DIGEST, status=Delivery.Status.QUEUED)
                  .values_list("recipient_id", flat=True))
    created = Delivery.objects.bulk_create(
        [Delivery(recipient_id=uid, channel=Delivery.Channel.DIGEST, created_at=now)
         for uid in sorted(set(readers) - waiting)], batch_size=2000)
    return [d.pk for d in created]


@task()
def send_digests() -> int:
    """The daily digest (scheduled at 07:00): queue one per reader, then send them (each with its retries)."""
    with transaction.atomic():
        ids = queue_digests()
    return sum(1 for pk in ids if send(pk, attempt=1) == Delivery.Status.SENT)


# --------------------------------------------------------------------------- reminders no action triggers


def reminder_events(today=None) -> list:  # noqa: ANN001
    """Tasks due tomorrow or overdue since yesterday, MDOs tomorrow, re-assessments due in a week."""
    from careweave.careplans.models import Task
    from careweave.consultations.models import Consultation
    from careweave.programmes.models import EnrolmentItem

    today = today or timezone.localdate()
    pending = []
    tasks = (Task.objects.filter(status__in=Task.OPEN_STATUSES, due_date__in=[today + timedelta(days=1),
                                                                             today - timedelta(days=1)])
             .select_related("plan__person", "assignee__professional", "assignee__related_person"))
    for t in tasks:
        user_id = t.plan.person.user_id if t.assigned_to_person else (t.assignee.user.pk if t.assignee and
                                                                       t.assignee.user else None)
        code = "task_due_tomorrow" if t.due_date > today else "task_overdue"
        pending.append(build(code, person=t.plan.person, target=t, recipients=[user_id] if user_id else []))
    start = timezone.make_aware(timezone.datetime.combine(today + timedelta(days=1), timezone.datetime.min.time()))
    mdos = (Consultation.objects.filter(status=Consultation.Status.SCHEDULED, start__gte=start,
                                        start__lt=start + timedelta(days=1))
            .select_related("person").prefetch_related("participants__member__professional",
                                                       "participants__member__related_person"))
    for c in mdos:
        users = [p.member.user if p.member_id else c.person.user for p in c.participants.all()
                 if p.response != "declined"]
        pending.append(build("mdo_reminder", person=c.person, target=c, recipients=[u for u in users if u],
                             url=_mdo_url(c)))
    items = (EnrolmentItem.objects.filter(kind="reassessment", task__status__in=Task.OPEN_STATUSES,
                                          task__due_date=today + timedelta(days=7))
             .select_related("task__plan__person", "task__assignee__professional", "task__assignee__related_person"))
    for item in items:
        t = item.task
        user_id = t.plan.person.user_id if t.assigned_to_person else (t.assignee.user.pk if t.assignee and
                                                                       t.assignee.user else None)
        pending.append(build("assessment_due", person=t.plan.person, target=t, recipients=[user_id] if user_id else []))
    return [p for p in pending if p is not None]


def _mdo_url(consultation) -> str:  # noqa: ANN001
    from django.urls import reverse

    return reverse("consultations:detail", args=[consultation.fhir_id])


@task()
def send_reminders() -> int:
    """Daily at 06:00: emit the reminders; their e-mails go out at once or in the 07:00 digest."""
    with transaction.atomic():
        return len(fan_out(reminder_events()))


__all__ = ["deliver", "queue_digests", "send_delivery", "send_digests", "send_reminders"]
