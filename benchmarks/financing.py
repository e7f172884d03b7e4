"""Benchmark: the financing simulator's six models per zone on 1 million persons, DuckDB and Spark local[N].

Run alone with ``python -m benchmarks --only benchmarks.financing [--quick]``. The data set is
the population section's (``var/bench/population-1000000``, or ``$CAREWEAVE_BENCH_DIR``): reused when
it is there with that many persons, generated the same way (seed 1) when not. Each run is a fresh
child process, so its peak RSS (``VmHWM``) is its own; the clock starts after the libraries are
imported (and, for Spark, after the session has started) and stops when the result of
``simulator.run(engine, Parameters())`` is in memory: opening the engine on the Parquet files,
stratifying the reference year with the columns the simulator needs, the use cells, the three
pay-for-performance indicators and the six models per zone (what ``careweave financing simulate``
runs). DuckDB runs ``REPEATS`` times (the machine is shared); Spark once. The DuckDB and Spark results
are compared as ``tests/financing/test_simulator_spark.py`` does (cells, indicator values and zones,
``rtol=1e-9``). ``--quick``: 100,000 persons (the population section's quick data set), DuckDB only.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from benchmarks._common import REPO, child, descendants, gib, load, machine, peak_rss_mib

PERSONS = 1_000_000
QUICK_PERSONS = 100_000  # the population section's --quick data set
REPEATS = 3
# Ours, not the (it sets none): a what-if on a whole data set of 1 million persons answers
# within 10 s and 4 GiB on DuckDB, so a planner can try parameters one after the other.
TARGET_SECONDS = 10.0
TARGET_MIB = 4096
MODELS = ("ffs", "capitation", "bundled", "guarantee", "virtual", "p4p")


def dataset(persons: int) -> tuple[Path, float | None]:
    """The population section's data set of ``persons``: (directory, generation seconds or None if reused)."""
    root = Path(os.environ.get("CAREWEAVE_BENCH_DIR", REPO / "var" / "bench"))
    data = root / f"population-{persons}"
    try:
        if json.loads((data / "manifest.json").read_text())["persons"] == persons:
            return data, None
    except (OSError, ValueError, KeyError):
        pass
    from careweave.population.generator import generate

    start = time.perf_counter()
    generate(persons, 1, data)
    return data, time.perf_counter() - start


def task(engine: str, data: str, out: str) -> dict:
    """One simulation on ``engine`` (child process); the frames go to ``out`` for the comparison."""
    import django

    django.setup()
    import duckdb  # noqa: F401  imported before the clock starts
    import pandas as pd  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from careweave.financing.simulator import Parameters, run
    from careweave.population.engines import local_spark, open_engine

    session = time.perf_counter()
    spark = local_spark("careweave-bench-financing") if engine == "spark" else None
    session = time.perf_counter() - session
    wall, cpu = time.perf_counter(), time.process_time()
    eng = open_engine(engine, data, spark=spark)
    try:
        result = run(eng, Parameters())
    finally:
        eng.close()
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    jvm = max((peak_rss_mib(pid) for pid in descendants()), default=0.0) if spark is not None else None
    zones = result["zones"]
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("cells", "values", "zones"):
        result[name].to_parquet(target / f"{name}_{engine}.parquet")
    if spark is not None:
        spark.stop()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "session_seconds": session,
            "peak_rss_mib": peak_rss_mib(), "jvm_peak_rss_mib": jvm, "year": result["year"],
            "zones": len(zones), "persons": int(zones["persons"].sum()), "cells": len(result["cells"]),
            "totals": {m: float(zones[m].sum()) for m in (*MODELS, "transition", "efficiency", "reinvested")},
            "targets_met": int(zones["targets_met"].sum()), "targets": len(Parameters().targets)}


def same(out: Path) -> tuple[bool, str]:
    """The comparison of ``tests/financing/test_simulator_spark.py``: cells, indicator values, zones."""
    import pandas as pd

    key = ["zone", "indicator"]
    try:
        for name in ("cells", "values", "zones"):
            d = pd.read_parquet(out / f"{name}_duckdb.parquet")
            s = pd.read_parquet(out / f"{name}_spark.parquet")
            if name == "values":
                d, s = (f.sort_values(key).reset_index(drop=True) for f in (d, s))
            pd.testing.assert_frame_equal(d, s, check_dtype=False, rtol=1e-9)
    except AssertionError as exc:
        return False, str(exc).splitlines()[0]
    return True, ""


