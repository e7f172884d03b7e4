"""Demo data of the financing app (called by demo.loader.load_demo after the zone and its people exist).

Example tariffs come with the migration (labelled "example tariff"); the demo adds a tariff change, care-unit
budgets for the current year with some use and one transfer, and MDO fees when the consultations demo
has not produced any.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import User

from careweave.financing import actions
from careweave.financing.catalogue import EXAMPLE_SOURCE, MDO
from careweave.financing.models import Payer, Provision, ProvisionType
from careweave.financing.seedtable import PERSON_PREFIX
from careweave.people.models import Person, Professional


def load_financing(users: dict[str, User], now: datetime) -> dict[str, Any]:
    admin, staff = users["admin"], users["zonestaff"]
    zone = staff.zone_roles.first().zone
    persons = list(Person.objects.filter(zone=zone, deceased_on__isnull=True).exclude(
        external_id__startswith=PERSON_PREFIX).order_by("pk"))
    professionals = list(Professional.objects.filter(zone=zone, active=True).order_by("pk"))
    cm = ProvisionType.objects.get(code="CASEMANAGEMENT")
    if not cm.tariffs.filter(valid_from=date(2025, 1, 1)).exists():
        actions.add_tariff(admin, cm, Payer.RIZIV, Decimal("58.00"), "session", date(2025, 1, 1), is_example=True,
                           source=EXAMPLE_SOURCE)

    year = now.date().year
    start, end = date(year, 1, 1), date(year, 12, 31)
    by_discipline = {p.discipline: p for p in professionals}
    budgets = []
    for i, person in enumerate(persons[:8]):
        budget = actions.budget_on(person, now.date()) or actions.allocate_budget(
            staff, person, start, end, Decimal(40 if i % 2 else 24))
        budgets.append(budget)
    day = min(now.date(), end)
    for i, budget in enumerate(budgets):
        for j, code in enumerate(("CASEMANAGEMENT", "ERGO", "NACHTBEZOEK")[: 1 + i % 3]):
            ptype = ProvisionType.objects.get(code=code)
            provider = by_discipline.get({"CASEMANAGEMENT": "case_manager", "ERGO": "ot"}.get(code, "home_nurse"))
            actions.register_provision(staff, budget.person, ptype, day, Decimal(2 + i % 3 + j), professional=provider,
                                       external_id=f"demo:{budget.person.pk}:{code}:{year}")
    if len(budgets) > 1 and not budgets[1].transfers_out.exists():
        actions.transfer_units(staff, budgets[1], budgets[0], Decimal(6),
                               "Heeft de eenheden dit jaar niet nodig; mevrouw heeft meer nachtzorg nodig.")
    if not Provision.objects.filter(provision_type__code=MDO).exists() and len(persons) > 3:
        gp = by_discipline.get("gp")
        for n, person in enumerate(persons[2:4]):
            paid = [p for p in (gp, by_discipline.get("home_nurse"), by_discipline.get("social_worker")) if p]
            actions.register_mdo_fees(SimpleNamespace(pk=f"demo-{n}"), person, day, True, paid, actor=staff)
    return {"budgets": len(budgets),
            "provisions": Provision.objects.count()}
