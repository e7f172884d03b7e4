"""The run's progress is visible to zone staff while the worker computes (issue #20), and the section stops
polling once the run is over."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

pytestmark = pytest.mark.django_db


def test_zone_staff_follow_the_runs_progress(client) -> None:  # noqa: ANN001
    from careweave.population.models import WorkIndicatorRun

    staff = User.objects.create_user("lotte", password="x-long-enough-password")
    staff.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client.force_login(staff)
    run = WorkIndicatorRun.objects.create(zone="ZORA", requested_by=staff, status="running", progress=40,
                                          step="views")
    page = client.get("/population/zones/ZORA/work/").content.decode()
    assert "40%" in page and 'hx-trigger="every 2s"' in page and 'value="40"' in page
    WorkIndicatorRun.objects.filter(pk=run.pk).update(status="done", progress=100, results={
        "coverage": {"held": 180, "zone_persons": 19500, "share": 0.92},
        "indicators": [{"indicator": "tasks_overdue", "numerator": 12.0, "denominator": 400.0, "n": 150,
                        "value": 3.0, "suppressed": False},
                       {"indicator": "epds_perinatal", "numerator": None, "denominator": None, "n": None,
                        "value": None, "suppressed": True}]})
    page = client.get("/population/zones/ZORA/work/").content.decode()
    assert "hx-trigger" not in page
    row = page.split('id="work-tasks_overdue"')[1].split("</tr>")[0]
    assert ("3.0" in row or "3,0" in row) and "150" in row  # the reader's decimal separator
    assert "180" in page and "19500" in page
    hidden = page.split('id="work-epds_perinatal"')[1].split("</tr>")[0]
    assert "—" in hidden


def test_others_do_not_see_it(client) -> None:  # noqa: ANN001
    someone = User.objects.create_user("someone", password="x-long-enough-password")
    client.force_login(someone)
    assert client.get("/population/zones/ZORA/work/").status_code == 403
