"""Benchmark of the FHIR API on PostgreSQL with 100,000 people, and of importing the Synthea bundles.

``run()`` (called by ``make bench``) needs ``DATABASE_URL`` to point at PostgreSQL. It creates a
separate database on that server (``careweave_bench``; ``careweave_bench_quick`` for ``--quick``),
migrates it and bulk-loads the people once (reused on the next run), then measures in a child
process pointed at that database, so the caller's own database is never touched.

What is measured: reading one person's shared plan with its goals and tasks through the Django test
client with the full middleware stack (bearer token authentication, access decision, audit write),
in one request (``CarePlan?_id=&_revinclude=Goal:care-plan&_revinclude=Task:based-on``) and in three
(``GET CarePlan/{id}``, ``GET Goal?patient=``, ``GET Task?patient=``). And the time
``process_bundle`` takes to import each of the 20 Synthea bundles (first time and again).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from benchmarks._common import REPO, machine, ms

PERSONS = 100_000
READS = 1_000
QUICK_PERSONS = 5_000
QUICK_READS = 300
PERSONS_PER_GP = 1_000
GOALS_PER_PLAN = 3
TASKS_PER_PLAN = 3


# --------------------------------------------------------------------------- parent: orchestration


def run(quick: bool = False) -> str:
    """Run the benchmark and return a Markdown section (or why it was skipped)."""
    url = os.environ.get("DATABASE_URL", "")
    title = "## FHIR API and Synthea import"
    if not url.startswith(("postgres://", "postgresql://")):
        return (f"{title}\n\nSkipped: set `DATABASE_URL` to a PostgreSQL server (the benchmark creates its own "
                "database `careweave_bench` there). SQLite is the laptop default, not what this measures.\n")
    name = "careweave_bench_quick" if quick else "careweave_bench"
    bench_url = _create_database(url, name)
    persons, reads = (QUICK_PERSONS, QUICK_READS) if quick else (PERSONS, READS)
    command = [sys.executable, "-m", "benchmarks.fhir", "--persons", str(persons), "--reads", str(reads)]
    synthea = _synthea_dir()
    if synthea is not None:
        command += ["--synthea", str(synthea)]
    env = {**os.environ, "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "careweave.settings",
           "CAREWEAVE_LOG_LEVEL": "ERROR"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=REPO)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"the FHIR benchmark failed (exit {done.returncode})")
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return _markdown(title, name, results)


def _create_database(url: str, name: str) -> str:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def _synthea_dir() -> Path | None:
    path = Path(os.environ.get("CAREWEAVE_SHARED", REPO.parent / "shared")) / "data" / "synthea-r4"
    return path if path.is_dir() else None


def _markdown(title: str, database: str, r: dict[str, Any]) -> str:
    read, single = r["reads"]["plan"], r["reads"]["revinclude"]

    def verdict(stats: dict[str, float]) -> str:
        return "meets" if stats["p95"] < 50 else "MISSES"

    lines = [
        title, "",
        f"Measured on {date.today():%Y-%m-%d}; machine: {machine()}; {r['postgres']} on the same machine; "
        f"Python {platform.python_version()}; load average {r['load'][0]:.1f} when the reads started "
        f"and {r['load'][1]:.1f} when they ended (other work shares the machine).", "",
        f"Database `{database}`: {r['persons']:,} people, each with a care team (their GP as member), a shared "
        f"plan, {GOALS_PER_PLAN} goals and {TASKS_PER_PLAN} tasks; {r['gps']:,} GPs with {PERSONS_PER_GP:,} "
        f"people each; " + (
            "loaded by an earlier run (load time not recorded)." if r["reused"] and not r["load_seconds"] else
            f"bulk loading them (`bulk_create`, then `ANALYZE`) took {r['load_seconds']:.0f} s"
            + (" when this database was first filled (reused on this run)." if r["reused"] else ".")), "",
        "Reads go through the Django test client in the benchmark process (no network): full middleware stack, "
        "bearer-token authentication, the access decision and an audit record per request, JSON rendering. "
        f"{read['n']:,} reads of a random person's plan (the plan, its {GOALS_PER_PLAN} goals and "
        f"{TASKS_PER_PLAN} tasks), each as that person's GP, after 50 warm-up reads; both ways of reading "
        "are timed for the same plans.", "",
        "| measurement | n | p50 | p95 | max | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| plan read, one request: `GET CarePlan?_id={{id}}&_revinclude=Goal:care-plan&_revinclude=Task:based-on` "
        f"| {single['n']} | {single['p50']:.1f} ms | {single['p95']:.1f} ms | {single['max']:.1f} ms | "
        f"p95 < 50 ms ({verdict(single)}) |",
        f"| plan read, three requests: `GET CarePlan/{{id}}` + `GET Goal?patient=` + `GET Task?patient=` "
        f"| {read['n']} | {read['p50']:.1f} ms | {read['p95']:.1f} ms | {read['max']:.1f} ms | "
        f"p95 < 50 ms ({verdict(read)}) |",
    ]
    for key, label in (("careplan", "`GET CarePlan/{id}`"), ("goals", "`GET Goal?patient=` (3 goals)"),
                       ("tasks", "`GET Task?patient=` (3 tasks)")):
        s = r["reads"][key]
        lines.append(f"| {label} | {s['n']} | {s['p50']:.1f} ms | {s['p95']:.1f} ms | {s['max']:.1f} ms | |")
    if r.get("import"):
        for key, label in (("first", "Synthea bundle import, first time"),
                           ("again", "the same bundle again (nothing changes)")):
            s = r["import"][key]
            verdict = "meets" if s["max"] < 2000 else "MISSES"
            lines.append(f"| {label}: mean / max over {s['n']} bundles | {s['n']} | mean {s['mean']:.0f} ms | | "
                         f"{s['max']:.0f} ms | < 2 s per bundle ({verdict}) |")
        lines += ["", f"The 20 bundles hold {r['import']['entries']:,} entries; "
                      f"{r['import']['stored']:,} of them are types Careweave does not model and are stored as "
                      "received. Before the first import, earlier imported Synthea data is removed."]
    else:
        lines += ["", "The Synthea import was not measured: `../shared/data/synthea-r4` is not present."]
    text = "\n".join(lines) + "\n"
    if r.get("http_import"):
        text += _http_markdown(r["http_import"])
    return text


# --------------------------------------------------------------------------- child: load and measure


def _load(persons: int) -> tuple[bool, float, int]:
    """Bulk-load the population unless it is there already; return (reused, seconds, number of GPs)."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from careweave.careplans.models import CarePlan, CareTeam, Goal, Task, TeamMember
    from careweave.people.identifiers import make_nihdi, make_ssin
    from careweave.people.models import Discipline, Person, Professional

    gps = max(1, persons // PERSONS_PER_GP)
    if Person.objects.filter(external_id__startswith="bench|").count() == persons:
        with connection.cursor() as cursor:  # the load time of the run that loaded it
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = current_database()")
            note = (cursor.fetchone() or [""])[0] or ""
        return True, float(note.split()[0]) if note[:1].isdigit() else 0.0, gps
    started = time.perf_counter()
    batch = 5000
    with transaction.atomic():
        Person.objects.filter(external_id__startswith="bench|").delete()
        users = User.objects.bulk_create(
            [User(username=f"bench-gp-{i}", password="!", first_name="Bench", last_name=f"GP {i}")
             for i in range(gps)], ignore_conflicts=True)
        users = list(User.objects.filter(username__startswith="bench-gp-").order_by("pk"))[:gps]
        existing = set(Professional.objects.filter(user__in=users).values_list("user_id", flat=True))
        Professional.objects.bulk_create([
            Professional(user=u, given_name="Bench", family_name=u.last_name, discipline=Discipline.GP,
                         nihdi=make_nihdi(1, 90000 + i, 4)) for i, u in enumerate(users) if u.pk not in existing])
        professionals = list(Professional.objects.filter(user__in=users).order_by("user_id"))
        for start in range(0, persons, batch):
            indexes = range(start, min(persons, start + batch))
            people = Person.objects.bulk_create([
                Person(given_name=f"Bench{i}", family_name=f"Person{i % 997}", external_id=f"bench|{i}",
                       ssin=make_ssin(date(1930, 1, 1) + timedelta(days=i % 25000), 900 + i // 25000),
                       birth_date=date(1930, 1, 1) + timedelta(days=i % 25000))
                for i in indexes])
            teams = CareTeam.objects.bulk_create([CareTeam(person=p) for p in people])
            members = TeamMember.objects.bulk_create([
                TeamMember(team=t, professional=professionals[i % gps]) for i, t in zip(indexes, teams, strict=True)])
            plans = CarePlan.objects.bulk_create([
                CarePlan(person=p, team=t, title="Keep living at home", author=professionals[i % gps].user)
                for i, p, t in zip(indexes, people, teams, strict=True)])
            Goal.objects.bulk_create([
                Goal(plan=plan, description=f"Goal {g} of {plan.title}", is_medical=(g == 2))
                for plan in plans for g in range(GOALS_PER_PLAN)])
            Task.objects.bulk_create([
                Task(plan=plan, description=f"Task {k}", assignee=member, is_medical=(k == 2))
                for plan, member in zip(plans, members, strict=True) for k in range(TASKS_PER_PLAN)])
            sys.stderr.write(f"\r  loaded {start + len(indexes):,} / {persons:,} people")
    sys.stderr.write("\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        name = connection.settings_dict["NAME"]
        cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [f"{seconds:.1f} s to load {persons} people"])
    return False, seconds, gps


def _measure_reads(reads: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    from careweave.access.models import ApiToken
    from careweave.careplans.models import CarePlan
    from careweave.people.models import Professional

    plans = list(CarePlan.objects.filter(person__external_id__startswith="bench|")
                 .values_list("fhir_id", "person__fhir_id", "author_id"))
    tokens = {p.user_id: ApiToken.issue(p.user, name="benchmark")
              for p in Professional.objects.filter(user__username__startswith="bench-gp-").select_related("user")}
    client = Client()
    rng = random.Random(20261124)
    timings: dict[str, list[float]] = {"plan": [], "careplan": [], "goals": [], "tasks": [], "revinclude": []}
    for n in range(reads + 50):
        plan_id, person_id, author = rng.choice(plans)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[author]}", "HTTP_ACCEPT": "application/fhir+json"}
        t0 = time.perf_counter()
        a = client.get(f"/fhir/R4/CarePlan/{plan_id}", **headers)
        t1 = time.perf_counter()
        b = client.get(f"/fhir/R4/Goal?patient={person_id}", **headers)
        t2 = time.perf_counter()
        c = client.get(f"/fhir/R4/Task?patient={person_id}", **headers)
        t3 = time.perf_counter()
        d = client.get(f"/fhir/R4/CarePlan?_id={plan_id}&_revinclude=Goal:care-plan&_revinclude=Task:based-on",
                       **headers)
        t4 = time.perf_counter()
        if (a.status_code, b.status_code, c.status_code, d.status_code) != (200, 200, 200, 200):
            raise RuntimeError(f"unexpected status {a.status_code} {b.status_code} {c.status_code} {d.status_code}")
        if (len(b.json()["entry"]) != GOALS_PER_PLAN or len(c.json()["entry"]) != TASKS_PER_PLAN
                or len(d.json()["entry"]) != 1 + GOALS_PER_PLAN + TASKS_PER_PLAN):
            raise RuntimeError("the plan read did not return all goals and tasks")
        if n >= 50:
            timings["careplan"].append(t1 - t0)
            timings["goals"].append(t2 - t1)
            timings["tasks"].append(t3 - t2)
            timings["plan"].append(t3 - t0)
            timings["revinclude"].append(t4 - t3)
    return {key: ms(values) for key, values in timings.items()}


def _forget_synthea() -> None:
    """Remove what earlier Synthea imports left, so that every pass measures a first import."""
    from careweave.fhir.models import StoredResource
    from careweave.people.models import Person

    StoredResource.objects.all().delete()
    Person.objects.filter(external_id__startswith="https://github.com/synthetichealth/").delete()


def _measure_import(directory: Path) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from careweave.fhir.bundles import bundle_hash, process_bundle
    from careweave.people.models import Professional

    user, _created = User.objects.get_or_create(username="bench-importer", defaults={"password": "!"})
    if not hasattr(user, "professional"):
        Professional.objects.create(user=user, given_name="Bench", family_name="Importer", discipline="gp")
        user = User.objects.get(pk=user.pk)
    _forget_synthea()
    files = sorted(directory.glob("*.json"))
    first, again, entries, stored = [], [], 0, 0
    for rounds, into in ((1, first), (2, again)):
        for path in files:
            raw = path.read_bytes()
            t0 = time.perf_counter()
            result = process_bundle(user, json.loads(raw), source_hash=bundle_hash(raw))
            into.append(time.perf_counter() - t0)
            if result.failed:
                raise RuntimeError(f"{path.name} failed to import")
            if rounds == 1:
                entries += len(result.entries)
                stored += result.total("stored", "stored-unchanged")
    return {"first": ms(first), "again": ms(again), "entries": entries, "stored": stored}


LARGE_SIZES_MB = (3, 6, 10, 18)  # 18 MB: just under the 20 MiB limit
OVER_LIMIT_MB = 22


def synthetic_bundle(directory: Path, target_bytes: int) -> bytes:
    """A transaction of about ``target_bytes``: the largest real bundle, plus copies of the clinical entries
    (Observation, Encounter, Claim...) of all the bundles under fresh ids, about its patient."""
    import copy
    import uuid

    from careweave.fhir.registry import is_modelled

    files = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_size)
    base = json.loads(files[-1].read_bytes())
    patient = next(e["fullUrl"] for e in base["entry"] if e["resource"]["resourceType"] == "Patient")
    pool = [e for path in files for e in json.loads(path.read_bytes())["entry"]
            if not is_modelled(e["resource"]["resourceType"])]
    size = len(json.dumps(base))
    n = 0
    while size < target_bytes:
        entry = copy.deepcopy(pool[n % len(pool)])
        n += 1
        fresh = str(uuid.uuid4())
        entry["fullUrl"] = f"urn:uuid:{fresh}"
        entry["resource"]["id"] = fresh
        for key in ("subject", "patient", "beneficiary"):
            if isinstance(entry["resource"].get(key), dict):
                entry["resource"][key] = {"reference": patient}
        base["entry"].append(entry)
        size += len(json.dumps(entry)) + 2
    return json.dumps(base).encode()


def _measure_http_import(directory: Path) -> list[dict[str, Any]]:
    """POST each real bundle, then generated large ones and one over the limit, through HTTP (the Django
    test client with a bearer token): size, time, status. No answer may be a 5xx."""
    from django.contrib.auth.models import User
    from django.test import Client

    from careweave.access.models import ApiToken
    from careweave.people.models import Professional

    user, _created = User.objects.get_or_create(username="bench-http-importer", defaults={"password": "!"})
    if not hasattr(user, "professional"):
        Professional.objects.create(user=user, given_name="Bench", family_name="HTTP", discipline="gp")
        user = User.objects.get(pk=user.pk)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, name='benchmark')}")
    _forget_synthea()  # else the patients belong to the importer of the direct pass: 403 for this one
    bodies = [(path.name, path.read_bytes()) for path in sorted(directory.glob("*.json"))]
    bodies += [(f"generated {mb} MB", synthetic_bundle(directory, mb * 1_000_000)) for mb in LARGE_SIZES_MB]
    bodies.append((f"generated {OVER_LIMIT_MB} MB (over the limit)",
                   synthetic_bundle(directory, OVER_LIMIT_MB * 1_000_000)))
    out = []
    for name, body in bodies:
        t0 = time.perf_counter()
        response = client.post("/fhir/R4", data=body, content_type="application/fhir+json")
        out.append({"name": name, "bytes": len(body), "seconds": time.perf_counter() - t0,
                    "status": response.status_code, "entries": body.count(b'"request"')})
    return out


