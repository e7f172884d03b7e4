"""``careweave population ...``: generate, import-fhir, stratify, indicators.

Exit codes: 0 success, 1 the work failed (e.g. missing data directory), 2 bad usage.
Output format follows the file extension: ``.csv``, ``.parquet`` or ``.json`` (records, for
the web). Progress goes to stderr so stdout stays clean for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the commands that use it: `careweave --help` stays light
    import pandas as pd

FORMATS = (".csv", ".parquet", ".json")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "population", help="population management: synthetic data, risk stratification, indicators",
        description="Population management engine: a synthetic Belgian population, Kaiser-pyramid risk "
                    "stratification and Quintuple-Aim indicators per zone, on DuckDB or Spark.")
    sub = parser.add_subparsers(dest="population_command", metavar="SUBCOMMAND")
    sub.required = True

    gen = sub.add_parser("generate", help="write a synthetic population as Parquet",
                         description="Write a synthetic population calibrated on public Belgian figures. "
                                     "Same seed, same data; memory stays bounded at any size.")
    gen.add_argument("--persons", type=int, required=True, help="number of persons (e.g. 100000 or 11800000)")
    gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    gen.add_argument("--out", required=True, help="output directory (replaced)")
    gen.add_argument("--zone", default=None, help="restrict to one zone, e.g. ZORA (default: all zones)")
    gen.set_defaults(func=cmd_generate)

    imp = sub.add_parser("import-fhir", help="turn FHIR R4 bundles (e.g. Synthea) into the population model",
                         description="Import FHIR transaction bundles; SNOMED and RxNorm codes are mapped "
                                     "where a mapping exists and the rest is counted and reported.")
    imp.add_argument("bundles", nargs="*", help="bundle JSON files")
    imp.add_argument("--from-store", action="store_true",
                     help="read what Careweave holds (people imported from other systems and their stored "
                          "Conditions, medications, vaccinations, encounters, claims) instead of files")
    imp.add_argument("--out", required=True, help="output directory")
    imp.add_argument("--zone", default="ZORA", help="zone whose municipalities the patients are placed in")
    imp.set_defaults(func=cmd_import_fhir)

    for name, helptext in (("stratify", "Kaiser-pyramid level, reasons and outreach flag per person"),
                           ("indicators", "Quintuple-Aim indicators with breakdowns, trends and suppression")):
        p = sub.add_parser(name, help=helptext, description=helptext + ".")
        add_engine_arguments(p)
        p.add_argument("--out", required=True, help="output file: .csv, .parquet or .json")
        p.add_argument("--zone", default=None, help="only this zone")
        if name == "stratify":
            p.add_argument("--year", type=int, default=None, help="reference year (default: latest)")
            p.set_defaults(func=cmd_stratify)
        else:
            p.add_argument("--k", type=int, default=None,
                           help="small-cell threshold (default: setting SMALL_CELL_K, 5)")
            p.add_argument("--indicator", action="append", default=None, metavar="ID",
                           help="only this indicator (repeat for more; default: the whole catalogue); "
                                "only what it needs is computed")
            p.add_argument("--year", type=int, action="append", default=None,
                           help="only this year (repeat for more; default: every year in the data)")
            p.set_defaults(func=cmd_indicators)


def _say(msg: str) -> None:
    sys.stderr.write(f"  {msg}\n")
    sys.stderr.flush()


def write_frame(frame: pd.DataFrame, out: str | Path) -> Path:
    """Write by extension; JSON as a list of records (NaN as null)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        frame.to_csv(out, index=False)
    elif out.suffix == ".parquet":
        frame.to_parquet(out, index=False)
    elif out.suffix == ".json":
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        out.write_text(json.dumps(records, ensure_ascii=False))
    else:
        raise ValueError(f"unknown output format {out.suffix!r} (use {', '.join(FORMATS)})")
    return out


def check_out(out: str) -> int | None:
    if Path(out).suffix not in FORMATS:
        sys.stderr.write(f"error: --out must end in {', '.join(FORMATS)}\n")
        return 2
    return None


