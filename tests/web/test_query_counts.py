"""Query-count guards for the pages (NetBox style, issue 19 goal 2).

Each page is requested as the user who works on it, with N more persons (or tasks) on it and then with
2N: the number of SQL queries must not grow with the rows shown, and must stay at or under the count
recorded in ``query_counts.json`` beside this file. When a change makes a test fail, look for a missing
``select_related``/``prefetch_related``, a count per row, or an access decision asked per row instead
of through :func:`careweave.access.decisions.decide_many`, before raising a recorded count.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careweave.access.models import AccessRule, Level
from careweave.careplans.models import (
    CarePlan,
    CareTeam,
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    Task,
    TeamMember,
)
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person

RECORDED = json.loads((Path(__file__).with_name("query_counts.json")).read_text())
ROWS = 3
_serial = count(100)


def _more_persons(cast, n: int) -> None:  # noqa: ANN001
    """``n`` more persons in the cast's professionals' care: a team, a plan with tasks, coordination,
    a proposed member, case management, and (every other one) a consent rule for the GP."""
    now = timezone.now()
    for _i in range(n):
        serial = next(_serial)
        person = Person.objects.create(
            given_name=f"Extra{serial}", family_name="Rij", ssin=make_ssin(date(1950, 1, 1 + serial % 28), serial),
            language="nl", zone=cast.zone,
        )
        team = CareTeam.objects.create(person=person, name="")
        members = {
            p.pk: TeamMember.objects.create(team=team, professional=p, start=date.today() - timedelta(days=30))
            for p in (cast.gp, cast.nurse, cast.social, cast.coordinator)
        }
        TeamMember.objects.create(team=team, professional=cast.stranger, start=date.today(),
                                  status=TeamMember.Status.PROPOSED)
        plan = CarePlan.objects.create(person=person, team=team, title="Thuis blijven",
                                       review_date=date.today() + timedelta(days=5))
        for professional, is_medical, due in ((cast.nurse, False, -2), (cast.nurse, True, 1),
                                              (cast.coordinator, False, 0), (cast.social, False, 3),
                                              (cast.gp, False, 10)):
            Task.objects.create(plan=plan, description="Opvolgen", assignee=members[professional.pk],
                                is_medical=is_medical, due_date=date.today() + timedelta(days=due))
        CoordinationEpisode.objects.create(
            team=team, coordinator=members[cast.coordinator.pk], status=CoordinationEpisode.Status.ACTIVE,
            initiated_by=CoordinationEpisode.Initiator.TEAM, requested_at=now, accepted_by_coordinator_at=now,
            agreed_at=now, started_at=now, requested_by=cast.coordinator.user,
        )
        request = CaseManagementRequest.objects.create(
            person=person, zone=cast.zone, reporter_role="discipline:gp", created_at=now,
            status=CaseManagementRequest.Status.APPOINTED,
        )
        CaseManagementEpisode.objects.create(person=person, request=request, case_manager=cast.case_manager,
                                             appointed_by=cast.zone_staff, zone=cast.zone, started_at=now)
        if serial % 2:
            AccessRule.objects.create(person=person, professional=cast.gp, level=Level.FULL)


def _more_tasks(cast, n: int) -> None:  # noqa: ANN001
    """``n`` more tasks on Maria's plan, spread over her team's members (the plan page's rows)."""
    members = list(cast.team.members.filter(status=TeamMember.Status.ACTIVE))
    for i in range(n):
        Task.objects.create(plan=cast.plan, description=f"Taak {i}", assignee=members[i % len(members)],
                            is_medical=bool(i % 3 == 0), due_date=date.today() + timedelta(days=i % 4))


def _queries(client, url: str) -> int:  # noqa: ANN001
    client.get(url)  # warm-up: sessions, caches of content types and translations
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


LISTS = [
    ("gp", "web:caseload"),
    ("nurse", "web:caseload"),
    ("coordinator", "web:caseload"),
    ("gp", "web:my_tasks"),
    ("nurse", "web:my_tasks"),
    ("socialworker", "web:my_tasks"),
    ("coordinator", "web:my_tasks"),
    ("coordinator", "web:coordination"),
    ("casemanager", "web:case_management"),
    ("gp", "population:my_patients"),
]


@pytest.mark.parametrize(("username", "route"), LISTS)
def test_a_list_page_needs_the_same_queries_for_twice_the_persons(cast, client_for, username, route):  # noqa: ANN001
    client = client_for(username)
    url = reverse(route)
    _more_persons(cast, ROWS)
    with_n = _queries(client, url)
    _more_persons(cast, ROWS)
    with_2n = _queries(client, url)
    grown = f"{route} as {username}: {with_n} queries with {ROWS} more persons, {with_2n} with {2 * ROWS}"
    assert with_2n - with_n == 0, grown
    assert with_2n <= RECORDED[f"{username} {route}"]


PERSON_PAGES = [
    ("gp", "web:plan"),
    ("coordinator", "web:plan"),
    ("person", "web:plan"),
    ("carer", "web:plan"),
    ("socialworker", "web:plan"),
    ("gp", "web:print_plan"),
]


@pytest.mark.parametrize(("username", "route"), PERSON_PAGES)
def test_the_plan_page_needs_the_same_queries_for_twice_the_tasks(cast, client_for, username, route):  # noqa: ANN001
    client = client_for(username)
    url = reverse(route, args=[cast.maria.fhir_id])
    _more_tasks(cast, 5)
    with_n = _queries(client, url)
    _more_tasks(cast, 5)
    with_2n = _queries(client, url)
    assert with_2n - with_n == 0, f"{route} as {username}: {with_n} queries with 5 more tasks, {with_2n} with 10"
    assert with_2n <= RECORDED[f"{username} {route}"]


# Guarded in the tests of the app the page lives in.
ELSEWHERE = {f"{u} consultations:detail" for u in ("coordinator", "gp", "carer", "person")} | {
    "zonestaff financing:budgets", "gp programmes:transitions", "gp web:my_exports", "nurse notifications:inbox",
    "nurse notifications:count"}


def test_every_recorded_count_is_guarded() -> None:
    """A page taken out of the lists above must have its recorded count taken out too (and the reverse)."""
    guarded = {f"{u} {r}" for u, r in (*LISTS, *PERSON_PAGES)} | ELSEWHERE
    assert set(RECORDED) == guarded
