"""One row per scheduled slot that was enqueued: several workers never enqueue the same nightly run twice."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    name = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="the time the schedule named for this run")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="jobs_one_run_per_slot")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
