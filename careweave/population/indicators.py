"""Quintuple-Aim indicators: one YAML catalogue, one SQL pass per source, breakdowns in pandas.

Why this shape: every indicator is a ratio of sums, so the engine only has to compute
additive cells (numerator, denominator, units) at the finest grain (year x zone x
municipality x age band x sex x BIM), one scan over the person-years for all indicators.
Every breakdown, trend, equity ratio and the small-cell suppression then work on those few
thousand cells, identically whatever engine produced them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from . import stratify
from .engines import Engine
from .suppression import suppress_table, suppress_vector

AIMS = {
    "experience": _("Experience of care"),
    "health": _("Population health"),
    "value": _("Value for resources"),
    "professionals": _("Wellbeing of professionals"),
    "equity": _("Equity"),
}
UNITS = {
    "percent": (100.0, "%"), "per_1000": (1000.0, "‰"), "per_10000": (10000.0, _("per 10,000")),
    "per_capita": (1.0, _("per inhabitant")), "mean": (1.0, _("mean")),
}
PERSON_DIMS = ["year", "zone", "nis", "age_band", "sex", "bim"]
BREAKDOWNS = ["total", "nis", "age_band", "sex", "bim"]
COUNT_UNITS = {"percent", "per_1000", "per_10000"}


def catalogue() -> list[dict]:
    """The indicator definitions, process indicators first within each aim."""
    items = stratify.load_yaml("indicators")["indicators"]
    order = list(AIMS)
    return sorted(items, key=lambda d: (order.index(d["aim"]), d["type"] != "process"))


def _sums(defs: list[dict]) -> str:
    parts = []
    for d in defs:
        pop, num = d["population"], d["numerator"]
        den = "1" if d["denominator"] == "inhabitants" else d["denominator"]
        parts += [
            f"SUM(CASE WHEN ({pop}) THEN CAST(({num}) AS DOUBLE) ELSE 0 END) AS {d['id']}__num",
            f"SUM(CASE WHEN ({pop}) THEN CAST(({den}) AS DOUBLE) ELSE 0 END) AS {d['id']}__den",
            f"SUM(CASE WHEN ({pop}) THEN 1 ELSE 0 END) AS {d['id']}__n",
        ]
    return ",\n".join(parts)


def _melt(wide: pd.DataFrame, defs: list[dict], dims: list[str]) -> pd.DataFrame:
    frames = []
    for d in defs:
        f = wide[dims].copy()
        f["indicator"] = d["id"]
        for part in ("num", "den", "n"):
            f[part] = wide[f"{d['id']}__{part}"].astype("float64")
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def compute_cells(engine: Engine, defs: list[dict] | None = None) -> pd.DataFrame:
    """Additive cells for every indicator; ``stratify.prepare`` must have run on ``engine``."""
    defs = defs or catalogue()
    out = []
    persons = [d for d in defs if d["source"] == "persons"]
    group = ", ".join(PERSON_DIMS)
    if persons:
        wide = engine.query(f"SELECT {group}, {_sums(persons)} FROM strata GROUP BY {group}")
        out.append(_melt(wide, persons, PERSON_DIMS))
    surveys = [d for d in defs if d["source"] == "surveys"]
    if surveys:
        wide = engine.query(f"""
            SELECT {group}, {_sums(surveys)} FROM (
              SELECT t.*, s.bad_health, s.prem_score, s.involved
              FROM surveys s JOIN strata t ON t.person_id = s.person_id AND t.year = s.year) src
            GROUP BY {group}""")
        out.append(_melt(wide, surveys, PERSON_DIMS))
    profs = [d for d in defs if d["source"] == "professionals"]
    if profs:
        wide = engine.query(f"""
            SELECT CAST(year AS INT) AS year, zone, nis, {_sums(profs)} FROM professionals
            GROUP BY CAST(year AS INT), zone, nis""")
        inhabitants = engine.query(
            "SELECT year, zone, nis, COUNT(*) AS inhabitants FROM strata GROUP BY year, zone, nis")
        wide = wide.merge(inhabitants, on=["year", "zone", "nis"], how="inner")
        for d in profs:
            if d["denominator"] == "inhabitants":
                wide[f"{d['id']}__den"] = wide["inhabitants"]
                wide[f"{d['id']}__n"] = wide["inhabitants"]
        out.append(_melt(wide, profs, ["year", "zone", "nis"]))
    cells = pd.concat(out, ignore_index=True)
    cells = cells[cells["n"] > 0].copy()
    cells["year"] = cells["year"].astype("int64")
    cells["nis"] = cells["nis"].astype("int64")
    cells["bim"] = cells["bim"].astype("object")
    return cells.sort_values(["indicator", *PERSON_DIMS], na_position="first").reset_index(drop=True)


def _value(num, den, unit: str):
    scale = UNITS[unit][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(den) > 0, scale * np.asarray(num, dtype=float) / np.asarray(den, dtype=float),
                        np.nan)


def breakdowns(cells: pd.DataFrame, k: int = 5, zone: str | None = None,
               defs: list[dict] | None = None) -> pd.DataFrame:
    """Long table of indicator values per zone (and ``ALL``), year and breakdown, suppressed.

    Rows: indicator, aim, type, unit, year, zone, breakdown, group, numerator, denominator,
    n, value, suppressed. Hidden cells carry no numbers. ``bim_ratio`` rows give the equity
    ratio (value for BIM / value for non-BIM); ``nis_x_bim`` rows the two-way table with
    complementary suppression.
    """
    defs = {d["id"]: d for d in (defs or catalogue())}
    rows: list[dict] = []
    data = cells if zone is None else cells[cells["zone"] == zone]
    scopes = [(z, g) for z, g in data.groupby("zone", sort=True)]
    if zone is None:
        scopes.append(("ALL", data))
    for scope_zone, sc in scopes:
        for (ind, year), g in sc.groupby(["indicator", "year"], sort=True):
            d = defs[ind]
            count_num = d["unit"] in COUNT_UNITS and d["numerator"] != "fte"
            avail = ["total", *[b for b in BREAKDOWNS[1:] if b in d["breakdowns"]]]
            if scope_zone == "ALL":
                avail = ["total", "zone", *[b for b in ("age_band", "sex", "bim") if b in d["breakdowns"]]]
            base = {"indicator": ind, "aim": d["aim"], "type": d["type"], "unit": d["unit"], "year": int(year),
                    "zone": scope_zone}
            tot = g[["num", "den", "n"]].sum()
            for b in avail:
                if b == "total":
                    hidden = bool(tot["n"] < k or (count_num and 0 < tot["num"] < k))
                    rows.append({**base, "breakdown": "total", "group": "", "numerator": tot["num"],
                                 "denominator": tot["den"], "n": tot["n"], "suppressed": hidden})
                    continue
                agg = g.groupby(b, sort=True)[["num", "den", "n"]].sum()
                mask, _total_hidden = suppress_vector(agg["n"].to_numpy(),
                                                      agg["num"].to_numpy() if count_num else None, k)
                for (key, r), m in zip(agg.iterrows(), mask, strict=True):
                    rows.append({**base, "breakdown": b, "group": str(key), "numerator": r["num"],
                                 "denominator": r["den"], "n": r["n"], "suppressed": bool(m)})
            if scope_zone != "ALL" and "nis" in d["breakdowns"] and "bim" in d["breakdowns"]:
                rows += _two_way(g, base, count_num, k)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["value"] = np.nan
    for unit, idx in out.groupby("unit").groups.items():
        out.loc[idx, "value"] = _value(out.loc[idx, "numerator"], out.loc[idx, "denominator"], unit)
    out = _equity_ratios(out)
    hidden = out["suppressed"]
    out.loc[hidden, ["numerator", "denominator", "n", "value"]] = np.nan
    return out.reset_index(drop=True)


def _two_way(g: pd.DataFrame, base: dict, count_num: bool, k: int) -> list[dict]:
    """Municipality x BIM table with margins and complementary suppression."""
    piv = g.assign(bim=g["bim"].astype(str)).pivot_table(
        index="nis", columns="bim", values=["num", "den", "n"], aggfunc="sum", fill_value=0)
    cols = sorted(piv["n"].columns, key=str)
    n = piv["n"][cols].to_numpy(dtype=float)
    num = piv["num"][cols].to_numpy(dtype=float)
    den = piv["den"][cols].to_numpy(dtype=float)
    mask = suppress_table(n, num if count_num else None, k)
    rows = []
    labels_r = [str(x) for x in piv.index] + ["total"]
    labels_c = [str(c) for c in cols] + ["total"]
    from .suppression import with_margins

    gn, gnum, gden = with_margins(n), with_margins(num), with_margins(den)
    for i, rl in enumerate(labels_r):
        for j, cl in enumerate(labels_c):
            rows.append({**base, "breakdown": "nis_x_bim", "group": f"{rl}|{cl}", "numerator": gnum[i, j],
                         "denominator": gden[i, j], "n": gn[i, j], "suppressed": bool(mask[i, j])})
    return rows


def _equity_ratios(out: pd.DataFrame) -> pd.DataFrame:
    bim = out[out["breakdown"] == "bim"]
    if bim.empty:
        return out
    keys = ["indicator", "aim", "type", "unit", "year", "zone"]
    yes = bim[bim["group"] == "True"].set_index(keys)
    no = bim[bim["group"] == "False"].set_index(keys)
    joined = yes[["value", "suppressed"]].merge(no[["value", "suppressed"]], left_index=True, right_index=True,
                                                suffixes=("_bim", "_other"), how="inner")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = joined["value_bim"] / joined["value_other"].replace(0, np.nan)
    ratios = joined.reset_index()[keys].copy()
    ratios["breakdown"] = "bim_ratio"
    ratios["group"] = "BIM/non-BIM"
    ratios["value"] = ratio.to_numpy()
    ratios["suppressed"] = (joined["suppressed_bim"] | joined["suppressed_other"]).to_numpy()
    return pd.concat([out, ratios], ignore_index=True)


def run(engine: Engine, zone: str | None = None, k: int = 5, progress=None) -> pd.DataFrame:
    """Stratify, compute the cells and all breakdowns for the dataset on ``engine``."""
    stratify.prepare(engine, progress=progress)
    if progress:
        progress("indicators")
    return breakdowns(compute_cells(engine), k=k, zone=zone)
