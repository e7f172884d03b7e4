"""Query-count guard for the programme transitions list (NetBox style, issue 19 goal 2): whether a
person's phase changed lately is part of the listing query, not one query per enrolment."""

from __future__ import annotations

from datetime import date, timedelta

from web.test_query_counts import RECORDED, _queries

from careweave.careplans.actions import start_care_plan, team_for
from careweave.programmes import actions

from .test_views import _as


def _enrolled(make_person, join, gp, nurse, pathways, n: int) -> None:  # noqa: ANN001
    """``n`` more persons in the GP's care, each in the perinatal programme with a birth due soon."""
    for _i in range(n):
        person = make_person()
        team = team_for(person)
        join(team, gp)
        reference = join(team, nurse)
        start_care_plan(person.user, person, "Zwangerschap")
        actions.enrol_in_programme(gp.user, person, pathways["perinatal"], reference_member=reference,
                                   person_agreed=True, expected_birth=date.today() + timedelta(days=20))


def test_the_transitions_list_needs_the_same_queries_for_twice_the_persons(make_person, join, gp, nurse,  # noqa: ANN001
                                                                          pathways) -> None:
    client = _as(gp.user)
    _enrolled(make_person, join, gp, nurse, pathways, 3)
    with_n = _queries(client, "/programmes/transitions/")
    _enrolled(make_person, join, gp, nurse, pathways, 3)
    with_2n = _queries(client, "/programmes/transitions/")
    assert client.get("/programmes/transitions/").content.decode().count('data-test="transition"') == 6
    assert with_2n - with_n == 0, f"transitions: {with_n} queries with 3 persons, {with_2n} with 6"
    assert with_2n <= RECORDED["gp programmes:transitions"]
