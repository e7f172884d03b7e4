"""Helpers shared by this package's benchmark sections: machine, load, peak memory, child processes, databases.

Each measurement runs in a fresh child process (as in the population and dashboard benchmarks), so
that its peak RSS (``VmHWM``) is its own and its database is the one it was given.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[1]


def machine() -> str:
    """Cores, CPU model, RAM, kernel, Python (the wording of the FHIR section)."""
    cpu = "unknown CPU"
    memory = 0.0
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = kib / 1024 / 1024
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores, {cpu}, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def _status_kib(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mib(pid: int | str = "self") -> float:
    """Peak RSS (``VmHWM``) of a process; ``ru_maxrss`` would include the parent's peak before exec."""
    kib = _status_kib(pid, "VmHWM")
    if kib or pid != "self":
        return kib / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def descendants(pid: int | None = None) -> list[int]:
    """Every process started (directly or not) by ``pid`` (default: this one), e.g. Spark's JVM."""
    pid = pid or os.getpid()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def gib(mib: float) -> str:
    return f"{mib / 1024:.2f} GiB"


def child(module: str, function: str, env: dict | None = None, **kwargs) -> dict:
    """``module.function(**kwargs)`` in a fresh interpreter; its JSON result (the last line it prints)."""
    code = (f"import json; from {module} import {function}; "
            f"print(json.dumps({function}(**{kwargs!r})))")
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "careweave.settings", "CAREWEAVE_LOG_LEVEL": "ERROR",
                **(env or {})}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, cwd=REPO,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark task {module}.{function} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def fresh_postgres(url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``url`` (the FHIR section's way); its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"


def ms(values: list[float]) -> dict[str, float]:
    """p50 / p95 / max / mean in milliseconds of durations in seconds (the FHIR section's percentiles)."""
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] * 1000

    return {"n": len(values), "p50": pct(0.5), "p95": pct(0.95), "max": ordered[-1] * 1000,
            "mean": statistics.fmean(values) * 1000}


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def on_both_databases(module: str, database: str, quick: bool, **kwargs) -> list[tuple[str, dict]]:  # noqa: ANN003
    """``module.task(**kwargs)`` in a child process on a fresh PostgreSQL database ``database`` (not in a quick
    run, and only when ``DATABASE_URL`` names a server) and on a fresh SQLite file: [(name, result)]."""
    import tempfile

    results = []
    url = postgres_url()
    if url and not quick:
        bench_url = fresh_postgres(url, database)
        try:
            r = child(module, "task", env={"DATABASE_URL": bench_url}, **kwargs)
            r["version"] = postgres_version(bench_url)
        finally:
            drop_postgres(url, database)
        results.append(("PostgreSQL", r))
    with tempfile.TemporaryDirectory(prefix=f"{database}-") as tmp:
        results.append(("SQLite", child(module, "task", env={"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"},
                                        **kwargs)))
    return results
