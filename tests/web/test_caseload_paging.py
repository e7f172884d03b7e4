"""A long caseload is paged, and the pages keep the filters (issue 11.8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from careweave.careplans.models import CareTeam, TeamMember
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person
from careweave.web.views import work

pytestmark = pytest.mark.django_db


def _caseload_of_gp(cast, extra: int) -> None:  # noqa: ANN001
    for i in range(extra):
        person = Person.objects.create(given_name=f"Patient{i:02d}", family_name=f"Zz{i:02d}",
                                       ssin=make_ssin(date(1950, 1, 1 + i), 2 * i + 1), language="nl", zone=cast.zone)
        team = CareTeam.objects.create(person=person)
        TeamMember.objects.create(team=team, professional=cast.gp)


def test_the_caseload_shows_one_page_at_a_time(cast, client_for, monkeypatch) -> None:  # noqa: ANN001
    _caseload_of_gp(cast, 5)
    total = TeamMember.objects.filter(professional=cast.gp, status="active").count()
    monkeypatch.setattr(work, "CASELOAD_PAGE", total - 2)
    client = client_for("gp")
    pages = [client.get(reverse("web:caseload"), {"page": n}).content.decode() for n in (1, 2)]
    rows = [page.count('data-test="caseload-row"') for page in pages]
    assert rows == [total - 2, 2]
    assert 'data-test="caseload-pager"' in pages[0] and "Page 1 of" in pages[0]
    names = [set(p.split('data-test="caseload-person"')[1:]) for p in pages]
    assert names[0].isdisjoint(names[1])


def test_the_pager_keeps_the_filters(cast, client_for, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(work, "CASELOAD_PAGE", 2)
    _caseload_of_gp(cast, 4)
    page = client_for("gp").get(reverse("web:caseload"), {"q": "Patient", "sort": "name"}).content.decode()
    assert page.count('data-test="caseload-row"') == 2
    assert "q=Patient&amp;sort=name&amp;page=2" in page
