"""A data set of billed provisions whose counts per type and period are exactly the seed's P3 table (003 l.6-27).

Each cell's count is spread over the months of its period and over a few persons (one billing line per person
per month with a quantity), so the whole table (936,182 provisions) is a few thousand lines. Idempotent: every
line has an ``external_id`` (``p3seed:<type>:<yyyy-mm>:<n>``); a second run creates nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import cycle

from django.db import transaction

from careweave.access.audit import record_access
from careweave.people.models import Person, Professional

from .actions import tariff_on
from .catalogue import SEED_PERIODS, SEED_TABLE
from .models import Payer, Provision, ProvisionType

PREFIX = "p3seed:"
DISCIPLINE = {"CASEMANAGEMENT": "case_manager", "ERGO": "ot", "ERGO GROEP": "ot", "PSY": "psychologist",
              "PSY GROEP": "psychologist", "NACHTBEZOEK": "home_nurse", "ZORGEDUCATIE": "home_nurse",
              "MANTELZORGERS": "social_worker"}


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def planned_lines(lines_per_month: int = 4) -> list[tuple[str, date, int, int]]:
    """(type code, first day of month, line number, quantity) for every line of the table."""
    out = []
    for code, counts in SEED_TABLE.items():
        for (year, first, last), count in zip(SEED_PERIODS, counts, strict=True):
            months = [m for q in range(first, last + 1) for m in range(3 * q - 2, 3 * q + 1)]
            for month, n in zip(months, _split(count, len(months)), strict=True):
                for i, qty in enumerate(_split(n, min(lines_per_month, n)) if n else []):
                    out.append((code, date(year, month, 1 + (i * 7) % 28), i, qty))
    return out


def load_seed_table(persons: list[Person], professionals: list[Professional], actor=None,  # noqa: ANN001
                    lines_per_month: int = 4) -> int:
    """Create the lines that do not exist yet (status billed, tariff of their date); return how many."""
    if not persons or not professionals:
        raise ValueError("the seed table needs at least one person and one professional")
    types = {t.code: t for t in ProvisionType.objects.filter(code__in=list(SEED_TABLE))}
    by_discipline: dict[str, list[Professional]] = {}
    for p in professionals:
        by_discipline.setdefault(p.discipline, []).append(p)
    providers = {code: cycle(by_discipline.get(d) or professionals) for code, d in DISCIPLINE.items()}
    people = cycle(persons)
    existing = set(Provision.objects.filter(external_id__startswith=PREFIX).values_list("external_id", flat=True))
    tariffs: dict[str, list] = {code: list(t.tariffs.filter(payer=Payer.RIZIV)) for code, t in types.items()}

    def tariff(code: str, day: date):  # noqa: ANN202 - the tariff valid that day, as actions.tariff_on says
        for t in tariffs[code]:
            if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to):
                return t
        return tariff_on(types[code], Payer.RIZIV, day)  # raises the rule error naming type and day

    new = []
    for code, day, i, qty in planned_lines(lines_per_month):
        person = next(people)
        ext = f"{PREFIX}{code}:{day:%Y-%m}:{i}"
        if ext in existing:
            continue
        ptype = types[code]
        applied = tariff(code, day)
        quantity = Decimal(qty)
        new.append(Provision(person=person, professional=next(providers[code]), provision_type=ptype, date=day,
                             quantity=quantity, care_units=quantity * ptype.care_units, payer=Payer.RIZIV,
                             tariff=applied, amount=quantity * applied.amount, status=Provision.Status.BILLED,
                             external_id=ext, registered_by=actor if getattr(actor, "pk", None) else None))
    with transaction.atomic():
        Provision.objects.bulk_create(new, batch_size=1000)
        for person in {p.person_id: p.person for p in new}.values():
            record_access(actor, "create", "Claim", str(person.fhir_id), person=person,
                          reason="import of the P3 billed-provisions data set", channel="import")
    return len(new)
