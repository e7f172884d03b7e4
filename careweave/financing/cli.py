"""``careweave financing ...``: the simulator on DuckDB or Spark, and the seed's P3 data set.

Exit codes: 0 success, 1 the work failed (e.g. missing data directory), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time


def register(subparsers) -> None:  # noqa: ANN001
    from careweave.population.cli import add_engine_arguments

    from .catalogue import SHADOW_MODELS

    parser = subparsers.add_parser(
        "financing", help="financing: simulate payment models, load the P3 billed-provisions data set",
        description="Provisions and financing (C9): compare financing models on a population data set, on "
                    "DuckDB or Spark, and load the billed provisions of the seed's P3 table.")
    sub = parser.add_subparsers(dest="financing_command", metavar="SUBCOMMAND")
    sub.required = True
    sim = sub.add_parser("simulate", help="every financing model per zone, side by side",
                         description="Fee-for-service, forfait, bundled payment, budget guarantee, virtual payment "
                                     "and pay for performance on the same population (example parameters).")
    add_engine_arguments(sim)
    sim.add_argument("--year", type=int, default=None, help="reference year (default: latest)")
    sim.add_argument("--shadow", choices=SHADOW_MODELS, default="capitation",
                     help=f"model computed in the shadow of fee-for-service (one of: {', '.join(SHADOW_MODELS)})")
    sim.add_argument("--out", required=True, help="output file: .csv, .parquet or .json (one row per zone)")
    sim.set_defaults(func=cmd_simulate)
    load = sub.add_parser("load-p3-table", help="the generated P3 data set that reproduces the seed table (idempotent)",
                          description="13,338 generated persons and their billed provisions: per type and period, and "
                                      "new patients per period, exactly the table of 003 l.6-27.")
    load.add_argument("--zone", default="ZORA", help="zone that receives the generated persons")
    load.add_argument("--db", default=None, help="SQLite database file (default: the configured database)")
    load.set_defaults(func=cmd_load)


def cmd_simulate(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django()
    from careweave.population.cli import check_out, open_data_engine, write_frame

    from .simulator import NoDataForYear, Parameters, run

    if (code := check_out(args.out)) is not None:
        return code
    start = time.perf_counter()
    if (engine := open_data_engine(args)) is None:
        return 1
    try:
        result = run(engine, Parameters(year=args.year, shadow_model=args.shadow))
    except NoDataForYear as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    finally:
        engine.close()
    zones = result["zones"]
    write_frame(zones, args.out)
    print(f"{len(zones)} zones, {int(zones['persons'].sum()):,} persons, {result['year']} on {args.engine} "
          f"in {time.perf_counter() - start:.1f} s -> {args.out}")
    for model in ("ffs", "capitation", "bundled", "guarantee", "p4p"):
        print(f"  {model:<11} EUR {zones[model].sum():>16,.2f}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(args.db)
    from django.core.management import CommandError, call_command

    try:
        call_command("load_p3_table", "--zone", args.zone)
    except CommandError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0
