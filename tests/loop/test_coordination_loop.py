"""Coordination in the micro -> meso loop (issue #20): "level-3 persons with a coordinator" measured from the
zone's own coordination episodes, through the pseudonymised Bulk export and the shipped views; the dashboard's
claims-like row points at it; ending the coordinations changes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-200")]
DEMO = {"persons": 200, "seed": 42}


@pytest.fixture
def zone(demo_zone, settings, tmp_path):  # noqa: ANN001, ANN201
    from careweave.population.api import ensure_demo_population
    from careweave.territory.models import Zone

    settings.POPULATION_DATA_DIR = tmp_path / "population"
    ensure_demo_population(settings.POPULATION_DATA_DIR, persons=2000, seed=7)
    return Zone.objects.get(code="ZORA")


def _run(zone):  # noqa: ANN001, ANN202
    from django.test import TestCase

    from careweave.fhir.actions import start_population_feed

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = start_population_feed(User.objects.get(username="zonestaff"), zone)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run, {r["indicator"]: r for r in run.results["indicators"]}


def test_level3_coordinator_comes_from_the_coordination_episodes(zone, client) -> None:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    run, values = _run(zone)
    assert run.results["exported"].get("EpisodeOfCare") and run.results["exported"].get("ChargeItem")
    before = values["level3_coordinator"]
    assert not before["suppressed"] and before["value"] > 0, before
    assert "provision_care_need_65" in values

    client.force_login(User.objects.get(username="zonestaff"))
    page = client.get("/population/zones/ZORA/").content.decode()
    assert 'id="work-level3_coordinator"' in page and 'href="#work-level3_coordinator"' in page

    # every coordinator hands the role back: the figure falls (to nothing, or a hidden small cell)
    CoordinationEpisode.objects.filter(status=CoordinationEpisode.Status.ACTIVE).update(
        status=CoordinationEpisode.Status.ENDED, ended_at=timezone.now() - timedelta(days=1))
    _again, after = _run(zone)
    assert after["level3_coordinator"]["suppressed"] or after["level3_coordinator"]["value"] == pytest.approx(0.0)
    assert after["level3_coordinator"]["value"] != before["value"]
