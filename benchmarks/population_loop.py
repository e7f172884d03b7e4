"""Benchmark: the micro -> meso loop of the demo zone (issue 20; target: export + views + indicators into the
dashboard under 30 s).

Run alone with ``python -m benchmarks --only benchmarks.population_loop [--quick]``. A child process with its
own SQLite database loads the demo zone (200 persons with their plans, goals, tasks, MDOs, enrolments and
assessments) and its population set (20,000 persons including the demo's own under their pseudonyms; 3,000
with ``--quick``). The clock runs from the zone staff member's action (``fhir.start_population_feed``, the
job run inline) to the dashboard page showing the results: the pseudonymised Bulk export, the shipped
SQL-on-FHIR views on DuckDB, the work indicators and the first page view. Peer, in the same process: the
same four process indicators computed from the claims-like set (``indicators.run`` on DuckDB, only those
indicators, the zone's breakdowns) from the Parquet files, as the dashboard did before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 30.0
REPEATS = 3
CLAIMS_PEERS = ["level3_coordinator", "mdo_level3", "frailty_assessed_75", "prem_score"]


def _child(data_dir: str, persons: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from careweave.demo.loader import load_demo
    from careweave.fhir.actions import start_population_feed
    from careweave.population.api import ensure_demo_population
    from careweave.population.engines import DuckDBEngine
    from careweave.population.indicators import run as claims_indicators
    from careweave.territory.models import Zone

    call_command("migrate", verbosity=0)
    load_demo(persons=200, seed=42)
    ensure_demo_population(data_dir, persons=persons)
    from careweave.population import api

    api.results(data_dir)  # the claims-like set's strata, as the dashboard has them already
    user = User.objects.get(username="zonestaff")
    zone = Zone.objects.get(code="ZORA")
    client = Client()
    client.force_login(user)
    ours, peers, parts = [], [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run = start_population_feed(user, zone)
        run.refresh_from_db()
        assert run.status == "done", run.error
        page = client.get("/population/zones/ZORA/")
        assert page.status_code == 200 and b"work-coverage" in page.content
        ours.append(time.perf_counter() - start)
        parts.append(run.results["timings"])
        start = time.perf_counter()
        engine = DuckDBEngine(data_dir)
        try:
            table = claims_indicators(engine, zone="ZORA", ids=CLAIMS_PEERS)
        finally:
            engine.close()
        assert not table.empty
        peers.append(time.perf_counter() - start)
    exported = sum(run.results["exported"].values())
    return {"persons": persons, "held": run.results["coverage"]["held"], "resources": exported,
            "ours": statistics.median(ours), "peer": statistics.median(peers),
            "parts": {k: statistics.median(p[k] for p in parts) for k in parts[0]},
            "load": os.getloadavg()[0]}


def measure(persons: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="careweave-loop-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "careweave.settings", "CAREWEAVE_TASKS": "immediate",
               "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "CAREWEAVE_POPULATION_DIR": f"{tmp}/population",
               "CAREWEAVE_VAR": f"{tmp}/var", "CAREWEAVE_LOG_LEVEL": "ERROR"}
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.population_loop", "--child", f"{tmp}/population",
             "--persons", str(persons)],
            cwd=REPO, env=env, capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> str:
    from datetime import date

    from benchmarks._common import machine

    r = measure(3000 if quick else 20000)
    verdict = "meets" if r["ours"] < TARGET_SECONDS else "NOT met"
    p = r["parts"]
    return "\n".join([
        "## Micro -> meso loop (the demo zone's own work into its dashboard)",
        "",
        f"Measured {date.today():%Y-%m-%d} on {machine()}.",
        "",
        f"The demo zone (200 Careweave persons, {r['resources']:,} FHIR resources exported; {r['held']} of them "
        f"linked into a population set of {r['persons']:,} persons), SQLite, DuckDB, median of {REPEATS} runs; "
        f"load average {r['load']:.1f} at the end.",
        "",
        "| step | time |",
        "|---|---:|",
        f"| pseudonymised Bulk export (`write_ndjson`) | {p['export']:.2f} s |",
        f"| 9 shipped SQL-on-FHIR views (`run_views`, DuckDB) | {p['views']:.2f} s |",
        f"| 12 work indicators, linked to the population set | {p['indicators']:.2f} s |",
        f"| **action to dashboard page (all of it)** | **{r['ours']:.2f} s** |",
        f"| peer: 4 process indicators from the claims-like set (`indicators.run`) | {r['peer']:.2f} s |",
        "",
        f"- Target under {TARGET_SECONDS:.0f} s: {verdict}. Ratio ours / peer: {r['ours'] / r['peer']:.2f}.",
        "",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.persons)))
    else:
        print(run(quick=args.quick))
