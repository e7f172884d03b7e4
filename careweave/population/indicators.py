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

from careweave.lazytext import gettext_lazy as _

from . import stratify
from .engines import Engine
from .suppression import suppress_table, with_margins

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


def indicator_name(indicator_id: str) -> str:
    """The indicator's name in the active language: pages show this, never the id (``gmd_65``)."""
    for d in catalogue():
        if d["id"] == indicator_id:
            return str(_(d["name"]))
    return indicator_id


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
    """One row per cell and indicator (indicator-major), built with numpy in one go: a frame per
    indicator and a concat cost a tenth of a second of the fixed cost (issue #19)."""
    if not defs:
        return pd.DataFrame()
    rows = len(wide)
    out = wide[dims].iloc[np.tile(np.arange(rows), len(defs))].reset_index(drop=True)
    out["indicator"] = pd.array(np.repeat([d["id"] for d in defs], rows).tolist(), dtype="str")
    for part in ("num", "den", "n"):
        out[part] = np.concatenate([wide[f"{d['id']}__{part}"].to_numpy(dtype="float64") for d in defs])
    return out


def select(ids: list[str] | None = None) -> list[dict]:
    """The definitions with these ids (all when ``ids`` is empty); unknown ids raise ``KeyError``."""
    defs = catalogue()
    if not ids:
        return defs
    by_id = {d["id"]: d for d in defs}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise KeyError(", ".join(missing))
    return [d for d in defs if d["id"] in set(ids)]


def required_columns(defs: list[dict]) -> list[str]:
    """The ``strata`` columns these definitions read, plus the dimensions of the cells."""
    available = stratify.available_columns()
    cols = set(PERSON_DIMS) | {"person_id"}
    for d in defs:
        if d["source"] == "professionals":
            continue  # only the inhabitants per cell come from strata
        for key in ("population", "numerator", "denominator"):
            if d[key] != "inhabitants":
                cols |= stratify.columns_in(str(d[key])) & set(available)
    return [c for c in available if c in cols]


def column_scopes(defs: list[dict]) -> dict[str, str]:
    """For each ``strata`` column only numerators and denominators read, the person-years where they do.

    The OR of the populations of the definitions reading it, when every such population names only
    person-year dimensions (``age >= 65``); ``stratify.prepare`` then computes the column for those
    person-years only (issue #19: the 65+ indicators read the deliveries of the 65+ only).
    """
    available = set(stratify.available_columns())
    dims = set(stratify.DIMENSIONS) - {"person_id", "year"}
    scopes: dict[str, set[str]] = {}
    everywhere: set[str] = set(PERSON_DIMS) | set(stratify.DIMENSIONS)
    for d in defs:
        if d["source"] == "professionals":
            continue
        pop = str(d["population"]).strip()
        pop_cols = stratify.columns_in(pop) & available
        everywhere |= pop_cols
        for key in ("numerator", "denominator"):
            if d[key] == "inhabitants":
                continue
            for c in stratify.columns_in(str(d[key])) & available:
                if d["source"] != "persons" or pop.upper() == "TRUE" or not pop_cols <= dims or not pop_cols:
                    everywhere.add(c)
                else:
                    scopes.setdefault(c, set()).add(f"({pop})")
    return {c: " OR ".join(sorted(conds)) for c, conds in scopes.items() if c not in everywhere}


def compute_cells(engine: Engine, defs: list[dict] | None = None) -> pd.DataFrame:
    """Additive cells for every indicator; ``stratify.prepare`` must have run on ``engine``

    with at least ``required_columns(defs)``.
    """
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


