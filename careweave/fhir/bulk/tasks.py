"""Background jobs of ``$export`` (decision 0024): the export itself and the hourly clean-up of expired ones."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django_tasks import task

logger = logging.getLogger(__name__)


@task(queue_name="long")
def run_bulk_export(job_pk: int) -> dict:
    """Write the export's files in batches, keep its progress and counts, stop when it is cancelled."""
    from careweave.fhir.bulk.storage import remove_files, store
    from careweave.fhir.bulk.writer import ExportCancelled, write_ndjson
    from careweave.fhir.models import ExportJob

    job = ExportJob.objects.select_related("requester").filter(pk=job_pk).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return {"status": getattr(job, "status", "gone")}
    Status = ExportJob.Status
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    params = job.params or {}

    def progress(percent: int, counts: dict[str, int]) -> None:
        if ExportJob.objects.filter(pk=job.pk, status=Status.CANCELLED).exists():
            raise ExportCancelled
        ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(progress=percent, counts=counts)

    scratch = Path(settings.VAR_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with translation.override(params.get("language") or settings.LANGUAGE_CODE), \
            tempfile.TemporaryDirectory(dir=scratch) as folder:
        try:
            persons = params.get("persons")
            if job.group:  # the Group's members as they are when the job runs
                from careweave.fhir.bulk.groups import group_for

                persons = group_for(job.group).member_ids()
            result = write_ndjson(
                job.requester, folder, types=params.get("types") or None,
                since=parse_datetime(params["since"]) if params.get("since") else None,
                type_filters=params.get("type_filters") or None, persons=persons,
                pseudonymise=job.pseudonymised, zone_code=params.get("zone_code") or None,
                elements=params.get("elements") or None, level=job.level, progress=progress, channel="api")
            stored = [{"type": o["type"], "name": store(job, Path(o["path"])), "count": o["count"]}
                      for o in result["output"]]
            errors = [{"type": e["type"], "name": store(job, Path(e["path"])), "count": e["count"]}
                      for e in result["error"]]
        except ExportCancelled:
            remove_files(job)
            return {"status": Status.CANCELLED}
        except Exception as exc:  # noqa: BLE001 - any failure is the job's outcome, shown to the one who asked
            logger.exception("bulk export %s failed", job.key)
            remove_files(job)
            ExportJob.objects.filter(pk=job.pk).exclude(status=Status.CANCELLED).update(
                status=Status.FAILED, error=str(exc) or exc.__class__.__name__, finished_at=timezone.now())
            return {"status": Status.FAILED}
    done = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.COMPLETED, progress=100, output=stored + [{**e, "error": True} for e in errors],
        counts={o["type"]: o["count"] for o in stored}, finished_at=timezone.now(),
        transaction_time=parse_datetime(result["transactionTime"].replace("Z", "+00:00")))
    if not done:  # cancelled while the last files were stored
        remove_files(job)
        return {"status": Status.CANCELLED}
    return {"status": Status.COMPLETED, "files": len(stored)}


@task()
def purge_expired_exports() -> int:
    """Remove the files and rows of exports past their expiry (hourly); returns how many went."""
    from careweave.fhir.bulk.storage import remove_files
    from careweave.fhir.models import ExportJob

    gone = 0
    for job in ExportJob.objects.filter(expires_at__lt=timezone.now()):
        remove_files(job)
        job.delete()
        gone += 1
    return gone
