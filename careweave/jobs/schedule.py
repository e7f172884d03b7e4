"""The scheduler: named jobs with a cron expression (croniter), enqueued once per slot.

Any process may tick (every worker does, every ~30 s): the unique (name, slot) row decides who enqueues.
A slot missed while no worker ran is caught up once (the latest one only), so a nightly job still runs
the morning after a laptop was closed overnight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    name: str
    cron: str  # in the server's time zone (settings.TIME_ZONE)
    task: str  # dotted path of a django-tasks Task
    catch_up: timedelta = timedelta(hours=20)  # an older missed slot is skipped, not run late

    def latest_slot(self, now: datetime) -> datetime:
        local = timezone.localtime(now)
        return croniter(self.cron, local).get_prev(datetime)


# Jobs other apps schedule add themselves here (``register``) from their AppConfig.ready().
SCHEDULE: dict[str, Scheduled] = {}


def register(name: str, cron: str, task: str, catch_up: timedelta = timedelta(hours=20)) -> None:
    SCHEDULE[name] = Scheduled(name, cron, task, catch_up)


def tick(now: datetime | None = None, enqueue: Callable | None = None) -> list[str]:
    """Enqueue every job whose latest slot has not run yet; returns the names enqueued."""
    from careweave.jobs.models import ScheduledRun

    now = now or timezone.now()
    started = []
    for job in SCHEDULE.values():
        slot = job.latest_slot(now)
        if now - slot > job.catch_up:
            continue
        if ScheduledRun.objects.filter(name=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, slot=slot)
                task = import_string(job.task)
                result = (enqueue or task.enqueue)()
                run.task_result_id = str(getattr(result, "id", "") or "")
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker took this slot
        logger.info("scheduled job %s enqueued for %s", job.name, slot)
        started.append(job.name)
    return started
