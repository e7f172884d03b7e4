"""A generated data set whose billed provisions are exactly the seed's P3 table, all rows (003 l.6-27).

The table counts billed provisions per type and period (l.9-25) and the new patients per period (l.27,
"NIEUWE PATIENTEN": 2,675 … 720, 13,338 in all). So the data set is a cohort of 13,338 generated persons, each
entering care in the month the table's new-patient count puts them in, with case management as their first
provision (one of the three basic P3 provisions, 003 l.231-235). The rest of every cell is billed on persons
already in care (entered in the last twelve months), one line per person, type and month of at most
``MAX_PER_LINE`` units, so no line claims more visits than a month has days, and over at least ``MIN_LINES``
persons a month, so that no cell of the table concerns fewer persons than the small-cell threshold hides.

Idempotent: persons and lines carry an ``external_id`` (``p3seed:v2:person:<n>``, ``p3seed:v2:<type>:<yyyy-mm>:
<n>``); a second run creates nothing. Lines of another version of this data set (``p3seed:<type>:…``, carried
by demo persons, without the new-patient row; or another layout) are replaced: they are our own generated
lines, never real claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import cycle

from django.db import transaction

from careweave.access.audit import audit_event, record_many
from careweave.people.models import Person, Professional, Sex
from careweave.territory.models import Zone

from .actions import tariff_on
from .catalogue import SEED_NEW_PATIENTS, SEED_PERIODS, SEED_TABLE
from .models import Payer, Provision, ProvisionType

OLD_PREFIX = "p3seed:"
PREFIX = "p3seed:v2:"
PERSON_PREFIX = f"{PREFIX}person:"
FIRST_PROVISION = "CASEMANAGEMENT"
MAX_PER_LINE = 25
MIN_LINES = 10  # a small cell (8 group sessions in a quarter) is spread over persons, not billed on one or two
IN_CARE_MONTHS = 12
DISCIPLINE = {"CASEMANAGEMENT": "case_manager", "ERGO": "ot", "ERGO GROEP": "ot", "PSY": "psychologist",
              "PSY GROEP": "psychologist", "NACHTBEZOEK": "home_nurse", "ZORGEDUCATIE": "home_nurse",
              "MANTELZORGERS": "social_worker"}


@dataclass(frozen=True)
class Line:
    """One planned billing line: ``quantity`` units of ``code`` for cohort person ``person`` on ``day``."""

    code: str
    day: date
    key: str
    quantity: int
    person: int


@dataclass(frozen=True)
class Loaded:
    persons: int
    lines: int


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _months(first_quarter: int, last_quarter: int) -> list[int]:
    return [m for q in range(first_quarter, last_quarter + 1) for m in range(3 * q - 2, 3 * q + 1)]


def cohort_size() -> int:
    return sum(SEED_NEW_PATIENTS)


def planned_lines(max_per_line: int = MAX_PER_LINE) -> list[Line]:
    """Every line of the data set, persons numbered 0 … cohort_size()-1 in the order they enter care."""
    lines: list[Line] = []
    entered: list[tuple[int, int]] = []  # (month number, person) in order of entry
    person = 0
    for column, (year, first, last) in enumerate(SEED_PERIODS):
        months = _months(first, last)
        per_type = {code: _split(counts[column], len(months)) for code, counts in SEED_TABLE.items()}
        for m, (month, arrivals) in enumerate(zip(months, _split(SEED_NEW_PATIENTS[column], len(months)),
                                                  strict=True)):
            stamp = year * 12 + month
            left = {code: per_type[code][m] for code in SEED_TABLE}
            for k in range(arrivals):  # the first provision of every new patient
                code = FIRST_PROVISION if left[FIRST_PROVISION] else max(left, key=left.__getitem__)
                left[code] -= 1
                lines.append(Line(code, date(year, month, 1 + k % 28), f"{code}:{year}-{month:02}:new{k}", 1, person))
                entered.append((stamp, person))
                person += 1
            in_care = [p for s, p in entered if stamp - s < IN_CARE_MONTHS]
            for t, (code, n) in enumerate(left.items()):
                if not n:
                    continue
                parts = max(-(-n // max_per_line), min(n, MIN_LINES))
                offset = (t * 7919 + stamp * 104729) % len(in_care)
                for i, qty in enumerate(_split(n, parts)):
                    who = in_care[(offset + i) % len(in_care)]
                    lines.append(Line(code, date(year, month, 1 + (i * 3 + t) % 28), f"{code}:{year}-{month:02}:{i}",
                                      qty, who))
    return lines


def _cohort_person(n: int, zone: Zone) -> Person:
    """A generated, pseudonymous P3 patient: frail and mostly older (born 1925-1959), no SSIN, no user."""
    return Person(given_name="P3", family_name=f"{n + 1:05d}", external_id=f"{PERSON_PREFIX}{n}",
                  birth_date=date(1925 + (n * 7) % 35, 1 + n % 12, 1 + (n * 5) % 28),
                  sex=Sex.FEMALE if n % 5 < 3 else Sex.MALE, zone=zone, living_situation="P3 data set (003 l.6-27)")


def load_seed_table(zone: Zone, professionals: list[Professional], actor=None,  # noqa: ANN001
                    max_per_line: int = MAX_PER_LINE) -> Loaded:
    """Create the cohort persons and billing lines that do not exist yet (billed, tariff of their date)."""
    if not professionals:
        raise ValueError("the P3 data set needs at least one professional")
    plan = planned_lines(max_per_line)
    types = {t.code: t for t in ProvisionType.objects.filter(code__in=list(SEED_TABLE))}
    by_discipline: dict[str, list[Professional]] = {}
    for p in professionals:
        by_discipline.setdefault(p.discipline, []).append(p)
    providers = {code: cycle(by_discipline.get(d) or professionals) for code, d in DISCIPLINE.items()}
    tariffs = {code: list(t.tariffs.filter(payer=Payer.RIZIV)) for code, t in types.items()}

    def tariff(code: str, day: date):  # noqa: ANN202 - the tariff valid that day, as actions.tariff_on says
        for t in tariffs[code]:
            if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to):
                return t
        return tariff_on(types[code], Payer.RIZIV, day)  # raises the rule error naming type and day

    with transaction.atomic():
        Provision.objects.filter(external_id__startswith=OLD_PREFIX).exclude(external_id__startswith=PREFIX).delete()
        known = dict(Person.objects.filter(external_id__startswith=PERSON_PREFIX).values_list("external_id", "pk"))
        missing = [_cohort_person(n, zone) for n in range(cohort_size()) if f"{PERSON_PREFIX}{n}" not in known]
        Person.objects.bulk_create(missing, batch_size=1000)
        if missing:
            known = dict(Person.objects.filter(external_id__startswith=PERSON_PREFIX)
                         .values_list("external_id", "pk"))
        # A line that is not what this version plans (another layout of the data set) is replaced, so that the
        # table stays exact whatever version loaded the database before.
        planned = {f"{PREFIX}{line.key}": (Decimal(line.quantity), line.day, f"{PERSON_PREFIX}{line.person}")
                   for line in plan}
        existing = set()
        stale = []
        for ext, quantity, day, person in (Provision.objects.filter(external_id__startswith=PREFIX)
                                           .values_list("external_id", "quantity", "date", "person__external_id")):
            if planned.get(ext) == (quantity, day, person):
                existing.add(ext)
            else:
                stale.append(ext)
        for start in range(0, len(stale), 1000):
            Provision.objects.filter(external_id__in=stale[start:start + 1000]).delete()
        registered_by = actor if getattr(actor, "pk", None) else None
        new = []
        for line in plan:
            ext = f"{PREFIX}{line.key}"
            if ext in existing:
                continue
            ptype, applied, quantity = types[line.code], tariff(line.code, line.day), Decimal(line.quantity)
            new.append(Provision(person_id=known[f"{PERSON_PREFIX}{line.person}"],
                                 professional=next(providers[line.code]), provision_type=ptype, date=line.day,
                                 quantity=quantity, care_units=quantity * ptype.care_units, payer=Payer.RIZIV,
                                 tariff=applied, amount=quantity * applied.amount, status=Provision.Status.BILLED,
                                 external_id=ext, registered_by=registered_by))
        Provision.objects.bulk_create(new, batch_size=2000)
        events = []
        for person_id in sorted({p.person_id for p in new}):
            event = audit_event(actor, "create", "Claim", reason="import of the P3 billed-provisions data set",
                                channel="import")
            event.person_id = person_id
            events.append(event)
        record_many(events)
    return Loaded(len(missing), len(new))
