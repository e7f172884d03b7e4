"""Benchmark: the social map's nearest search ("the nearest physiotherapist who speaks French").

Run alone with ``python -m benchmarks --only benchmarks.territory [--quick]``. For each
database (PostgreSQL: a fresh database ``careweave_bench_socialmap`` on the server of ``DATABASE_URL``,
dropped after; SQLite: a temporary file) a child process migrates it and generates ``SERVICES``
services (half as many locations: a practice hosts two on average) around the postal-code centres of
``territory.geo.POSTAL_CODES`` across Belgium (Gaussian spread of about 9 km), each location in the
zones derived from its postal code (a municipality and its primary-care zone), disciplines and
languages drawn as in each region, weekday opening hours. Then it times ``actions.search_services``,
the function the social-map view calls (great-circle distance by haversine, nearest first, 50
results), from random points (half a postal code as the view resolves it, half a random position in
Belgium): without a radius, within 20 km, and the whole page ``GET /social-map/?discipline=physio&
language=fr&near=<postal code>`` through the Django test client as a logged-in user. Every search
without a radius is checked against a brute-force ranking of all matching services.
``--quick``: 1,000 services, 30 searches of each kind, SQLite only.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date

from benchmarks._common import (
    load,
    machine,
    ms,
    on_both_databases,
    postgres_url,
    setup_django,
)

SERVICES = 10_000
SEARCHES = 100
QUICK_SERVICES = 1_000
QUICK_SEARCHES = 30
WARM_UP = 10
RADIUS_KM = 20
DATABASE = "careweave_bench_socialmap"
# Ours, not the (it sets none): the same as the zone dashboard's, p95 under 200 ms.
TARGET_MS = 200.0
BELGIUM = (49.5, 51.5, 2.55, 6.4)  # min/max latitude and longitude
# region by postal code: languages offered there, with weights
LANGUAGES = {
    "flanders": [("nl", 60), ("nl,fr", 15), ("nl,en", 15), ("nl,fr,en", 10)],
    "brussels": [("fr", 35), ("fr,nl", 25), ("nl", 10), ("fr,en", 15), ("nl,fr,en", 15)],
    "wallonia": [("fr", 75), ("fr,nl", 10), ("fr,en", 15)],
    "german": [("de", 40), ("de,fr", 50), ("fr", 10)],
}


def _region(code: str) -> str:
    n = int(code)
    if n < 1300:
        return "brussels"
    if n == 4700:
        return "german"
    if 4000 <= n < 8000 or 1300 <= n < 1500:
        return "wallonia"
    return "flanders"


def _generate(services: int, rng: random.Random) -> dict:
    from django.db import transaction

    from careweave.people.models import Discipline
    from careweave.territory.actions import derive_zones
    from careweave.territory.geo import POSTAL_CODES
    from careweave.territory.models import Location, OpeningHours, Service, Zone

    region_kind = {"flanders": Zone.Region.FLANDERS, "brussels": Zone.Region.BRUSSELS,
                   "wallonia": Zone.Region.WALLONIA, "german": Zone.Region.GERMAN_COMMUNITY}
    zora = {"9400", "9470", "9450", "9420", "9340", "1770"}
    with transaction.atomic():
        zones = {}
        for code, (town, _lat, _lon) in POSTAL_CODES.items():
            elz_code = "ZORA" if code in zora else f"ELZ-{code}"
            if elz_code not in zones:
                zones[elz_code] = Zone.objects.create(
                    code=elz_code, name="ELZ Zora" if elz_code == "ZORA" else f"ELZ {town}",
                    region=region_kind[_region(code)], postal_codes=" ".join(sorted(zora)) if elz_code == "ZORA"
                    else code)
            Zone.objects.create(code=f"M-{code}", name=town, kind=Zone.Kind.MUNICIPALITY,
                                region=region_kind[_region(code)], parent=zones[elz_code])
        codes = list(POSTAL_CODES)
        derived = {code: derive_zones(Location(postal_code=code, municipality=POSTAL_CODES[code][0]))
                   for code in codes}
        places = []
        for i in range(services // 2):
            code = rng.choice(codes)
            town, lat, lon = POSTAL_CODES[code]
            places.append(Location(name=f"Practice {i}", postal_code=code, municipality=town,
                                   latitude=lat + rng.gauss(0, 0.08), longitude=lon + rng.gauss(0, 0.12),
                                   external_id=f"bench:location:{i}"))
        places = Location.objects.bulk_create(places, batch_size=2000)
        through = Location.zones.through
        through.objects.bulk_create([through(location_id=p.pk, zone_id=z.pk) for p in places
                                     for z in derived[p.postal_code]], batch_size=5000)
        disciplines = [d for d in Discipline.values if d != Discipline.OTHER]
        weights = [4 if d in ("gp", "home_nurse", "physio") else 1 for d in disciplines]
        entries = []
        for i in range(services):
            place = places[i % len(places)]
            langs, lw = zip(*LANGUAGES[_region(place.postal_code)], strict=True)
            entries.append(Service(name=f"Service {i:05d}", discipline=rng.choices(disciplines, weights)[0],
                                   location=place, languages=rng.choices(langs, lw)[0],
                                   external_id=f"bench:service:{i}"))
        entries = Service.objects.bulk_create(entries, batch_size=2000)
        hours = []
        for s in entries:
            for day in range(5):
                hours += [OpeningHours(service=s, weekday=day, opens="09:00", closes="12:00"),
                          OpeningHours(service=s, weekday=day, opens="13:00", closes="17:00")]
        OpeningHours.objects.bulk_create(hours, batch_size=5000)
    return {"locations": len(places), "zones": Zone.objects.count(),
            "physio_fr": sum(1 for s in entries if s.discipline == "physio" and "fr" in s.languages.split(","))}


def task(services: int, searches: int, seed: int = 1) -> dict:
    """In the child process, on the (fresh) database of ``DATABASE_URL``: generate, then time the searches."""
    setup_django()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from careweave.territory import actions
    from careweave.territory.geo import POSTAL_CODES, haversine_km
    from careweave.territory.models import Service

    rng = random.Random(seed)
    start = time.perf_counter()
    made = _generate(services, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # statistics for the planner, as autovacuum would gather them
            cursor.execute("ANALYZE")
    generate_seconds = time.perf_counter() - start
    candidates = [(s.pk, s.location.latitude, s.location.longitude, s.name)
                  for s in Service.objects.filter(active=True, discipline="physio").select_related("location")
                  if "fr" in s.language_list]

    def point() -> tuple[tuple[float, float], str | None]:
        if rng.random() < 0.5:
            code = rng.choice(list(POSTAL_CODES))
            return actions.resolve_point(code), code
        return (rng.uniform(*BELGIUM[:2]), rng.uniform(*BELGIUM[2:])), None

    def timed(**filters) -> tuple[float, list]:  # noqa: ANN003
        t = time.perf_counter()
        hits = actions.search_services(discipline="physio", language="fr", **filters)
        return time.perf_counter() - t, hits

    load_before = load()
    for _ in range(WARM_UP):
        timed(near=point()[0])
    nearest, within, found_within, checked = [], [], [], 0
    kinds: dict[str, dict[str, list]] = {"code": {"found": [], "within": []}, "random": {"found": [], "within": []}}
    for _ in range(searches):
        near, code = point()
        seconds, hits = timed(near=near)
        nearest.append(seconds)
        expected = sorted(candidates, key=lambda c: (haversine_km(near[0], near[1], c[1], c[2]), c[3]))[:50]
        assert [h.service.pk for h in hits] == [c[0] for c in expected], "nearest search differs from brute force"
        assert all(h.service.discipline == "physio" and "fr" in h.service.language_list for h in hits)
        checked += 1
        seconds, hits = timed(near=near, within_km=RADIUS_KM)
        within.append(seconds)
        found_within.append(len(hits))
        kinds["code" if code else "random"]["found"].append(len(hits))
        kinds["code" if code else "random"]["within"].append(seconds)
    user = User.objects.create_user("bench-map", password="x-very-long-password-bench")
    client = Client()
    client.force_login(user)
    pages = []
    codes = list(POSTAL_CODES)
    for i in range(WARM_UP + searches):
        url = f"/social-map/?discipline=physio&language=fr&near={rng.choice(codes)}"
        t = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        if i >= WARM_UP:
            pages.append(elapsed)
    out = {"services": services, "generate_seconds": generate_seconds, **made, "candidates": len(candidates),
           "nearest": ms(nearest), "within": ms(within), "page": ms(pages), "checked": checked,
           "found_within_mean": sum(found_within) / len(found_within), "load": [load_before, load()],
           "within_by_kind": {k: {"n": len(v["found"]), "found_mean": sum(v["found"]) / max(1, len(v["found"])),
                                  "p50": ms(v["within"])["p50"] if v["within"] else 0.0}
                              for k, v in kinds.items()},
           "vendor": connection.vendor}
    if connection.vendor == "sqlite":
        import sqlite3

        out["version"] = f"SQLite {sqlite3.sqlite_version}"
    return out


def measure(quick: bool) -> list[tuple[str, dict]]:
    kwargs = {"services": QUICK_SERVICES if quick else SERVICES, "searches": QUICK_SEARCHES if quick else SEARCHES}
    return on_both_databases("benchmarks.territory", DATABASE, quick, **kwargs)


def run(quick: bool = False) -> str:
    load_before = load()
    results = measure(quick)
    load_after = load()
    r0 = results[0][1]
    n = r0["nearest"]["n"]
    lines = [
        "## Social map nearest search",
        "",
        f"Measured {date.today():%Y-%m-%d} with `python -m benchmarks --only benchmarks.territory` "
        "(part of `make bench`) on "
        f"{machine()}; {', '.join(r['version'] for _n, r in results)} on the same machine; load average "
        f"{load_before:.1f} before and {load_after:.1f} after (other work shares the machine).",
        "",
        f"{r0['services']:,} generated services at {r0['locations']:,} locations around the "
        f"{len(_postal_codes())} postal-code centres of the social map across Belgium (a spread of about 9 km), "
        f"in {r0['zones']} zones (municipalities and primary-care zones), with weekday opening hours; "
        f"{r0['candidates']:,} of them are physiotherapists who speak French. The search is "
        "`territory.actions.search_services(discipline=\"physio\", language=\"fr\", near=...)`, the function the "
        "social-map view calls (haversine distance, nearest first, 50 results), from random points (half a postal "
        f"code, half a random position in Belgium), {n} searches of each kind after {WARM_UP} warm-up searches, "
        "in a fresh, migrated database of each kind. Every search without a radius returned exactly the 50 "
        "nearest of a brute-force ranking of all matching services.",
        "",
        "| search | n | " + " | ".join(f"{name} p50 / p95 / max" for name, _r in results) + " |",
        "|---|---:|" + "---:|" * len(results),
    ]
    for key, label in (("nearest", "nearest physiotherapist who speaks French, no radius"),
                       ("within", f"the same within {RADIUS_KM} km (bounding-box prefilter in SQL)"),
                       ("page", "the page `GET /social-map/?discipline=physio&language=fr&near=<postal code>`, "
                                "test client, logged in")):
        lines.append(f"| {label} | {n} | " + " | ".join(
            f"{r[key]['p50']:.1f} / {r[key]['p95']:.1f} / {r[key]['max']:.1f} ms" for _n, r in results) + " |")
    lines += [
        "",
        f"- Within {RADIUS_KM} km a search found {r0['found_within_mean']:.1f} services on average: "
        f"{r0['within_by_kind']['code']['found_mean']:.1f} from a postal code (a dense centre; the 50 nearest are "
        f"returned; p50 {r0['within_by_kind']['code']['p50']:.1f} ms on {results[0][0]}), "
        f"{r0['within_by_kind']['random']['found_mean']:.1f} from a random position, often far from any service "
        f"(p50 {r0['within_by_kind']['random']['p50']:.1f} ms).",
        f"- Target: the issue sets none. Ours: p95 < {TARGET_MS:.0f} ms for the search without a radius, as for "
        "the zone dashboard: " + ", ".join(
            f"{name} {'meets' if r['nearest']['p95'] < TARGET_MS else 'MISSES'}" for name, r in results)
        + (f" (this run has {r0['services']:,} services, not {SERVICES:,})" if r0["services"] != SERVICES else "")
        + ".",
        f"- How: of the {r0['candidates']:,} matching services, only a few columns (id, languages, name, "
        "coordinates) of those inside a bounding box are read and ranked by exact distance; only the 50 "
        "shown are loaded, with their location (opening hours only when the search filters on them). "
        "Without a radius the box is a ring that "
        "widens (5 km first, then a radius guessed from the density found) until it holds 50 services, all "
        "nearer than anything outside it (`territory.actions.search_services`).",
    ]
    if quick or not postgres_url():
        lines.append("- PostgreSQL is not measured in this run ("
                     + ("quick run" if quick else "`DATABASE_URL` is not a PostgreSQL server") + ").")
    return "\n".join(lines) + "\n"


def _postal_codes() -> dict:
    from careweave.territory.geo import POSTAL_CODES

    return POSTAL_CODES


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    print(run(quick=True))
