"""The zone's population pipeline, micro -> meso (issue #20, decision 0027).

For one zone: export its own persons pseudonymised through FHIR Bulk Data (``bulk.write_ndjson``, the
same rules and audit as every export), run the SQL-on-FHIR views Careweave ships over those files
(``careweave.sof.run_views``: DuckDB, or Spark when the population engine is Spark), compute the process
indicators (``population.care_work``, linked by pseudonym to the zone's population set) and keep the
suppressed results on the run, where the zone dashboard reads them.

Why here, in the FHIR door: the pipeline is a client of the door's own export; the indicator
computations stay in the population domain, which imports no door (``tests/access/test_one_door.py``).
The ndjson files live in a scratch directory that is removed when the run ends, whatever happens.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# The types the shipped views read (the export asks for nothing else).
FEED_TYPES = ["Patient", "CarePlan", "Goal", "Task", "Appointment", "QuestionnaireResponse", "Observation",
              "EpisodeOfCare", "CareTeam", "ChargeItem"]


def population_engine() -> str:
    """``duckdb`` (default) or ``spark``: the engine the zone's population analysis runs on."""
    return str(getattr(settings, "POPULATION_ENGINE", os.environ.get("CAREWEAVE_POPULATION_ENGINE", "duckdb")))


def zone_population(data_dir: Path, zone: str):  # noqa: ANN201 - a DataFrame
    """The zone's persons of the latest year in the population set (pseudonym ``person_id`` and level)."""
    from careweave.population import api

    strata = api.results(data_dir)["strata"]
    return strata.loc[strata["zone"] == zone, ["person_id", "level"]]


def feed_zone(requester: Any, zone: str, *, work_dir: str | Path | None = None, engine: str | None = None,
              as_of: date | None = None, progress: Callable[[int, str], None] | None = None,
              spark: Any = None) -> dict[str, Any]:
    """Run the pipeline for ``zone`` as ``requester`` (zone staff); return the results a dashboard may show.

    ``work_dir``: where the pseudonymised ndjson goes (a scratch directory removed afterwards by default;
    a given one is left to its owner). Raises ``RuleViolation`` when ``requester`` may not export the zone.
    """
    from careweave.fhir.bulk import write_ndjson
    from careweave.population import care_work
    from careweave.population.engines import DuckDBEngine, SparkEngine
    from careweave.sof import run_views

    engine = engine or population_engine()
    as_of = as_of or timezone.localdate()
    k = int(getattr(settings, "SMALL_CELL_K", 5))
    data_dir = Path(settings.POPULATION_DATA_DIR)
    timings: dict[str, float] = {}
    step = progress or (lambda percent, name: None)

    def run(folder: Path) -> dict[str, Any]:
        t = time.perf_counter()
        step(5, "export")
        export = write_ndjson(requester, folder, types=FEED_TYPES, pseudonymise=True, zone_code=zone,
                              channel="job", progress=lambda percent, counts: step(5 + percent * 55 // 100, "export"))
        timings["export"] = time.perf_counter() - t
        t = time.perf_counter()
        step(60, "views")
        views = care_work.shipped_views()
        tables = run_views(views, str(folder), engine=engine, **({"spark": spark} if spark is not None else {}))
        timings["views"] = time.perf_counter() - t
        t = time.perf_counter()
        step(80, "indicators")
        population = zone_population(data_dir, zone)
        db = SparkEngine(data_dir, spark=spark) if engine == "spark" else DuckDBEngine(data_dir)
        try:
            raw = care_work.compute(db, tables, population, as_of)
        finally:
            db.close()
        shown = care_work.suppressed(raw, k)
        linked = int(raw["linked"].iloc[0]) if len(raw) else 0  # held by Careweave and in the zone's set
        timings["indicators"] = time.perf_counter() - t
        return {
            "as_of": as_of.isoformat(), "engine": engine, "k": k,
            "exported": {o["type"]: o["count"] for o in export["output"]},
            "coverage": care_work.coverage(linked, len(population), k),
            "indicators": [{key: (None if _missing(v) else v) for key, v in row.items()
                            if key not in ("held", "linked")} for row in shown.to_dict("records")],
            "timings": {key: round(v, 3) for key, v in timings.items()},
        }

    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        return run(Path(work_dir))
    scratch = Path(settings.VAR_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="population-feed-") as folder:
        return run(Path(folder))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


@task(queue_name="long")
def run_population_feed(run_pk: int) -> dict:
    """The worker's side of one run: progress on the run row, then its results (or its error)."""
    from careweave.population.models import WorkIndicatorRun

    Status = WorkIndicatorRun.Status
    run = WorkIndicatorRun.objects.select_related("requested_by").filter(pk=run_pk).first()
    if run is None or run.status != Status.QUEUED:
        return {"status": getattr(run, "status", "gone")}
    WorkIndicatorRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, started_at=timezone.now())

    def progress(percent: int, name: str) -> None:
        WorkIndicatorRun.objects.filter(pk=run.pk).update(progress=min(percent, 99), step=name)

    try:
        results = feed_zone(run.requested_by, run.zone, engine=run.engine, progress=progress)
    except Exception as exc:  # noqa: BLE001 - a failure is the run's outcome, shown on the dashboard
        logger.exception("population pipeline for %s failed", run.zone)
        WorkIndicatorRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, error=str(exc) or exc.__class__.__name__, finished_at=timezone.now())
        return {"status": Status.FAILED}
    WorkIndicatorRun.objects.filter(pk=run.pk).update(
        status=Status.DONE, progress=100, step="", results=results, as_of=results["as_of"],
        finished_at=timezone.now())
    return {"status": Status.DONE}


@task(queue_name="long")
def nightly_population_feeds() -> list[str]:
    """Each night, every zone whose staff ran the pipeline before runs again, as the staff member who last
    asked (the permission is asked again: someone who left the zone's staff no longer feeds it)."""
    from careweave.fhir.actions import start_population_feed
    from careweave.population.models import WorkIndicatorRun
    from careweave.territory.models import Zone

    started = []
    last_by_zone: dict[str, WorkIndicatorRun] = {}
    for run in WorkIndicatorRun.objects.filter(trigger=WorkIndicatorRun.Trigger.ASKED).exclude(
            requested_by=None).select_related("requested_by").order_by("zone", "-created_at"):
        last_by_zone.setdefault(run.zone, run)
    for zone, run in sorted(last_by_zone.items()):
        try:
            start_population_feed(run.requested_by, Zone.objects.get(code=zone),
                                  trigger=WorkIndicatorRun.Trigger.NIGHTLY)
            started.append(zone)
        except Exception:  # noqa: BLE001 - one zone's refusal does not stop the others
            logger.warning("nightly population pipeline for %s not started", zone, exc_info=True)
    return started
