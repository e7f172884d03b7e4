"""Background jobs of the programmes (decision 0024)."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_programme_phases() -> int:
    """The nightly move of every active enrolment to the phase its dates imply; returns how many moved."""
    from careweave.programmes.actions import recompute_enrolments, sync_shipped_pathways

    sync_shipped_pathways()
    return recompute_enrolments(None)
