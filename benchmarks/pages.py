"""Benchmark: every demo page for its login (issue 19 goal 2) — latency and SQL queries on SQLite.

Run alone with ``python -m benchmarks --only benchmarks.pages [--quick]``. A child process migrates a
fresh SQLite file, loads the demo zone (200 persons; ``--quick``: 60) and, for each demo login, finds
"its" pages the way the user would: the home page it lands on and every page linked from there and
from those pages (two clicks deep, same site, GET only; one URL per route, so the plan page is timed
once per login, not once per person). Each page is requested ``REQUESTS`` times through Django's test
client (the whole middleware stack, templates included; no network); reported per page: p50/p95 in
ms and the number of SQL queries of one request. Target: every page under 100 ms p95.
``tests/web/test_query_counts.py`` guards the query counts; this only measures.
"""

from __future__ import annotations

import re
import tempfile
import time
from datetime import date

from benchmarks._common import child, load, machine, ms

REQUESTS = 30
QUICK_REQUESTS = 5
TARGET_P95_MS = 100.0
LOGINS = ("person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff", "physio",
          "admin")
# Not pages: downloads, state changes behind a GET-looking link, the admin (Django's own), other languages.
SKIP = re.compile(r"^/(admin|i18n|fhir|static)/|logout|\.pdf$|\.csv$|/csv/|/export|/download|language")
MAX_PAGES_PER_LOGIN = 40


def _links(html: str) -> list[str]:
    return [h for h in re.findall(r'href="(/[^"#]*)"', html) if not SKIP.search(h)]


def pages_of(client, limit: int = MAX_PAGES_PER_LOGIN) -> list[tuple[str, str]]:  # noqa: ANN001
    """[(route, url)]: the landing page and the pages two clicks from it, one URL per route name."""
    from django.urls import Resolver404, resolve

    landing = client.get("/", follow=True)
    start = landing.request["PATH_INFO"]
    seen: dict[str, str] = {}
    frontier = [start]
    for _depth in range(3):
        following: list[str] = []
        for url in frontier:
            path = url.split("?", 1)[0]
            try:
                match = resolve(path)
            except Resolver404:
                continue
            route = match.view_name
            if route in seen or len(seen) >= limit:
                continue
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen[route] = url
            following += _links(response.content.decode())
        frontier = following
    return list(seen.items())


def measure(url: str, client, requests: int) -> dict:  # noqa: ANN001
    """Query count of one request and p50/p95 of ``requests`` requests (after one warm-up)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # each request empties the log (request_started); start from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # read now: the next request empties the log the context reads from
    status = response.status_code
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        durations.append(time.perf_counter() - started)
    return {"url": url, "status": status, "queries": count, **ms(durations)}


def task(persons: int, requests: int) -> dict:
    """In the child, on the fresh SQLite file of ``DATABASE_URL``: load the demo, then time each login's pages."""
    started = time.perf_counter()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from careweave.demo import load_demo
    from careweave.web.language import SESSION_KEY

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    load_demo(persons=persons, seed=42)
    loaded = time.perf_counter() - started
    results: dict[str, list] = {}
    for login in LOGINS:
        client = Client()
        client.force_login(User.objects.get(username=login))
        session = client.session
        session[SESSION_KEY] = "en"
        session.save()
        results[login] = [{"route": route, **measure(url, client, requests)} for route, url in pages_of(client)]
    return {"load_s": loaded, "logins": results}


def table(result: dict) -> list[str]:
    rows = ["| login | page (route) | queries | p50 ms | p95 ms |", "|---|---|---:|---:|---:|"]
    for login, pages in result["logins"].items():
        for page in pages:
            mark = "" if page["p95"] < TARGET_P95_MS else " ⚠"
            rows.append(f"| `{login}` | `{page['route']}` | {page['queries']} | {page['p50']:.1f} | "
                        f"{page['p95']:.1f}{mark} |")
    return rows


def run(quick: bool) -> str:
    persons, requests = (60, QUICK_REQUESTS) if quick else (200, REQUESTS)
    before = load()
    with tempfile.TemporaryDirectory(prefix="careweave-bench-pages-") as tmp:
        result = child("benchmarks.pages", "task", env={"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"},
                       persons=persons, requests=requests)
    after = load()
    pages = [p for ps in result["logins"].values() for p in ps]
    slow = [p for p in pages if p["p95"] >= TARGET_P95_MS]
    worst = max(pages, key=lambda p: p["p95"])
    verdict = (f"all {len(pages)} pages under {TARGET_P95_MS:.0f} ms p95" if not slow else
               f"{len(slow)} of {len(pages)} pages at or over {TARGET_P95_MS:.0f} ms p95 (marked ⚠)")
    lines = [
        "## Demo pages",
        "",
        f"Run on {date.today():%Y-%m-%d}. Machine: {machine()}; load average {before:.1f} before, {after:.1f} after "
        "(the machine is shared with other developers' test runs, so the timings are pessimistic and noisy).",
        "",
        f"SQLite, the demo zone ({persons} persons, loaded in {result['load_s']:.0f} s). For every demo login, the "
        "page it lands on and every page two clicks from there (one URL per route), each requested "
        f"{requests} times through Django's test client after one warm-up request; queries are those of one "
        f"request. Target: every page under {TARGET_P95_MS:.0f} ms p95. Result: {verdict}; slowest "
        f"`{worst['route']}` for its login at {worst['p95']:.1f} ms p95. Query counts are guarded "
        "(independent of the number of rows) by `tests/web/test_query_counts.py`.",
        "",
        *table(result),
        "",
    ]
    return "\n".join(lines)
