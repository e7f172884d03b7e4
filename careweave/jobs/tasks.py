"""The worker's own housekeeping jobs."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task


@task()
def prune_finished_jobs() -> str:
    """Nightly: forget finished jobs after 3 days (failed ones after 30, for the administrator to see)."""
    out = io.StringIO()
    call_command("prune_db_task_results", min_age_days=3, failed_min_age_days=30, stdout=out)
    return out.getvalue().strip()
