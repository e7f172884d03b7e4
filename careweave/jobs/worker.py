"""``careweave worker``: the database backend's worker loop plus the scheduler's tick on a thread."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


def _schedule_loop(stop: threading.Event, every: float) -> None:
    from careweave.jobs.schedule import tick

    while not stop.is_set():
        try:
            close_old_connections()
            tick()
        except Exception:  # a failed tick must not stop the worker; the next one retries
            logger.exception("scheduler tick failed")
        finally:
            connection.close()
        stop.wait(every)


def run_worker(interval: float = 1.0, schedule_every: float = 30.0, batch: bool = False,
               scheduler: bool = True, queues: list[str] | None = None, exclude: list[str] | None = None) -> None:
    """Run queued tasks until interrupted (``batch``: until the queue is empty); ``queues`` (default all)
    and ``exclude`` choose which queues this process serves."""
    from django_tasks_db.management.commands.db_worker import Worker

    stop = threading.Event()
    if scheduler:
        from careweave.jobs.schedule import tick

        tick()  # before the first poll: a night missed while no worker ran is queued at once
        threading.Thread(target=_schedule_loop, args=(stop, schedule_every), daemon=True,
                         name="careweave-scheduler").start()
    worker = Worker(queue_names=queues or ["*"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=f"careweave-{time.time_ns()}",
                    excluded_queue_names=exclude or [])
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
