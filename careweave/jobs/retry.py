"""Retries with exponential back-off for tasks that talk to the outside (mail, web push, rest-hooks).

django-tasks runs a task once; a task that failed for a passing reason enqueues itself again with
``run_after`` later, carrying its attempt number, until ``max_attempts`` (then the caller records the failure).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone


def backoff(attempt: int, base_seconds: float = 30.0, cap_seconds: float = 6 * 3600) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... capped at six hours."""
    return timedelta(seconds=min(cap_seconds, base_seconds * (2 ** max(0, attempt - 1))))


def retry_later(task: Any, *args: Any, attempt: int, max_attempts: int = 8, base_seconds: float = 30.0,
                **kwargs: Any) -> bool:
    """Enqueue ``task`` again for attempt ``attempt + 1``; False when the attempts are used up."""
    if attempt >= max_attempts or not task.get_backend().supports_defer:
        return False  # used up, or a backend that cannot wait (jobs run inline in tests): the caller records it
    task.using(run_after=timezone.now() + backoff(attempt, base_seconds)).enqueue(
        *args, attempt=attempt + 1, **kwargs)
    return True