def _suppress_groups(frame: pd.DataFrame, keys: list[str], k: int) -> pd.Series:
    """Vectorised ``suppress_vector`` over many 1-D breakdowns at once (same rule)."""
    n, num, cnt = frame["n"].to_numpy(), frame["num"].to_numpy(), frame["count_num"].to_numpy()
    primary = (n < k) | (cnt & (num > 0) & (num < k))
    frame = frame.assign(_p=primary)
    grp = frame.groupby(keys, sort=False)
    tot_n = grp["n"].transform("sum").to_numpy()
    tot_num = grp["num"].transform("sum").to_numpy()
    total_hidden = (tot_n < k) | (cnt & (tot_num > 0) & (tot_num < k))
    hidden = primary | total_hidden
    single = frame.assign(_h=hidden).groupby(keys, sort=False)["_h"].transform("sum").to_numpy() == 1
    # hide the smallest visible cell of every breakdown that has exactly one hidden cell
    cand = frame.assign(_rank=np.where(single & ~hidden, n, np.inf))
    first = cand.groupby(keys, sort=False)["_rank"].transform("idxmin")
    extra = single & (cand.index.to_numpy() == first.to_numpy()) & ~hidden & np.isfinite(cand["_rank"].to_numpy())
    return pd.Series(hidden | extra, index=frame.index)


def breakdowns(cells: pd.DataFrame, k: int = 5, zone: str | None = None,
               defs: list[dict] | None = None) -> pd.DataFrame:
    """Long table of indicator values per zone (and ``ALL``), year and breakdown, suppressed.

    Rows: indicator, aim, type, unit, year, zone, breakdown, group, numerator, denominator,
    n, value, suppressed. Hidden cells carry no numbers. ``bim_ratio`` rows give the equity
    ratio (value for BIM / value for non-BIM); ``nis_x_bim`` rows the two-way table with
    complementary suppression.
    """
    defs = {d["id"]: d for d in (defs or catalogue())}
    data = cells if zone is None else cells[cells["zone"] == zone]
    if data.empty:
        return pd.DataFrame()
    meta = pd.DataFrame([{"indicator": i, "aim": d["aim"], "type": d["type"], "unit": d["unit"],
                          "count_num": d["unit"] in COUNT_UNITS and d["numerator"] != "fte",
                          "dims": set(d["breakdowns"])} for i, d in defs.items()])
    scopes = [data]
    if zone is None:
        scopes.append(data.assign(orig_zone=data["zone"], zone="ALL"))
    parts = []
    for scope in scopes:
        is_all = scope["zone"].iloc[0] == "ALL" if len(scope) else False
        for b in ["total", *(["zone"] if is_all else ["nis"]), "age_band", "sex", "bim"]:
            dim = "orig_zone" if b == "zone" else b
            keys = ["indicator", "year", "zone"] + ([] if b == "total" else [dim])
            agg = scope.groupby(keys, sort=True, dropna=True)[["num", "den", "n"]].sum().reset_index()
            if b == "zone":
                agg = agg.rename(columns={"orig_zone": "group"})
            elif b != "total":
                agg = agg.rename(columns={b: "group"})
            else:
                agg["group"] = ""
            agg["breakdown"] = b
            agg = agg.merge(meta, on="indicator")
            if b != "total":
                agg = agg[[b in dims for dims in agg["dims"]]]
            parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["group"] = out["group"].astype(str)
    out["suppressed"] = _suppress_groups(out, ["indicator", "year", "zone", "breakdown"], k)
    # the total row follows its own primary rule only
    tot = out["breakdown"] == "total"
    out.loc[tot, "suppressed"] = (out.loc[tot, "n"] < k) | (
        out.loc[tot, "count_num"] & (out.loc[tot, "num"] > 0) & (out.loc[tot, "num"] < k))
    out = out.rename(columns={"num": "numerator", "den": "denominator"})
    eligible = [i for i, d in defs.items() if "nis" in d["breakdowns"] and "bim" in d["breakdowns"]]
    two_way = _two_way_tables(data[data["indicator"].isin(eligible)], defs, k)
    if not two_way.empty:
        out = pd.concat([out, two_way], ignore_index=True)
    out = out.drop(columns=["count_num", "dims"], errors="ignore")
    out["value"] = np.nan
    for unit, idx in out.groupby("unit").groups.items():
        out.loc[idx, "value"] = _value(out.loc[idx, "numerator"], out.loc[idx, "denominator"], unit)
    out = _equity_ratios(out)
    hidden = out["suppressed"].astype(bool)
    out["suppressed"] = hidden
    out.loc[hidden, ["numerator", "denominator", "n", "value"]] = np.nan
    cols = ["indicator", "aim", "type", "unit", "year", "zone", "breakdown", "group", "numerator", "denominator",
            "n", "value", "suppressed"]
    return out[cols].reset_index(drop=True)


