"""Query-count guard for the calendar page (NetBox style, issue 19 goal 2): its queries do not grow with the
appointments, MDOs and persons it shows, and stay at or under the count in ``tests/web/query_counts.json``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from web.test_query_counts import RECORDED, _more_persons, _queries

from careweave.careplans.models import TeamMember
from careweave.consultations import actions as mdo_actions
from careweave.people.models import Person
from careweave.scheduling import actions

from .conftest import at

MORE = 3


def _more_items(cast, n: int) -> None:  # noqa: ANN001
    """``n`` more persons in the nurse's care, each with a home visit and an MDO she is invited to this week."""
    known = set(Person.objects.values_list("pk", flat=True))
    _more_persons(cast, n)
    for offset, person in enumerate(Person.objects.exclude(pk__in=known).order_by("pk")):
        nurse = TeamMember.objects.get(team__person=person, professional=cast.nurse)
        actions.create_appointment(cast.nurse.user, person, kind="home_visit", start=at(9 + offset % 6, 1),
                                   end=at(10 + offset % 6, 1), members=[nurse], note="Wondzorg")
        c = mdo_actions.schedule_mdo(cast.coordinator.user, person, mode="online", start=at(16, 2),
                                     end=at(17, 2), link="https://teams.example/m", reason="Overleg")
        mdo_actions.invite_to_mdo(cast.coordinator.user, c, [nurse], include_person=True)


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["week", "month", "list"])
def test_the_calendar_needs_the_same_queries_for_twice_the_items(cast, client_for, view):  # noqa: ANN001
    client = client_for("nurse")
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    url = f"{reverse('scheduling:calendar')}?view={view}&day={day}"
    _more_items(cast, MORE)
    with_n = _queries(client, url)
    _more_items(cast, MORE)
    with_2n = _queries(client, url)
    assert with_2n - with_n == 0, f"calendar ({view}): {with_n} queries, then {with_2n} with {MORE} more persons"
    assert with_2n <= RECORDED["nurse scheduling:calendar"], with_2n
