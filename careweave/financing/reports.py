"""Reports: provisions per type per year and per quarter, the payer's CSV, budget consumption.

The year report reproduces the seed's "Evolutie aantal gefactureerde verstrekkingen" (003 l.6-27): counts are
the number of billed provisions (Σ quantity of billed lines), a year with data in only some quarters is labelled
with those quarters ("t2-t4 2019", "t1 2024", 003 l.7; C9-R04). Shown to zone staff, cells with fewer than k
persons are hidden with complementary suppression (population/suppression.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from django.db.models import Count, DecimalField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils.translation import gettext as _

from careweave.csvexport import csv_bytes
from careweave.population.suppression import suppress_table
from careweave.territory.models import Zone

from .actions import BudgetStatus, Consumption
from .models import BudgetTransfer, CareUnitBudget, Payer, Provision, ProvisionType

ZERO = Decimal("0")


@dataclass
class Period:
    year: int
    first: int
    last: int

    @property
    def key(self) -> str:
        return f"{self.year}" if (self.first, self.last) == (1, 4) else f"{self.year}Q{self.first}-{self.last}"

    @property
    def label(self) -> str:
        if (self.first, self.last) == (1, 4):
            return str(self.year)
        if self.first == self.last:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.first, "year": self.year}
        return _("Q%(first)s–Q%(last)s %(year)s") % {"first": self.first, "last": self.last, "year": self.year}


@dataclass
class Row:
    code: str
    name: str
    counts: list = field(default_factory=list)
    amounts: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    hidden: list = field(default_factory=list)

    @property
    def cells(self) -> list[dict]:
        hidden = self.hidden or [False] * len(self.counts)
        return [{"n": n, "amount": a, "hidden": h} for n, a, h in zip(self.counts, self.amounts, hidden, strict=True)]


@dataclass
class Report:
    by: str
    periods: list[Period]
    rows: list[Row]
    total: Row
    new_patients: list
    suppressed: bool = False


def provisions_in(zones: list[Zone] | None, statuses: tuple[str, ...] = (Provision.Status.BILLED,)):  # noqa: ANN201
    """Provisions of persons living in ``zones`` (None: everywhere) with one of ``statuses``."""
    qs = Provision.objects.filter(status__in=statuses)
    if zones is not None:
        qs = qs.filter(person__zone__in=zones)
    return qs


def _periods(qs, by: str) -> list[Period]:  # noqa: ANN001
    # order_by(): Provision's Meta.ordering would otherwise join the DISTINCT and return every line (issue 19).
    quarters = sorted(set(qs.order_by().annotate(y=ExtractYear("date"), q=ExtractQuarter("date"))
                          .values_list("y", "q").distinct()))
    if by == "quarter":
        return [Period(y, q, q) for y, q in quarters]
    years: dict[int, list[int]] = {}
    for y, q in quarters:
        years.setdefault(y, []).append(q)
    return [Period(y, min(qs_), max(qs_)) for y, qs_ in sorted(years.items())]


def build(zones: list[Zone] | None, by: str = "year", *, suppress: bool = False, k: int = 5,
          statuses: tuple[str, ...] = (Provision.Status.BILLED,)) -> Report:
    """Counts (Σ quantity), amounts and persons per provision type and period."""
    by = "quarter" if by == "quarter" else "year"
    qs = provisions_in(zones, statuses)
    periods = _periods(qs, by)
    index = {(p.year, p.first if by == "quarter" else None): i for i, p in enumerate(periods)}
    keys = ["provision_type__code", "y"] + (["q"] if by == "quarter" else [])
    agg = (qs.annotate(y=ExtractYear("date"), q=ExtractQuarter("date")).values(*keys)
           .annotate(n=Sum("quantity"), amount=Sum("amount"), persons=Count("person", distinct=True)))
    cells: dict[tuple[str, int], dict] = {}
    for a in agg:
        i = index[(a["y"], a.get("q") if by == "quarter" else None)]
        cells[(a["provision_type__code"], i)] = a
    rows = []
    for t in ProvisionType.objects.all():
        row = Row(t.code, t.name)
        for i in range(len(periods)):
            a = cells.get((t.code, i), {})
            row.counts.append(int(a.get("n") or 0))
            row.amounts.append(a.get("amount") or ZERO)
            row.persons.append(int(a.get("persons") or 0))
        if any(row.counts):
            rows.append(row)
    total = Row("TOTAL", _("Total"), [sum(r.counts[i] for r in rows) for i in range(len(periods))],
                [sum((r.amounts[i] for r in rows), ZERO) for i in range(len(periods))],
                [sum(r.persons[i] for r in rows) for i in range(len(periods))])
    new = [0] * len(periods)
    for first in (qs.values("person").annotate(first=Min("date"))
                  .values_list("first", flat=True)):
        q = (first.month - 1) // 3 + 1
        i = index.get((first.year, q if by == "quarter" else None))
        if i is not None:
            new[i] += 1
    report = Report(by, periods, rows, total, new, suppressed=False)
    for r in [*rows, total]:
        r.hidden = [False] * len(periods)
    if suppress and rows and periods:
        # Each period column is protected against its own total only: the page shows no total per type over
        # the periods, so a small cell in a new period never hides historical cells (issue 18.13).
        for ci in range(len(periods)):
            mask = suppress_table(np.array([[r.persons[ci]] for r in rows], dtype=float), k=k)
            for ri, r in enumerate(rows):
                r.hidden[ci] = bool(mask[ri, 0])
            total.hidden[ci] = bool(mask[len(rows), 0])
        report.new_patients = [None if n < k and n else n for n in new]
        report.suppressed = any(h for r in [*rows, total] for h in r.hidden) or any(
            v is None for v in report.new_patients)
    return report


# --- payer export ---------------------------------------------------------------------------------------------

CSV_HEADER = ["external_id", "date", "type_code", "type", "person_ssin", "person", "provider_nihdi",
              "provider", "quantity", "unit", "tariff_eur", "amount_eur", "example_tariff", "status", "payer",
              "billing_code"]  # last: existing readers keep their column positions


def _dec(value: Decimal | None) -> Decimal | None:
    """Amounts to the cent, kept numbers: the CSV writes them with a decimal comma (careweave.csvexport)."""
    return None if value is None else value.quantize(Decimal("0.01"))


def payer_lines(zones: list[Zone] | None, payer: str, start: date, end: date):  # noqa: ANN201
    return (Provision.objects.filter(payer=payer, date__gte=start, date__lte=end)
            .filter(**({} if zones is None else {"person__zone__in": zones}))
            .select_related("person", "professional", "organisation", "provision_type", "tariff")
            .order_by("date", "pk"))


def payer_csv(lines) -> bytes:  # noqa: ANN001
    """One line per provision for the payer, in the Belgian Excel convention and safe from formulas."""
    return csv_bytes(CSV_HEADER, (
        [p.external_id or str(p.fhir_id), p.date.isoformat(), p.provision_type.code, p.provision_type.name,
         p.person.ssin or "", f"{p.person.family_name} {p.person.given_name}",
         getattr(p.professional or p.organisation, "nihdi", "") or "", str(p.professional or p.organisation),
         _dec(p.quantity), p.tariff.get_unit_display(), _dec(p.tariff.amount), _dec(p.amount),
         _("example tariff") if p.tariff.is_example else "", p.get_status_display(), Payer(p.payer).label,
         p.billing_code]
        for p in lines))


# --- budget consumption ---------------------------------------------------------------------------------------


@dataclass
class ZoneBudget(Consumption):
    zone: Zone
    budgets: int
    allocated: Decimal
    available: Decimal
    used: Decimal
    over_80: int


def _units(queryset, key: str, field: str) -> Coalesce:  # noqa: ANN001
    """The sum of ``field`` over ``queryset`` grouped by ``key``, as a subquery for one budget row."""
    total = queryset.order_by().values(key).annotate(s=Sum(field)).values("s")
    units = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(total, output_field=units), Value(ZERO), output_field=units)


def _budget_statuses(budgets) -> list:  # noqa: ANN001
    """:func:`budget_status` of every budget in one query (the budgets page: no queries per person, issue 19)."""
    used = Provision.objects.filter(
        person_id=OuterRef("person_id"), date__gte=OuterRef("period_start"), date__lte=OuterRef("period_end")
    ).exclude(status=Provision.Status.CANCELLED)
    budgets = budgets.annotate(
        used_units=_units(used, "person_id", "care_units"),
        received_units=_units(BudgetTransfer.objects.filter(target=OuterRef("pk")), "target", "units"),
        given_units=_units(BudgetTransfer.objects.filter(source=OuterRef("pk")), "source", "units"),
    )
    return [BudgetStatus(b, b.allocated, b.received_units, b.given_units, b.used_units) for b in budgets]


def zone_budgets(zone: Zone, on: date) -> tuple[ZoneBudget, list]:
    """Budget consumption against the available budget for the zone's budgets covering ``on`` (001 l.20371-20381)."""
    statuses = _budget_statuses(CareUnitBudget.objects.filter(
        zone=zone, period_start__lte=on, period_end__gte=on).select_related("person"))
    summary = ZoneBudget(zone, len(statuses), sum((s.allocated for s in statuses), ZERO),
                         sum((s.available for s in statuses), ZERO), sum((s.used for s in statuses), ZERO),
                         sum(1 for s in statuses if (s.used_percent or 0) >= 80))
    return summary, statuses