def _two_way_tables(sub: pd.DataFrame, defs: dict[str, dict], k: int) -> pd.DataFrame:
    """Municipality x BIM tables with margins and complementary suppression, one per indicator, year and zone.

    Why numpy: the tables are cut from one sorted array by position; selecting each of the ~1,000
    tables from a pandas MultiIndex cost 2 s, more than the rest of the breakdowns (issue #19).
    """
    if sub.empty:
        return pd.DataFrame()
    wide = (sub.assign(bim=sub["bim"].astype(str))
            .groupby(["indicator", "year", "zone", "nis", "bim"], sort=True)[["num", "den", "n"]].sum()
            .unstack("bim", fill_value=0))
    cols = sorted(wide["n"].columns, key=str)
    n_all, num_all, den_all = (wide[part][cols].to_numpy(dtype=float) for part in ("n", "num", "den"))
    keys = wide.index.to_frame(index=False)
    starts = np.flatnonzero(~keys.duplicated(["indicator", "year", "zone"]).to_numpy()).tolist()
    ends = [*starts[1:], len(keys)]
    nis = keys["nis"].astype(str).tolist()
    inds, years, zones = (keys[c].tolist() for c in ("indicator", "year", "zone"))
    labels_c = [*(str(c) for c in cols), "total"]
    parts: dict[str, list] = {c: [] for c in ("indicator", "year", "zone", "group", "numerator", "denominator", "n",
                                              "suppressed")}
    for a, b in zip(starts, ends, strict=True):
        ind = inds[a]
        d = defs[ind]
        n, num = n_all[a:b], num_all[a:b]
        mask = suppress_table(n, num if d["unit"] in COUNT_UNITS and d["numerator"] != "fte" else None, k)
        cells = mask.size
        parts["indicator"].append([ind] * cells)
        parts["year"].append(np.full(cells, int(years[a])))
        parts["zone"].append([zones[a]] * cells)
        parts["group"].append([f"{rl}|{cl}" for rl in [*nis[a:b], "total"] for cl in labels_c])
        parts["n"].append(with_margins(n).ravel())
        parts["numerator"].append(with_margins(num).ravel())
        parts["denominator"].append(with_margins(den_all[a:b]).ravel())
        parts["suppressed"].append(mask.ravel())
    out = pd.DataFrame({c: np.concatenate(v) if c in ("year", "n", "numerator", "denominator", "suppressed")
                        else [x for chunk in v for x in chunk] for c, v in parts.items()})
    meta = pd.DataFrame([{"indicator": i, "aim": d["aim"], "type": d["type"], "unit": d["unit"]}
                         for i, d in defs.items()])
    out = out.merge(meta, on="indicator", how="left")
    out["breakdown"] = "nis_x_bim"
    return out[["indicator", "aim", "type", "unit", "year", "zone", "breakdown", "group", "numerator", "denominator",
                "n", "suppressed"]]


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


def run(engine: Engine, zone: str | None = None, k: int = 5, progress=None, ids: list[str] | None = None,
        years: list[int] | None = None) -> pd.DataFrame:
    """Stratify, compute the cells and all breakdowns for the dataset on ``engine``.

    ``ids``: only these indicators; ``years``: only these years (default all). Only the strata
    columns the chosen indicators read are computed.
    """
    defs = select(ids)
    stratify.prepare(engine, years=years, columns=required_columns(defs), progress=progress,
                     scopes=column_scopes(defs))
    if progress:
        progress("indicators")
    return breakdowns(compute_cells(engine, defs), k=k, zone=zone, defs=defs)
