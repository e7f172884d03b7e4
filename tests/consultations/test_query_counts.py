"""Query-count guard for the MDO page (NetBox style, issue 19 goal 2): its queries do not grow with the
participants, and stay at or under the count recorded in ``tests/web/query_counts.json``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from web.test_query_counts import RECORDED, _queries

from careweave.careplans.models import TeamMember
from careweave.consultations import actions
from careweave.people.identifiers import make_nihdi
from careweave.people.models import Discipline, Professional

# The scheduled MDO's fixture invites the whole team and the person: 7 participants; 3 more, then 3 more.
MORE = 3


def _more_members(cast, n: int, start: int) -> list[TeamMember]:  # noqa: ANN001
    """``n`` more professionals in Maria's team, to invite."""
    members = []
    for i in range(start, start + n):
        professional = Professional.objects.create(
            given_name="Extra", family_name=f"Zorgverlener{i}", discipline=Discipline.PHYSIOTHERAPIST,
            nihdi=make_nihdi(4, 500 + i, 3), zone=cast.zone)
        members.append(TeamMember.objects.create(team=cast.team, professional=professional,
                                                 start=date.today() - timedelta(days=1)))
    return members


@pytest.mark.parametrize("username", ["coordinator", "gp", "carer", "person"])
def test_the_mdo_page_needs_the_same_queries_for_twice_the_participants(cast, client_for, scheduled, username):  # noqa: ANN001
    client = client_for(username)
    url = reverse("consultations:detail", args=[scheduled.fhir_id])
    actions.invite_to_mdo(cast.coordinator.user, scheduled, _more_members(cast, MORE, 0))
    with_n = _queries(client, url)
    actions.invite_to_mdo(cast.coordinator.user, scheduled, _more_members(cast, MORE, MORE))
    with_2n = _queries(client, url)
    grown = f"MDO page as {username}: {with_n} queries, then {with_2n} with {MORE} more participants"
    assert with_2n - with_n == 0, grown
    assert with_2n <= RECORDED[f"{username} consultations:detail"]
