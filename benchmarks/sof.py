"""Benchmark: SQL-on-FHIR views over Careweave-like Bulk-Data ndjson, DuckDB vs Spark vs a published engine.

Run alone with ``python -m benchmarks --only benchmarks.sof [--quick]``. Data: ``benchmarks/sof_data.py``
(reused under ``var/bench/sof-N`` when present). Views: every shipped view (``careweave/sof/views``)
plus the benchmark's own (``benchmarks/sof_views``: forEach, forEachOrNull, repeat, where,
getReferenceKey, ofType, extension). Each DuckDB run is a fresh child process (its own peak RSS); the
clock covers ``run_views`` over the directory: reading the files, every view, the Arrow results.
Spark runs the same views on the same files and its rows are compared sorted with DuckDB's. The peer
is the PyPI package ``sqlonfhir`` (a Python SQL-on-FHIR v2 evaluator on fhirpathpy), installed
outside the repository (``CAREWEAVE_SOF_PEER_PYTHON``, default ``/tmp/sofpeer/bin/python``) and run
on the same files; its rows are compared too. Both record wall and CPU seconds (the machine is
shared: the CPU-time ratio is the fairer one). ``python -m benchmarks.sof N ROUNDS PEER_ROUNDS``
runs DuckDB and the peer in turns at N persons (``alternate``). ``--quick``: 10,000 persons, no
1,000,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import date
from pathlib import Path

from benchmarks._common import REPO, child, gib, load, machine

TARGET_SECONDS = 60.0
TARGET_MIB = 4096
VIEWS_DIR = REPO / "benchmarks" / "sof_views"
PEER_PYTHON = os.environ.get("CAREWEAVE_SOF_PEER_PYTHON", "/tmp/sofpeer/bin/python")


def views() -> list[dict]:
    from careweave.sof import shipped_views

    own = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(VIEWS_DIR.glob("*.json"))]
    return list(shipped_views().values()) + own


def dataset(persons: int) -> tuple[Path, float | None]:
    from benchmarks.sof_data import generate

    root = Path(os.environ.get("CAREWEAVE_BENCH_DIR", REPO / "var" / "bench"))
    path = root / f"sof-{persons}"
    marker = path / "counts.json"
    if marker.exists():
        return path, None
    start = time.perf_counter()
    counts = generate(persons, path)
    marker.write_text(json.dumps(counts))
    return path, time.perf_counter() - start


def _rows(table) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in _normal(table.to_pylist()))


def _normal(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        fixed = {}
        for k, v in row.items():
            if isinstance(v, float) and v == int(v):
                v = int(v)
            fixed[k] = None if v is None else v
        out.append(fixed)
    return out


def run_duckdb(source: str, dump: str | None = None) -> dict:
    """In a child: run every view on DuckDB; seconds, peak RSS, rows per view (and the sorted rows)."""
    from benchmarks._common import peak_rss_mib
    from careweave.sof import run_views

    all_views = views()
    start, cpu = time.perf_counter(), time.process_time()
    tables = run_views(all_views, source, "duckdb")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if dump:
        Path(dump).write_text(json.dumps({n: _rows(t) for n, t in tables.items()}))
    return {"seconds": seconds, "cpu": cpu, "peak_mib": peak_rss_mib(),
            "rows": {n: t.num_rows for n, t in tables.items()}}


def run_spark(source: str, dump: str) -> dict:
    from careweave.population.engines import local_spark
    from careweave.sof import run_views

    spark = local_spark("careweave-bench-sof")
    spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    tables = run_views(views(), source, "spark", spark=spark)
    seconds = time.perf_counter() - start
    Path(dump).write_text(json.dumps({n: _rows(t) for n, t in tables.items()}))
    spark.stop()
    return {"seconds": seconds}


PEER_CODE = r"""
import json, sys, time, glob
from sqlonfhir import evaluate
source, views_file, dump = sys.argv[1:4]
views = json.load(open(views_file))
start, cpu = time.perf_counter(), time.process_time()
by_type = {}
for path in sorted(glob.glob(source + "/*.ndjson")):
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            by_type.setdefault(r["resourceType"], []).append(r)
out = {}
for v in views:
    rows = evaluate(by_type.get(v["resource"], []), v)
    fixed = []
    for row in rows:
        row = {k: (float(x) if type(x).__name__ == "Decimal" else x) for k, x in row.items()}
        row = {k: (int(x) if isinstance(x, float) and x == int(x)
                   else x if x is None or isinstance(x, (int, float, bool, str)) else str(x))
               for k, x in row.items()}
        fixed.append(json.dumps(row, sort_keys=True, default=str))
    out[v["name"]] = sorted(fixed)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
