"""Benchmark: loading the generated P3 data set into PostgreSQL and SQLite, and the provisions reports on it.

Run alone with ``python -m benchmarks --only benchmarks.p3 [--quick]``. For each database a
fresh one is made (PostgreSQL: database ``careweave_bench_p3`` on the server of ``DATABASE_URL``,
dropped and created again, dropped after the run, the FHIR section's way; SQLite: a file in a
temporary directory, the dashboard section's way) and migrated; a child process pointed at it
creates a zone with five professionals (the disciplines the P3 provisions are billed by) and times:
``load_seed_table(zone, professionals)`` (13,338 persons, every billing line, their audit records),
the same call again (idempotent: nothing is created), the year and the quarter provisions report
``reports.build([zone], "year"|"quarter", suppress=True)`` and the payer's CSV for one year
(``reports.payer_csv(reports.payer_lines([zone], Payer.RIZIV, start, end))``). ``--quick``: SQLite
only, lines of at most 500 units (``max_per_line``; same persons, far fewer lines), one repeat.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date

from benchmarks._common import (
    load,
    machine,
    on_both_databases,
    postgres_url,
    setup_django,
)

REPEATS = 5
CSV_YEAR = 2022
QUICK_MAX_PER_LINE = 500
DATABASE = "careweave_bench_p3"


def task(max_per_line: int | None, repeats: int) -> dict:
    """In the child process, on the database of ``DATABASE_URL`` (fresh): load twice, reports, CSV.

    ``max_per_line``: units per billing line (None: the data set's own ``MAX_PER_LINE``).
    """
    start = time.perf_counter()
    setup_django()
    migrate = time.perf_counter() - start
    from django.db import connection

    from careweave.financing import reports
    from careweave.financing.catalogue import SEED_TABLE
    from careweave.financing.models import Payer, Provision
    from careweave.financing.seedtable import MAX_PER_LINE, Loaded, cohort_size, load_seed_table
    from careweave.people.identifiers import make_nihdi
    from careweave.people.models import Discipline, Professional
    from careweave.territory.models import Zone

    zone = Zone.objects.create(code="ELZ-BENCH", name="ELZ Bench", region=Zone.Region.FLANDERS)
    disciplines = (Discipline.CASE_MANAGER, Discipline.OCCUPATIONAL_THERAPIST, Discipline.PSYCHOLOGIST,
                   Discipline.HOME_NURSE, Discipline.SOCIAL_WORKER)
    professionals = [Professional.objects.create(given_name="Bench", family_name=f"{d.title()}{n}", discipline=d,
                                                 nihdi=make_nihdi(1, n + 1, 3), zone=zone)
                     for n, d in enumerate(disciplines)]

    def timed(fn):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        value = fn()
        return time.perf_counter() - t, value

    max_per_line = max_per_line or MAX_PER_LINE
    load_before = load()
    first_s, first = timed(lambda: load_seed_table(zone, professionals, max_per_line=max_per_line))
    again_s, again = timed(lambda: load_seed_table(zone, professionals, max_per_line=max_per_line))
    assert again == Loaded(0, 0), again
    assert first.persons == cohort_size(), first
    lines = Provision.objects.filter(person__zone=zone).count()
    units = {code: sum(counts) for code, counts in SEED_TABLE.items()}
    out: dict = {"migrate_seconds": migrate, "first_seconds": first_s, "again_seconds": again_s,
                 "persons": first.persons, "lines": first.lines, "lines_in_db": lines}
    for by in ("year", "quarter"):
        times, rep = [], None
        for _ in range(repeats):
            t, rep = timed(lambda by=by: reports.build([zone], by, suppress=True))
            times.append(t)
        assert {r.code: sum(r.counts) for r in rep.rows} == units  # the seed table, every cell
        out[by] = {"first": times[0], "median": statistics.median(times), "times": times, "periods": len(rep.periods),
                   "rows": len(rep.rows), "hidden": sum(sum(r.hidden) for r in rep.rows)}
    start_day, end_day = date(CSV_YEAR, 1, 1), date(CSV_YEAR, 12, 31)
    times, text = [], b""
    for _ in range(repeats):
        t, text = timed(lambda: reports.payer_csv(reports.payer_lines([zone], Payer.RIZIV, start_day, end_day)))
        times.append(t)
    out["csv"] = {"first": times[0], "median": statistics.median(times), "times": times,
                  "rows": text.count(b"\r\n") - 1,
                  "bytes": len(text)}
    out["load"] = [load_before, load()]
    out["vendor"] = connection.vendor
    if connection.vendor == "sqlite":
        import sqlite3

        out["version"] = f"SQLite {sqlite3.sqlite_version}"
    return out


def measure(quick: bool) -> list[tuple[str, dict]]:
    kwargs = {"max_per_line": QUICK_MAX_PER_LINE if quick else None, "repeats": 1 if quick else REPEATS}
    return on_both_databases("benchmarks.p3", DATABASE, quick, **kwargs)


def run(quick: bool = False) -> str:
    load_before = load()
    results = measure(quick)
    load_after = load()
    for name, r in results:  # the raw times, on the console
        print(name, {k: [round(t, 3) for t in r[k]["times"]] for k in ("year", "quarter", "csv")}, flush=True)
    any_r = results[0][1]
    versions = ", ".join(r["version"] for _n, r in results)
    lines = [
        "## P3 data set and provisions reports",
        "",
        f"Measured {date.today():%Y-%m-%d} with `python -m benchmarks --only benchmarks.p3` "
        "(part of `make bench`) on "
        f"{machine()}; {versions} on the same machine; load average {load_before:.1f} before and "
        f"{load_after:.1f} after (other work shares the machine).",
        "",
        f"The generated P3 data set (`load_seed_table(zone, professionals)`, `careweave financing load-p3-table`): "
        f"{any_r['persons']:,} persons and {any_r['lines']:,} billing lines"
        + (f" (quick run: lines of at most {QUICK_MAX_PER_LINE} units, so far fewer than the real data set)"
           if quick else "")
        + ", each person with an audit record; loaded into a fresh, migrated database of each kind "
        "(PostgreSQL: a database created for the run on the server of `DATABASE_URL`, dropped after; SQLite: a "
        "temporary file), in a child process with five professionals in one zone. The reports are the zone staff "
        "view (`suppress=True`); the counts are asserted equal to the seed table. "
        + (f"Reports and CSV: first call and median of {REPEATS} calls." if not quick else "One call each."),
        "",
        "| measurement | " + " | ".join(name for name, _r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]

    def row(label: str, cell) -> str:  # noqa: ANN001
        return f"| {label} | " + " | ".join(cell(r) for _n, r in results) + " |"

    def first_median(part: dict) -> str:
        if quick:
            return f"{part['first'] * 1000:.0f} ms"
        return f"{part['first'] * 1000:.0f} ms / {part['median'] * 1000:.0f} ms"

    y, q, c = any_r["year"], any_r["quarter"], any_r["csv"]
    lines += [
        row("migrate a fresh database (not part of the load)", lambda r: f"{r['migrate_seconds']:.1f} s"),
        row(f"first load: {any_r['persons']:,} persons, {any_r['lines']:,} lines",
            lambda r: f"**{r['first_seconds']:.1f} s**"),
        row("second load (idempotent: 0 persons, 0 lines created)", lambda r: f"{r['again_seconds']:.2f} s"),
        row(f"year report, `suppress=True` ({y['periods']} periods × {y['rows']} types)"
            + ("" if quick else ": first / median"), lambda r: first_median(r["year"])),
        row(f"quarter report, `suppress=True` ({q['periods']} periods × {q['rows']} types)"
            + ("" if quick else ": first / median"), lambda r: first_median(r["quarter"])),
        row(f"payer CSV (RIZIV), {CSV_YEAR}: {c['rows']:,} lines, {c['bytes'] / 1e6:.1f} MB"
            + ("" if quick else ": first / median"), lambda r: first_median(r["csv"])),
    ]
    def meets(r: dict) -> str:
        slowest = max(r["again_seconds"], r["year"]["median"], r["quarter"]["median"], r["csv"]["median"])
        return "meets" if r["first_seconds"] < 60 and slowest < 5 else "MISSES"

    lines += [
        "",
        "- Target: the issue sets none. Ours: loading the data set once under 60 s on either database, the second "
        "(idempotent) run, each report and the CSV under 5 s: "
        + ", ".join(f"{name} {meets(r)}" for name, r in results) + ".",
    ]
    if quick or not postgres_url():
        lines.append("- PostgreSQL is not measured in this run ("
                     + ("quick run" if quick else "`DATABASE_URL` is not a PostgreSQL server") + ").")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    print(run(quick=True))
