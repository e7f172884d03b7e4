"""``careweave sof ...``: run ViewDefinitions over ndjson, and write the official suite's test report.

Exit codes: 0 success, 1 the work failed (a view that cannot run, a failing suite case), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _suite_dir() -> Path:
    shared = Path(os.environ.get("CAREWEAVE_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
    return shared / "sql-on-fhir-v2" / "tests"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sof", help="SQL on FHIR v2: run ViewDefinitions on DuckDB or Spark, official test report",
        description="SQL-on-FHIR v2 ViewDefinitions compiled to SQL, run on DuckDB or Spark.")
    sub = parser.add_subparsers(dest="sof_command", metavar="SUBCOMMAND")
    sub.required = True

    report = sub.add_parser("test-report", help="run the official test suite and write its test report",
                            description="Run every case of the official SQL-on-FHIR v2 suite; write one report "
                                        "per file and test_report.json in the suite's report format.")
    report.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    report.add_argument("--out", default="var/sof-test-report", help="output directory (default var/sof-test-report)")
    report.add_argument("--suite", default=None, help="suite directory (default ../shared/sql-on-fhir-v2/tests)")
    report.set_defaults(func=cmd_test_report)

    run = sub.add_parser("run", help="run views over a directory of Bulk-Data ndjson files",
                         description="Run ViewDefinitions (JSON files, or the shipped views) over <Type>*.ndjson "
                                     "files; write one CSV or Parquet per view.")
    run.add_argument("--source", required=True, help="directory of <ResourceType>*.ndjson files")
    run.add_argument("--views", nargs="*", default=None, help="ViewDefinition JSON files (default: shipped views)")
    run.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    run.add_argument("--out", required=True, help="output directory")
    run.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    run.set_defaults(func=cmd_run)


def cmd_test_report(args: argparse.Namespace) -> int:
    from careweave.sof.testsuite import write_reports

    suite = Path(args.suite) if args.suite else _suite_dir()
    if not suite.is_dir():
        print(f"the suite directory {suite} does not exist (set CAREWEAVE_SHARED or --suite)", file=sys.stderr)
        return 1
    options = {}
    if args.engine == "spark":
        from careweave.population.engines import local_spark

        options["spark"] = local_spark("careweave-sof-report")
        options["spark"].sparkContext.setLogLevel("ERROR")
    results = write_reports(suite, Path(args.out), args.engine, **options)
    passed = sum(r.passed for r in results)
    for r in results:
        if not r.passed:
            print(f"FAIL {r.file}: {r.name}: {r.reason}", file=sys.stderr)
    print(f"{args.engine}: {passed} of {len(results)} cases passed; report in {args.out}")
    return 0 if passed == len(results) else 1


def cmd_run(args: argparse.Namespace) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from careweave.sof import ViewDefinitionError, run_views, shipped_views

    if args.views:
        views = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.views]
    else:
        views = list(shipped_views().values())
    try:
        tables = run_views(views, args.source, args.engine)
    except ViewDefinitionError as exc:
        print(f"the view cannot run: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if args.format == "csv":
            pacsv.write_csv(table, out / f"{name}.csv")
        else:
            pq.write_table(table, out / f"{name}.parquet")
        print(f"{name}: {table.num_rows} rows")
    return 0