def run(quick: bool = False, persons: int | None = None, spark: bool | None = None) -> str:
    n = persons or (QUICK_PERSONS if quick else PERSONS)
    spark = (not quick) if spark is None else spark
    load_before = load()
    data, generated = dataset(n)
    out = data.parent / f"_financing_bench-{n}"
    shutil.rmtree(out, ignore_errors=True)
    try:
        duck = [child("benchmarks.financing", "task", engine="duckdb", data=str(data), out=str(out))
                for _ in range(1 if quick else REPEATS)]
        spk = child("benchmarks.financing", "task", engine="spark", data=str(data), out=str(out)) \
            if spark else None
        identical, why = same(out) if spk else (None, "")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    load_after = load()
    first = duck[0]
    best = min(r["seconds"] for r in duck)
    med = statistics.median(r["seconds"] for r in duck)
    peak = max(r["peak_rss_mib"] for r in duck)
    lines = [
        "## Financing simulator",
        "",
        f"Measured {date.today():%Y-%m-%d} with `python -m benchmarks --only benchmarks.financing` "
        "(part of `make bench`) on "
        f"{machine()}; load average {load_before:.1f} before and {load_after:.1f} after (other work shares the "
        "machine).",
        f"The population section's data set of **{n:,} persons** "
        + ("(reused, not generated again)" if generated is None
           else f"(not there yet: generated by this run in {generated:.1f} s)")
        + f"; reference year {first['year']}, {first['persons']:,} persons alive in it, {first['zones']} zones, "
        f"{first['cells']} cells (zone × risk level × BIM). Each run is `simulator.run(engine, Parameters())` "
        "in a fresh process, default parameters: opening the engine on the Parquet files, stratifying the year "
        "with the columns the simulator needs, the use cells, the three pay-for-performance indicators and the "
        "six models per zone (the work of `careweave financing simulate`).",
        "",
        "| engine | time | CPU | peak RSS |",
        "|---|---:|---:|---:|",
        f"| DuckDB ({os.cpu_count()} threads) | " + (
            f"**{best:.2f} s**" if len(duck) == 1 else
            f"best **{best:.2f} s**, median {med:.2f} s ({len(duck)} runs)")
        + f" | {min(r['cpu_seconds'] for r in duck):.2f} s | {gib(peak)} |",
    ]
    if spk:
        jvm = f"; JVM {gib(spk['jvm_peak_rss_mib'])}" if spk.get("jvm_peak_rss_mib") else ""
        lines.append(f"| Spark local[{os.cpu_count()}] | {spk['seconds']:.1f} s (+ {spk['session_seconds']:.1f} s "
                     f"to start the session) | — | driver Python {gib(spk['peak_rss_mib'])}{jvm} |")
    t = {k: 0.0 if abs(v) < 0.5 else v for k, v in first["totals"].items()}  # no "-0"
    meets = best < TARGET_SECONDS and peak < TARGET_MIB
    lines += [
        "",
        f"- Totals over the zones, DuckDB (EUR): fee-for-service {t['ffs']:,.0f}, capitation {t['capitation']:,.0f}, "
        f"bundled {t['bundled']:,.0f}, budget guarantee {t['guarantee']:,.0f} (efficiency {t['efficiency']:,.0f}, "
        f"reinvested {t['reinvested']:,.0f}), virtual (shadow capitation) {t['virtual']:,.0f}, transition mix "
        f"{t['transition']:,.0f}, pay for performance {t['p4p']:,.0f} ({first['targets_met']} of the "
        f"{first['targets'] * first['zones']} targets of the {first['zones']} zones met).",
        "- Target: the issue sets none. Ours: one simulation of 1 million persons under "
        f"{TARGET_SECONDS:.0f} s and {TARGET_MIB // 1024} GiB on DuckDB (best run), so that a planner can try "
        f"parameters one after the other: {'meets' if meets else 'MISSES'}"
        + (f" (this run is not {PERSONS:,} persons)" if n != PERSONS else "") + ".",
    ]
    if spk:
        lines.append(f"- DuckDB and Spark give identical results (cells, indicator values and every model per zone, "
                     f"compared as in `tests/financing/test_simulator_spark.py`, `rtol=1e-9`): "
                     f"**{'yes' if identical else 'NO'}**{'' if identical else f' ({why})'}. Spark is slower on one "
                     "2-core machine, as in the population section; it is there for data that do not fit one "
                     "machine.")
    else:
        lines.append("- Spark is not run in the quick run (its start-up alone takes most of a minute), so the "
                     "DuckDB/Spark comparison is not made.")
    return "\n".join(lines) + "\n"
