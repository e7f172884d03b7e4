"""The micro -> meso loop end to end (issue #20): the demo zone's dashboard shows indicators computed from its
own plans, MDOs and assessments, through a pseudonymised Bulk export and the shipped SQL-on-FHIR views."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from careweave.careplans.errors import RuleViolation

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-200")]
DEMO = {"persons": 200, "seed": 42}


@pytest.fixture
def zone(demo_zone, settings, tmp_path):  # noqa: ANN001, ANN201
    from careweave.population.api import ensure_demo_population
    from careweave.territory.models import Zone

    settings.POPULATION_DATA_DIR = tmp_path / "population"
    ensure_demo_population(settings.POPULATION_DATA_DIR, persons=2000, seed=7)
    return Zone.objects.get(code="ZORA")


def _run(zone, who: str = "zonestaff"):  # noqa: ANN001, ANN202
    """Start a run as ``who``; the job runs when the action's transaction commits (inline in tests)."""
    from django.test import TestCase

    from careweave.fhir.actions import start_population_feed

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = start_population_feed(User.objects.get(username=who), zone)
    run.refresh_from_db()
    return run


def _values(run) -> dict:  # noqa: ANN001
    return {r["indicator"]: r for r in run.results["indicators"]}


def test_the_demo_zones_indicators_come_from_its_own_work(zone, client) -> None:  # noqa: ANN001
    from careweave.careplans.models import CarePlan
    from careweave.people.models import Person

    run = _run(zone)
    assert run.status == "done", run.error
    values = _values(run)
    coverage = run.results["coverage"]
    held = Person.objects.filter(zone=zone).exclude(ssin="").count()
    # the zone's persons alive in the set's latest year; Careweave's own are among them, linked by pseudonym
    assert 1800 < coverage["zone_persons"] <= 2000 and 100 < coverage["held"] <= held
    on_time = values["programme_review_on_time"]
    assert not on_time["suppressed"] and on_time["value"] is not None
    for key in ("mdo_at_transitions", "goals_achieved", "tasks_overdue", "frailty_assessed_75"):
        assert key in values

    client.force_login(User.objects.get(username="zonestaff"))
    page = client.get("/population/zones/ZORA/").content.decode()
    assert 'id="work-programme_review_on_time"' in page and "Careweave" in page
    assert f"{coverage['held']}" in page

    # the work changes -> the indicator changes: every plan of an enrolled person gets an overdue review
    overdue = timezone.localdate() - timedelta(days=30)
    plans = CarePlan.objects.filter(enrolments__status="active").distinct()
    assert plans.exists()
    plans.update(review_date=overdue, updated_at=timezone.now())
    again = _run(zone)
    assert again.pk != run.pk and again.status == "done"
    after = _values(again)["programme_review_on_time"]
    assert after["value"] != on_time["value"]
    assert after["suppressed"] or after["value"] == pytest.approx(0.0)


def test_nothing_identifying_in_the_pipelines_files_or_results(zone, tmp_path) -> None:  # noqa: ANN001
    from careweave.fhir.population_feed import feed_zone
    from careweave.people.models import Person

    folder = tmp_path / "feed"
    results = feed_zone(User.objects.get(username="zonestaff"), "ZORA", work_dir=folder)
    text = "\n".join(p.read_text() for p in Path(folder).glob("*.ndjson")) + json.dumps(results)
    assert "Patient" in text
    for person in Person.objects.filter(zone=zone).exclude(ssin="")[:60]:
        assert person.ssin not in text
        assert str(person.fhir_id) not in text
        assert f"\"{person.family_name}\"" not in text and f" {person.family_name}\"" not in text
    assert "Peeters" not in text


def test_only_the_zones_staff_may_run_it(zone) -> None:  # noqa: ANN001
    for who in ("gp", "admin", "person"):
        with pytest.raises(RuleViolation):
            _run(zone, who)


def test_nightly_runs_again_as_the_staff_member_who_asked(zone) -> None:  # noqa: ANN001
    from careweave.fhir.population_feed import nightly_population_feeds
    from careweave.population.models import WorkIndicatorRun

    _run(zone)
    assert nightly_population_feeds.call() == ["ZORA"]
    nightly = WorkIndicatorRun.objects.filter(trigger="nightly").get()
    assert nightly.status == "done" and nightly.requested_by.username == "zonestaff"


@pytest.mark.spark
def test_spark_gives_the_dashboard_the_same_figures(zone, tmp_path) -> None:  # noqa: ANN001
    """The population engine is Spark: the same views and indicators, the same suppressed figures."""
    pytest.importorskip("pyspark")
    from careweave.fhir.population_feed import feed_zone
    from careweave.population.engines import local_spark

    staff = User.objects.get(username="zonestaff")
    duck = feed_zone(staff, "ZORA", work_dir=tmp_path / "duck")
    # getOrCreate: the process's one Spark session, shared with the other Spark tests, so not stopped here
    session = local_spark("careweave-tests-loop", cores=2)
    spark = feed_zone(staff, "ZORA", work_dir=tmp_path / "spark", engine="spark", spark=session)
    assert spark["engine"] == "spark" and spark["coverage"] == duck["coverage"]
    by_id = {r["indicator"]: r for r in spark["indicators"]}
    for row in duck["indicators"]:
        other = by_id[row["indicator"]]
        assert other["suppressed"] == row["suppressed"], row["indicator"]
        if not row["suppressed"]:
            assert other["value"] == pytest.approx(row["value"]), row["indicator"]
