"""Benchmark: the zone dashboard, cold and warm (issue 11.8; target: warm p95 under 200 ms).

Run alone with ``python -m benchmarks.dashboard [--quick]``; ``benchmarks``
calls ``run()``. The measurement runs in a child process with its own SQLite database and a
generated zone (20,000 persons, the demo's size; 3,000 with ``--quick``), through the Django
test client (full middleware, a logged-in zone staff member, template rendering).
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
WARM = 50


def _child(data_dir: str, persons: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from careweave.population.api import ensure_demo_population

    call_command("migrate", verbosity=0)
    ensure_demo_population(data_dir, persons=persons)
    user = User.objects.create_user("bench", password="x-very-long-password-bench")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client = Client()
    client.force_login(user)
    url = "/population/zones/ZORA/"

    def timed() -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    cold = timed()
    warm = sorted(timed() for _ in range(WARM))
    from careweave.web.language import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = "fr"
    session.save()
    other_language = timed()
    # A new version of the data set (a file rewritten): the next request recomputes.
    manifest = Path(data_dir) / "manifest.json"
    manifest.write_text(manifest.read_text())
    changed = timed()
    return {
        "persons": persons, "cold": cold, "p50": statistics.median(warm),
        "p95": warm[int(0.95 * (len(warm) - 1))], "max": warm[-1], "other_language": other_language,
        "after_change": changed, "load": os.getloadavg()[0],
    }


def measure(persons: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="careweave-dashboard-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "careweave.settings",
               "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "CAREWEAVE_POPULATION_DIR": f"{tmp}/population"}
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.dashboard", "--child", f"{tmp}/population",
             "--persons", str(persons)],
            cwd=REPO, env=env, capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> str:
    r = measure(3000 if quick else 20000)
    verdict = "meets" if r["p95"] < 200 else "NOT met"
    return "\n".join([
        "## Zone dashboard",
        "",
        f"A zone of {r['persons']:,} persons (`careweave population generate`), `GET /population/zones/ZORA/` "
        f"through the Django test client as zone staff; load average {r['load']:.1f} at the end.",
        "",
        "| request | time |",
        "|---|---:|",
        f"| first request (results read from disk, breakdowns computed) | {r['cold']:.0f} ms |",
        f"| warm, {WARM} requests: p50 / p95 / max | {r['p50']:.1f} / {r['p95']:.1f} / {r['max']:.1f} ms |",
        f"| first request in another language (breakdowns reused) | {r['other_language']:.0f} ms |",
        f"| after the data set changed (recomputed) | {r['after_change']:.0f} ms |",
        "",
        f"- Target warm p95 < 200 ms: {verdict}.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=20000)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.persons)))
        return
    print(run(quick=args.quick))


if __name__ == "__main__":
    main()
