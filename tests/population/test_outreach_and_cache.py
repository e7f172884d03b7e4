"""The outreach list pages, filters and exports (audited); the dashboard is computed once per data set (issue 11.8)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.population import dashboard_cache, indicators
from careweave.population.generator import generate

pytestmark = pytest.mark.django_db


@pytest.fixture()
def data_dir(settings, zone_pop):
    settings.POPULATION_DATA_DIR = zone_pop
    settings.SMALL_CELL_K = 5
    settings.LANGUAGE_CODE = "en"
    return zone_pop


@pytest.fixture()
def outreach_client(client):
    user = User.objects.create_user("outreach", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_outreach_list"))
    client.force_login(user)
    return client


def _rows(html: str) -> list[str]:
    return html.split('data-test="outreach-row"')[1:]


def test_the_outreach_list_is_paged(data_dir, outreach_client):
    url = reverse("population:outreach", args=["ZORA"])
    first = outreach_client.get(url).content.decode()
    assert len(_rows(first)) == 50
    assert 'data-test="outreach-pager"' in first
    second = outreach_client.get(url, {"page": 2}).content.decode()
    assert _rows(second) and set(_rows(second)).isdisjoint(_rows(first))


def test_the_outreach_list_filters_by_level_municipality_and_reason(data_dir, outreach_client):
    url = reverse("population:outreach", args=["ZORA"])
    level3 = outreach_client.get(url, {"level": "3"}).content.decode()
    assert _rows(level3) and all("<td>3 · " in r for r in _rows(level3))
    ninove = outreach_client.get(url, {"municipality": "41048"}).content.decode()
    assert _rows(ninove) and all("<td>Ninove</td>" in r for r in _rows(ninove))
    alone = outreach_client.get(url, {"reason": "alone_frail"}).content.decode()
    assert _rows(alone) and all("Frail and living alone" in r for r in _rows(alone))
    everyone = outreach_client.get(url).content.decode()
    total = int(everyone.split('data-test="outreach-total">', 1)[1].split()[0])
    filtered = int(alone.split('data-test="outreach-total">', 1)[1].split()[0])
    assert 0 < filtered < total


def test_the_outreach_csv_holds_the_filtered_persons_and_is_audited(data_dir, outreach_client):
    page = outreach_client.get(reverse("population:outreach", args=["ZORA"]), {"level": "3"}).content.decode()
    total = int(page.split('data-test="outreach-total">', 1)[1].split()[0])
    response = outreach_client.get(reverse("population:outreach_csv", args=["ZORA"]), {"level": "3"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Pseudonym" and len(lines) == total + 1
    assert all(line[4] == "3" for line in lines[1:])
    export = AuditEvent.objects.get(resource_type="PopulationOutreachList", action="E")
    assert "CSV" in export.reason and f"{total} persons" in export.reason


def test_the_outreach_csv_needs_the_permission(client, data_dir):
    user = User.objects.create_user("nosy", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client.force_login(user)
    assert client.get(reverse("population:outreach_csv", args=["ZORA"])).status_code == 403
    assert AuditEvent.objects.filter(resource_type="PopulationOutreachList", outcome="denied").count() == 1


def test_the_dashboard_is_computed_once_and_again_when_the_data_changes(client, settings, tmp_path, monkeypatch):
    data = tmp_path / "zone"
    generate(800, 1, data, zone="ZORA")
    settings.POPULATION_DATA_DIR = data
    settings.LANGUAGE_CODE = "en"
    user = User.objects.create_superuser("root", password="x-very-long-password")
    client.force_login(user)
    calls = []
    real = indicators.breakdowns
    monkeypatch.setattr(indicators, "breakdowns", lambda *a, **k: calls.append(1) or real(*a, **k))
    dashboard_cache.clear()
    url = reverse("population:zone", args=["ZORA"])
    first = client.get(url).content.decode()
    client.get(url)
    client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert len(calls) == 1, "warm requests reuse the computed breakdowns"
    generate(1200, 2, data, zone="ZORA")  # a new data set in the same place: new files, new mtimes
    again = client.get(url).content.decode()
    assert len(calls) == 2
    inhabitants = [h.split("Inhabitants: ", 1)[1].split("<", 1)[0] for h in (first, again)]
    assert inhabitants[0] != inhabitants[1]
