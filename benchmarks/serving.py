"""Benchmark: serving on every core (issue 19 goal 3) — ``careweave serve`` with gunicorn against waitress.

Run alone with ``python -m benchmarks --only benchmarks.serving [--quick]``. A child process loads the demo
zone into a fresh SQLite file (the embedded default a newcomer runs). Then each contender serves it on a
free local port as a separate process tree: **waitress**, one process with 8 threads (what ``careweave serve``
was), the peer; and **gunicorn**, what ``careweave serve`` is now (one worker process per core, 4 threads
each). Clients on this machine send the issue's mix — the GP's plan page for one of her persons and a
FHIR ``CarePlan?patient=`` search with her API token, alternately — over keep-alive connections for a fixed
time at 10 and at 40 concurrent clients; every answer must be 200. Reported: requests per second, p50/p95
latency, errors, and the ratio gunicorn/waitress measured in the same run. The load generator runs on the same
2 cores (a bounded, loopback-only load), so both contenders share that handicap.
``--quick``: 60 demo persons, 6 s per level.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date

from benchmarks._common import REPO, child, load, machine, ms

LEVELS = (10, 40)
SECONDS = 20
QUICK_SECONDS = 6
TARGET_RATIO = 2.0


def prepare(var: str, persons: int) -> dict:
    """In a child: migrate, load the demo, and return a GP session cookie, an API token and the paths."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from careweave.access.models import ApiToken
    from careweave.careplans.models import CarePlan
    from careweave.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    load_demo(persons=persons, seed=42)
    gp = User.objects.get(username="gp")
    client = Client()
    client.force_login(gp)
    plan = CarePlan.objects.filter(team__members__professional__user=gp).select_related("person").first()
    return {"session": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "token": ApiToken.issue(gp, name="bench"),
            "plan_page": f"/persons/{plan.person.fhir_id}/",
            "search": f"/fhir/R4/CarePlan?patient={plan.person.fhir_id}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(server: str, port: int, env: dict) -> subprocess.Popen:
    args = [sys.executable, "-m", "careweave", "serve", "--port", str(port), "--server", server]
    if server == "waitress":
        args += ["--workers", "1", "--threads", "8"]
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{server} did not start: {proc.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.5)
    _stop(proc)
    raise RuntimeError(f"{server} did not listen within 120 s")


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def _load(port: int, info: dict, clients: int, seconds: float) -> dict:
    """``clients`` threads, each with one keep-alive connection, alternating the two requests until time is up."""
    stop_at = time.monotonic() + seconds
    durations: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    requests = [("GET", info["plan_page"], {"Cookie": f"{info['cookie_name']}={info['session']}"}),
                ("GET", info["search"], {"Authorization": f"Bearer {info['token']}",
                                         "Accept": "application/fhir+json"})]

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n
        mine, bad = [], []
        while time.monotonic() < stop_at:
            method, path, headers = requests[i % 2]
            i += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad.append(f"{path}: {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            durations.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {"rps": len(durations) / elapsed, "errors": len(errors), "first_errors": errors[:3], **ms(durations)}


def run(quick: bool = False) -> str:
    persons, seconds = (60, QUICK_SECONDS) if quick else (200, SECONDS)
    var = tempfile.mkdtemp(prefix="careweave-bench-serve-")
    env = {**os.environ, "CAREWEAVE_VAR": var, "DATABASE_URL": f"sqlite:///{var}/careweave.sqlite3",
           "CAREWEAVE_LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "careweave.settings"}
    try:
        info = child("benchmarks.serving", "prepare", env=env, var=var, persons=persons)
        results: dict[str, dict[int, dict]] = {}
        for server in ("waitress", "gunicorn"):
            port = _free_port()
            proc = _start(server, port, env)
            try:
                _load(port, info, 4, 2.0)  # warm up every worker
                results[server] = {clients: _load(port, info, clients, seconds) for clients in LEVELS}
            finally:
                _stop(proc)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    workers = os.cpu_count() or 1
    lines = [
        "## Serving on every core",
        "",
        f"Measured {date.today():%Y-%m-%d} on {machine()}; load average before the run {load():.1f}. "
        f"`benchmarks/serving.py`: the demo zone ({persons} persons) on SQLite; the mix is the GP's plan page "
        f"and a FHIR `CarePlan?patient=` search, alternately, over keep-alive connections for {seconds} s per "
        "level; clients run on the same machine. Peer: waitress, one process with 8 threads (the server "
        f"`careweave serve` used before decision 0023); gunicorn: {workers} worker processes × 4 threads.",
        "",
        "| server | clients | requests/s | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for server, by_level in results.items():
        for clients, r in by_level.items():
            lines.append(f"| {server} | {clients} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                         f"{r['errors']} |")
    lines.append("")
    for clients in LEVELS:
        ratio = results["gunicorn"][clients]["rps"] / max(results["waitress"][clients]["rps"], 1e-9)
        met = "met" if ratio >= TARGET_RATIO and not results["gunicorn"][clients]["errors"] else "not met"
        lines.append(f"- {clients} clients: gunicorn serves **{ratio:.2f}×** waitress's requests per second "
                     f"(target ≥ {TARGET_RATIO:.0f}× with no errors: {met}).")
    errors = [e for by_level in results.values() for r in by_level.values() for e in r["first_errors"]][:3]
    if errors:
        lines.append(f"- First errors: {'; '.join(errors)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - a manual run
    print(run(quick="--quick" in sys.argv))
