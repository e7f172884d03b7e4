"""What other parts of Careweave call: the demo dataset and the cached dashboard results.

Why a cache: stratification and indicators take a second for a zone and longer for
Belgium; the dashboard reads their results from ``DIR/_results`` (Parquet), recomputed only
when the dataset changes (its ``manifest.json``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd

from . import indicators, stratify
from .engines import DataDirError, DuckDBEngine, check_data_dir
from .generator import LinkedPerson, generate, linked_fingerprint
from .geography import municipalities

DEMO_SEED = 20261124
_lock = threading.Lock()


def manifest(data_dir: str | Path) -> dict | None:
    """The dataset's manifest, or None when there is no dataset."""
    path = Path(data_dir) / "manifest.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def careweave_persons(zone: str | None) -> list[LinkedPerson]:
    """Careweave's own persons living in the zone, as the claims-like set would know them.

    What a mutuality knows of an insured person: SSIN (only ever used keyed, as a pseudonym),
    birth year, sex and municipality. Persons without an SSIN or a known municipality are left out
    (no pseudonym can link them); sexes other than female/male get the one their SSIN's sequence
    number says (odd: male, even: female), as the SSIN itself does.
    """
    from careweave.people.models import Person

    by_name = {m.name.casefold(): m.nis for m in municipalities(zone)}
    out = []
    rows = Person.objects.exclude(ssin="").exclude(birth_date=None).order_by("ssin") \
        .values_list("ssin", "birth_date", "sex", "municipality")
    for ssin, birth, sex, municipality in rows:
        nis = by_name.get((municipality or "").strip().casefold())
        digits = "".join(ch for ch in ssin or "" if ch.isdigit())
        if nis is None or len(digits) != 11:
            continue
        code = {"female": "F", "male": "M"}.get(sex) or ("M" if int(digits[6:9]) % 2 else "F")
        out.append(LinkedPerson(digits, birth.year, code, nis))
    return out


def ensure_demo_population(out_dir: str | Path, persons: int = 20000, seed: int = DEMO_SEED,
                           zone: str | None = "ZORA", include_careweave: bool = True) -> dict:
    """Generate a small zone population in ``out_dir`` unless the same one is already there.

    With ``include_careweave`` Careweave's own persons of the zone are part of it under their
    pseudonyms (issue #20): the zone's care work and the claims-like set then speak of the same people.
    """
    linked = careweave_persons(zone) if include_careweave else []
    current = manifest(out_dir)
    if current and current.get("persons") == persons and current.get("seed") == seed \
            and current.get("zone") == zone and current.get("source") == "synthetic" \
            and current.get("linked_fingerprint", "") == linked_fingerprint(linked):
        return current
    result = generate(persons, seed, out_dir, zone=zone, linked=linked)
    register_dataset(out_dir)
    return result


def register_dataset(data_dir: str | Path) -> None:
    """Record the dataset in the database when Django is configured (best effort)."""
    try:
        from django.utils.dateparse import parse_datetime

        from .models import PopulationDataset

        m = manifest(data_dir) or {}
        PopulationDataset.objects.update_or_create(
            path=str(Path(data_dir).resolve()),
            defaults={"source": m.get("source", "synthetic"), "persons": m.get("persons", 0),
                      "seed": m.get("seed"), "zone": m.get("zone") or "",
                      "generated_at": parse_datetime(m["generated_at"]) if m.get("generated_at") else None})
    except Exception:  # no Django settings or no table yet: the files are what matters
        return


def results(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Latest-year person strata, indicator cells and municipalities, cached on disk."""
    data_dir = check_data_dir(data_dir)
    m = manifest(data_dir) or {}
    key = json.dumps({"generated_at": m.get("generated_at"), "persons": m.get("persons"), "v": 2})
    cache = data_dir / "_results"
    with _lock:
        if not ((cache / "key.json").exists() and (cache / "key.json").read_text() == key):
            engine = DuckDBEngine(data_dir)
            try:
                years = stratify.prepare(engine)
                strata = stratify.person_strata(engine, max(years))
                pyramid = engine.query("SELECT year, zone, nis, level, COUNT(*) AS n FROM strata "
                                       "GROUP BY year, zone, nis, level")
                cells = indicators.compute_cells(engine)
            finally:
                engine.close()
            cache.mkdir(exist_ok=True)
            strata.to_parquet(cache / "strata.parquet", index=False)
            pyramid.to_parquet(cache / "pyramid.parquet", index=False)
            cells.assign(bim=cells["bim"].astype(str)).to_parquet(cache / "cells.parquet", index=False)
            (cache / "key.json").write_text(key)
    cells = pd.read_parquet(cache / "cells.parquet")
    cells["bim"] = cells["bim"].map({"True": True, "False": False, "None": None})
    return {
        "strata": pd.read_parquet(cache / "strata.parquet"),
        "pyramid": pd.read_parquet(cache / "pyramid.parquet"),
        "cells": cells,
        "municipalities": pd.read_parquet(data_dir / "municipalities.parquet"),
    }


__all__ = ["ensure_demo_population", "register_dataset", "results", "manifest", "DataDirError"]
