"""The background worker runs what actions enqueue, and the scheduler enqueues each slot once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks import TaskResultStatus, task

from careweave.jobs import schedule
from careweave.jobs.models import ScheduledRun
from careweave.jobs.retry import backoff
from careweave.jobs.worker import run_worker

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
BRUSSELS = ZoneInfo("Europe/Brussels")


@task()
def add(a: int, b: int) -> int:
    return a + b


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job_and_keeps_its_result(settings) -> None:
    settings.TASKS = DATABASE_QUEUE
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY  # queued, nothing ran yet

    run_worker(batch=True, scheduler=False, interval=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_job(settings) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    with pytest.raises(RuntimeError), transaction.atomic():
        add.enqueue(1, 1)
        raise RuntimeError("the action failed")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_and_a_missed_night_is_caught_up(settings, monkeypatch) -> None:
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(schedule, "SCHEDULE", {})
    schedule.register("sum", "15 2 * * *", "tests.jobs.test_worker.add_nothing")
    morning = datetime(2026, 12, 7, 8, 0, tzinfo=BRUSSELS)

    assert schedule.tick(morning, enqueue=lambda: None) == ["sum"]  # last night's 02:15 was missed: run now
    assert schedule.tick(morning, enqueue=lambda: None) == []  # a second worker's tick: nothing
    assert ScheduledRun.objects.get().slot == datetime(2026, 12, 7, 2, 15, tzinfo=BRUSSELS)
    assert schedule.tick(datetime(2026, 12, 8, 3, 0, tzinfo=BRUSSELS), enqueue=lambda: None) == ["sum"]


def test_the_programme_phases_are_recomputed_every_night() -> None:
    job = schedule.SCHEDULE["programme-phases"]
    assert job.latest_slot(datetime(2026, 12, 7, 12, 0, tzinfo=BRUSSELS)).hour == 2


def test_retries_back_off() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30).total_seconds() == 6 * 3600


@task()
def add_nothing() -> None:
    return None


@task(queue_name="long")
def slow_export() -> str:
    return "exported"


@pytest.mark.django_db(transaction=True)
def test_a_long_job_never_holds_up_a_notification(settings) -> None:
    """serve/demo run one worker for the long queue and one for the rest: each takes only its own jobs."""
    settings.TASKS = DATABASE_QUEUE
    export = slow_export.enqueue()
    notification = add.enqueue(1, 2)

    run_worker(batch=True, scheduler=False, interval=0, exclude=["long"])  # the quick worker
    notification.refresh()
    export.refresh()
    assert notification.status == TaskResultStatus.SUCCESSFUL
    assert export.status == TaskResultStatus.READY

    run_worker(batch=True, scheduler=False, interval=0, queues=["long"])  # the long one
    export.refresh()
    assert export.return_value == "exported"