json.dump(out, open(dump, "w"))
print(json.dumps({"seconds": seconds, "cpu": cpu}))
"""


def run_peer(source: Path, dump: Path) -> dict | None:
    if not Path(PEER_PYTHON).exists():
        return None
    views_file = dump.with_suffix(".views.json")
    views_file.write_text(json.dumps(views()))
    proc = subprocess.run([PEER_PYTHON, "-c", PEER_CODE, str(source), str(views_file), str(dump)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr[-800:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _same(a: Path, b: Path) -> tuple[bool, list[str]]:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    differ = [n for n in left if left[n] != right.get(n)]
    return not differ, differ


def run(quick: bool = False) -> str:
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    work = REPO / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    lines = ["## SQL on FHIR views", "",
             f"Machine: {machine()}; load {load():.1f}; {date.today():%Y-%m-%d}. Views: {len(views())} "
             "(every shipped view plus `benchmarks/sof_views`). DuckDB: `careweave.sof.run_views` over the "
             "ndjson directory, one fresh process per run (peak RSS its own).", "",
             "| persons | resources | ndjson | DuckDB s | DuckDB peak RSS | Spark s | same rows as Spark | "
             "peer s (sqlonfhir) | same rows as peer | DuckDB × faster |",
             "|---:|---:|---:|---:|---:|---:|---|---:|---|---:|"]
    for persons in sizes:
        source, _generated = dataset(persons)
        counts = json.loads((source / "counts.json").read_text())
        size = sum(p.stat().st_size for p in source.glob("*.ndjson")) / 2**20
        dump_d = work / f"sof-{persons}-duckdb.json"
        duck = child("benchmarks.sof", "run_duckdb", source=str(source), dump=str(dump_d))
        spark_s, spark_same, peer_s, peer_same, ratio = "–", "–", "–", "–", "–"
        if persons <= 100_000 and os.environ.get("CAREWEAVE_BENCH_SPARK", "1") == "1":
            dump_s = work / f"sof-{persons}-spark.json"
            spark = child("benchmarks.sof", "run_spark", source=str(source), dump=str(dump_s))
            same, differ = _same(dump_d, dump_s)
            spark_s, spark_same = f"{spark['seconds']:.1f}", "yes" if same else f"no: {', '.join(differ)}"
        if persons <= int(os.environ.get("CAREWEAVE_BENCH_PEER_MAX", "10000")):
            dump_p = work / f"sof-{persons}-peer.json"
            peer = run_peer(source, dump_p)
            if peer and "seconds" in peer:
                same, differ = _same(dump_d, dump_p)
                peer_s, peer_same = f"{peer['seconds']:.1f}", "yes" if same else f"no: {', '.join(differ)}"
                ratio = f"{peer['seconds'] / duck['seconds']:.1f}× wall, {peer['cpu'] / duck['cpu']:.1f}× CPU"
            elif peer:
                peer_s = "failed"
        lines.append(f"| {persons:,} | {sum(counts.values()):,} | {size:,.0f} MiB | {duck['seconds']:.1f} | "
                     f"{gib(duck['peak_mib'])} | {spark_s} | {spark_same} | {peer_s} | {peer_same} | {ratio} |")
    lines += ["", f"Targets (issue 20): 100,000 persons under {TARGET_SECONDS:.0f} s and {TARGET_MIB // 1024} GiB "
              "on DuckDB; identical rows on Spark and on a published engine; DuckDB at least 20× faster than it."]
    return "\n".join(lines) + "\n"


def alternate(persons: int, rounds: int = 2, peer_rounds: int | None = None) -> list[dict]:
    """DuckDB and the peer in turns on the same files (the machine is shared: turns spread the load
    over both); each run's wall and CPU seconds, and whether its rows equal the other's."""
    source, _ = dataset(persons)
    work = REPO / "var" / "bench"
    results = []
    for n in range(rounds):
        dump_d, dump_p = work / f"sof-{persons}-duckdb.json", work / f"sof-{persons}-peer.json"
        duck = child("benchmarks.sof", "run_duckdb", source=str(source), dump=str(dump_d))
        results.append({"engine": "duckdb", "load": load(), **{k: duck[k] for k in ("seconds", "cpu", "peak_mib")}})
        if n < (rounds if peer_rounds is None else peer_rounds):
            peer = run_peer(source, dump_p) or {"error": "peer not installed"}
            if "seconds" in peer:
                same, differ = _same(dump_d, dump_p)
                peer["differ"] = differ
            results.append({"engine": "peer", "load": load(), **peer})
    return results


if __name__ == "__main__":
    import sys

    print(json.dumps(alternate(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])), indent=1))