def cmd_generate(args: argparse.Namespace) -> int:
    from .generator import generate, stderr_progress

    if args.persons < 1:
        sys.stderr.write("error: --persons must be at least 1\n")
        return 2
    start = time.perf_counter()
    try:
        manifest = generate(args.persons, args.seed, args.out, zone=args.zone, progress=stderr_progress)
    except KeyError:
        sys.stderr.write(f"error: unknown zone {args.zone!r}\n")
        return 2
    print(f"wrote {manifest['persons']:,} persons (seed {args.seed}) to {args.out} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_import_fhir(args: argparse.Namespace) -> int:
    from .fhir_import import import_bundles, import_store

    if args.from_store == bool(args.bundles):
        sys.stderr.write("error: give bundle files or --from-store (one of the two)\n")
        return 2
    if args.from_store:
        from careweave.cli import setup_django

        setup_django()
        try:
            report = import_store(args.out, zone=args.zone)
        except KeyError:
            sys.stderr.write(f"error: unknown zone {args.zone!r}\n")
            return 2
        print(report.as_text())
        return 0
    missing = [b for b in args.bundles if not Path(b).is_file()]
    if missing:
        sys.stderr.write(f"error: no such bundle: {', '.join(missing)}\n")
        return 1
    try:
        report = import_bundles(args.bundles, args.out, zone=args.zone)
    except (ValueError, json.JSONDecodeError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except KeyError:
        sys.stderr.write(f"error: unknown zone {args.zone!r}\n")
        return 2
    print(report.as_text())
    return 0


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data`` and ``--engine``, the same for every command that reads the population data set."""
    parser.add_argument("--data", required=True, help="population data directory")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="engine (default duckdb)")


def open_data_engine(args: argparse.Namespace):  # noqa: ANN201
    """The engine on ``--data``, or None after saying why on stderr (the command then exits 1)."""
    from .engines import DataDirError, open_engine

    try:
        return open_engine(args.engine, args.data)
    except DataDirError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return None


def _check_years(engine, years: list[int] | None) -> int | None:
    """Exit code 2 when a requested year has no data."""
    from .stratify import data_years

    if not years:
        return None
    known = data_years(engine)
    missing = sorted(set(years) - set(known))
    if missing:
        sys.stderr.write(f"error: no data for {', '.join(map(str, missing))} "
                         f"(years in the data: {', '.join(map(str, known))})\n")
        return 2
    return None


def cmd_stratify(args: argparse.Namespace) -> int:
    from . import stratify

    if (code := check_out(args.out)) is not None:
        return code
    start = time.perf_counter()
    if (engine := open_data_engine(args)) is None:
        return 1
    try:
        if (code := _check_years(engine, [args.year] if args.year else None)) is not None:
            return code
        frame = stratify.run(engine, year=args.year, zone=args.zone, progress=_say)
    finally:
        engine.close()
    write_frame(frame, args.out)
    counts = frame["level"].value_counts().sort_index()
    print(f"{len(frame):,} persons stratified in {time.perf_counter() - start:.1f} s -> {args.out}")
    for level, n in counts.items():
        print(f"  level {level}: {n:,}")
    print(f"  outreach: {int(frame['outreach'].sum()):,}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from . import indicators

    if (code := check_out(args.out)) is not None:
        return code
    try:
        indicators.select(args.indicator)
    except KeyError as exc:
        sys.stderr.write(f"error: unknown indicator {exc.args[0]}\n")
        return 2
    k = args.k if args.k is not None else _setting_k()
    start = time.perf_counter()
    if (engine := open_data_engine(args)) is None:
        return 1
    try:
        if (code := _check_years(engine, args.year)) is not None:
            return code
        frame = indicators.run(engine, zone=args.zone, k=k, progress=_say, ids=args.indicator, years=args.year)
    finally:
        engine.close()
    if frame.empty:
        sys.stderr.write(f"error: no data for zone {args.zone!r}\n")
        return 1
    write_frame(frame, args.out)
    print(f"{frame['indicator'].nunique()} indicators, {len(frame):,} rows "
          f"({int(frame['suppressed'].sum()):,} suppressed, k={k}) in {time.perf_counter() - start:.1f} s "
          f"-> {args.out}")
    return 0


def _setting_k() -> int:
    """``settings.SMALL_CELL_K`` without ``django.setup()``: reading a setting needs only the settings
    module (0.07 s), loading every app took 1 s of the command's fixed cost (issue #19)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    try:
        from django.conf import settings

        return int(getattr(settings, "SMALL_CELL_K", 5))
    except Exception:  # settings unavailable: the documented default
        return 5