def _http_markdown(rows: list[dict[str, Any]]) -> str:
    real = [r for r in rows if not r["name"].startswith("generated")]
    lines = ["", "### Bundles through HTTP (`POST /fhir/R4`)", "",
             f"{len(real)} real Synthea bundles ({min(r['bytes'] for r in real) / 1e6:.1f}–"
             f"{max(r['bytes'] for r in real) / 1e6:.1f} MB): statuses "
             f"{sorted({r['status'] for r in real})}, mean {statistics.fmean(r['seconds'] for r in real):.2f} s, "
             f"max {max(r['seconds'] for r in real):.2f} s. 5xx answers: "
             f"{sum(1 for r in rows if r['status'] >= 500)}.", "",
             "| bundle | size | entries | status | time |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        if r["name"].startswith("generated"):
            lines.append(f"| {r['name']} | {r['bytes'] / 1e6:.1f} MB | {r['entries']:,} | {r['status']} | "
                         f"{r['seconds']:.2f} s |")
    return "\n".join(lines) + "\n"


def measure(persons: int, reads: int, synthea: str | None) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    reused, seconds, gps = _load(persons)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = f"PostgreSQL {cursor.fetchone()[0]}"
    before = os.getloadavg()[0]
    read_stats = _measure_reads(reads)
    results: dict[str, Any] = {"persons": persons, "gps": gps, "reused": reused, "load_seconds": seconds,
                               "postgres": version, "reads": read_stats, "load": [before, os.getloadavg()[0]]}
    if synthea:
        results["import"] = _measure_import(Path(synthea))
        results["http_import"] = _measure_http_import(Path(synthea))
    return results


def measure_imports(synthea: str) -> dict[str, Any]:
    """Only the bundle imports (``--imports-only``): for checking big bundles without loading 100,000 people."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return {"http_import": _measure_http_import(Path(synthea))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="FHIR benchmark worker (use `make bench`, which calls run()).")
    parser.add_argument("--persons", type=int, default=PERSONS)
    parser.add_argument("--reads", type=int, default=READS)
    parser.add_argument("--synthea", default=None)
    parser.add_argument("--imports-only", action="store_true", help="only POST the bundles (needs --synthea)")
    args = parser.parse_args(argv)
    if args.imports_only:
        result = measure_imports(args.synthea)
        print(json.dumps(result))
        sys.stderr.write(_http_markdown(result["http_import"]))
        return 0
    print(json.dumps(measure(args.persons, args.reads, args.synthea)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
