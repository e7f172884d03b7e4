"""Query-count guards for the inbox and the menu's count (issue 19 goal 2): the read-time permission filter
asks the access decisions for all the persons of the page at once, so the queries do not grow with the rows."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from django.urls import reverse
from web.test_query_counts import RECORDED, _queries

from careweave import notifications
from careweave.careplans.models import CarePlan, CareTeam, Task, TeamMember
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person

pytestmark = pytest.mark.django_db
_serial = count(300)


def _more(cast, n: int) -> None:  # noqa: ANN001
    """``n`` more persons in the nurse's care, each with a task for her and a journal message she is told of."""
    for _i in range(n):
        serial = next(_serial)
        person = Person.objects.create(given_name=f"Extra{serial}", family_name="Rij", zone=cast.zone,
                                       ssin=make_ssin(date(1950, 1, 1 + serial % 28), serial))
        team = CareTeam.objects.create(person=person)
        member = TeamMember.objects.create(team=team, professional=cast.nurse)
        TeamMember.objects.create(team=team, professional=cast.gp)
        plan = CarePlan.objects.create(person=person, team=team, title="Thuis")
        task = Task.objects.create(plan=plan, description="Zorg", assignee=member, is_medical=serial % 2 == 0)
        notifications.emit("task_assigned", person=person, target=task, actor=cast.gp.user,
                           recipients=[cast.nurse.user])
        notifications.emit("journal_message", person=person, target=plan, actor=cast.gp.user)


@pytest.mark.parametrize("route", ["notifications:inbox", "notifications:count"])
def test_the_inbox_and_its_count_need_the_same_queries_for_twice_the_persons(cast, client_for, route):  # noqa: ANN001
    client = client_for("nurse")
    _more(cast, 3)
    with_n = _queries(client, reverse(route))
    _more(cast, 3)
    with_2n = _queries(client, reverse(route))
    assert with_2n - with_n == 0, f"{route}: {with_n} queries with 3 more persons, {with_2n} with 6"
    assert with_2n <= RECORDED[f"nurse {route}"], with_2n
