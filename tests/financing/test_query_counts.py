"""Query-count guard for the zone's budgets page (NetBox style, issue 19 goal 2): each budget's use and
transfers are summed in the one query that lists the budgets, not in three queries per person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from web.test_query_counts import RECORDED, _queries

from careweave.financing import actions

from .test_views import client_of

ON = "2025-06-01"


def _budgets(zone_staff, make_person, n: int, start: int) -> None:  # noqa: ANN001
    """``n`` more persons with a budget for 2025, each giving one unit to the previous one."""
    previous = None
    for i in range(start, start + n):
        budget = actions.allocate_budget(zone_staff, make_person(f"Budget{i}"), date(2025, 1, 1),
                                         date(2025, 12, 31), Decimal("10"))
        if previous is not None:
            actions.transfer_units(zone_staff, budget, previous, Decimal("1"), "nachtzorg")
        previous = budget


def test_the_budgets_page_needs_the_same_queries_for_twice_the_budgets(zone_staff, make_person):  # noqa: ANN001
    client = client_of(zone_staff)
    url = f"/financing/budgets/?on={ON}"
    _budgets(zone_staff, make_person, 3, 0)
    with_n = _queries(client, url)
    _budgets(zone_staff, make_person, 3, 3)
    with_2n = _queries(client, url)
    page = client.get(url).content.decode()
    assert page.count('data-test="person-budget"') == 6
    assert with_2n - with_n == 0, f"budgets page: {with_n} queries with 3 budgets, {with_2n} with 6"
    assert with_2n <= RECORDED["zonestaff financing:budgets"]
