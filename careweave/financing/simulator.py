"""Financing simulator: six payment models on the same population and the same use, side by side per zone.

The models come from the seed's overview of financing methods (001 l.3842-4131, SEED-REQUIREMENTS C9 §9.3):
fee-for-service (prestatiefinanciering, 001 l.3692-3696), forfait/capitation per enrolled person regardless of
the number of services (001 l.3698-3710, l.3863-3881), bundled payment, one payment per episode for a target
group (001 l.3976-3994), budget guarantee, the expected average cost of the target group, whose difference
with the actual spending "vormt efficiëntiewinst of -verlies" (001 l.4070-4092), virtual (shadow) payment to
test a model while paying another (001 l.4046-4068, l.3791-3795) and pay-for-performance on indicators
(001 l.3963-3974), plus a transition mix of fee-for-service and the shadow model ("overgangsscenario",
003 l.48-51). Capitation is risk-adjusted by stratum and by increased reimbursement (BIM), as asked by
001 l.12228-12230; half of an efficiency gain is reinvested by default (001 l.6704-6706).

One definition, two engines (decision 0002): the person scan is one SQL statement in the DuckDB dialect run
on the population engine (DuckDB or Spark via sqlglot); it yields additive cells (zone × risk level × BIM:
persons, users, actual spending, fee-for-service value). Every model is arithmetic on those cells in pandas,
the same code whatever engine produced them. Pay-for-performance reads the population indicators
(``indicators.compute_cells``), the same cells as the zone dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext_lazy as _

from careweave.population import indicators, stratify
from careweave.population.engines import Engine
from careweave.population.generator import NOMENCLATURE

MODELS = {
    "ffs": _("Fee-for-service"),
    "capitation": _("Forfait (capitation)"),
    "bundled": _("Bundled payment"),
    "guarantee": _("Budget guarantee"),
    "virtual": _("Virtual (shadow) payment"),
    "p4p": _("Pay for performance"),
}
from careweave.financing.catalogue import SHADOW_MODELS  # noqa: E402 - light, for the CLI parser

LEVELS = (0, 1, 2, 3)
# Example fee-for-service tariffs per claim code: the generator's illustrative nomenclature means (EUR);
# hospital stays are outside the scope of integrated primary-care financing.
EXAMPLE_FFS = {code: mean for code, (disc, mean) in NOMENCLATURE.items() if disc != "hospital"}


@dataclass
class Target:
    """A pay-for-performance target: ``indicator`` at least (or at most) ``target``, worth ``bonus`` per person."""

    indicator: str
    target: float
    bonus: float
    higher_is_better: bool = True


@dataclass
class Parameters:
    """Everything the user can change; amounts in EUR per person-year unless said otherwise."""

    year: int | None = None
    ffs_tariffs: dict[int, float] = field(default_factory=lambda: dict(EXAMPLE_FFS))
    capitation_base: float = 160.0
    level_weights: dict[int, float] = field(default_factory=lambda: {0: 0.6, 1: 1.0, 2: 1.8, 3: 3.0})
    bim_uplift: float = 0.2
    bundle_min_level: int = 2
    bundle_prices: dict[int, float] = field(default_factory=lambda: {2: 300.0, 3: 600.0})
    reinvest_share: float = 0.5
    shadow_model: str = "capitation"
    transition_share: float = 0.5
    targets: list[Target] = field(default_factory=lambda: [
        Target("gmd_65", 85.0, 10.0), Target("flu_vaccination_65", 60.0, 10.0),
        Target("acsc_admissions", 15.0, 10.0, higher_is_better=False)])


CELL_KEYS = ["zone", "level", "bim"]


class NoDataForYear(ValueError):
    """The reference year has no claims in the data set."""

    def __init__(self, year: int, known: list[int]) -> None:
        self.year, self.known = year, known
        super().__init__(f"no data for {year} (years in the data: {', '.join(map(str, known))})")


def use_cells(engine: Engine, year: int, tariffs: dict[int, float]) -> pd.DataFrame:
    """Per zone × risk level × BIM: persons, users (≥1 claim in scope), actual spending and fee-for-service value.

    ``stratify.prepare`` must have run on ``engine`` for ``year`` with zone, level and bim.
    """
    engine.register("fin_tariffs", pd.DataFrame({"code": pd.Series(list(tariffs), dtype="int64"),
                                                 "tariff": pd.Series(list(tariffs.values()), dtype="float64")}))
    y = int(year)
    frame = engine.query(f"""
        SELECT s.zone, CAST(s.level AS INT) AS level, s.bim,
               COUNT(*) AS persons,
               SUM(CASE WHEN u.n_claims > 0 THEN 1 ELSE 0 END) AS users,
               SUM(COALESCE(u.n_claims, 0)) AS claims,
               SUM(COALESCE(u.actual, 0)) AS actual,
               SUM(COALESCE(u.ffs, 0)) AS ffs
        FROM strata s
        LEFT JOIN (
            SELECT c.person_id, COUNT(*) AS n_claims, SUM(CAST(c.amount AS DOUBLE)) AS actual, SUM(t.tariff) AS ffs
            FROM claims c JOIN fin_tariffs t ON t.code = CAST(c.code AS BIGINT)
            WHERE c.date >= DATE '{y}-01-01' AND c.date < DATE '{y + 1}-01-01'
            GROUP BY c.person_id) u ON u.person_id = s.person_id
        WHERE s.year = {y}
        GROUP BY s.zone, CAST(s.level AS INT), s.bim""")
    frame = stratify.normalise(frame)
    for col in ("persons", "users", "claims"):
        frame[col] = frame[col].astype("int64")
    for col in ("actual", "ffs"):
        frame[col] = frame[col].astype("float64").round(6)
    frame["bim"] = frame["bim"].astype(bool)
    return frame.sort_values(CELL_KEYS).reset_index(drop=True)


def indicator_values(engine: Engine, year: int, targets: list[Target]) -> pd.DataFrame:
    """Value of each target indicator per zone in ``year`` (from the same cells as the zone dashboard)."""
    ids = sorted({t.indicator for t in targets})
    if not ids:
        return pd.DataFrame(columns=["zone", "indicator", "value"])
    defs = indicators.select(ids)
    cells = indicators.compute_cells(engine, defs)
    cells = cells[cells["year"] == int(year)]
    agg = cells.groupby(["zone", "indicator"], sort=True)[["num", "den"]].sum().reset_index()
    scale = {d["id"]: indicators.UNITS[d["unit"]][0] for d in defs}
    agg["value"] = [num / den * scale[i] if den else float("nan")
                    for num, den, i in zip(agg["num"], agg["den"], agg["indicator"], strict=True)]
    return agg[["zone", "indicator", "value"]]


def prepare(engine: Engine, year: int | None, targets: list[Target]) -> int:
    """Stratify the reference year with just the columns the simulator needs; return the year."""
    known = stratify.data_years(engine)
    if year is None:
        year = max(known)
    if int(year) not in known:
        raise NoDataForYear(int(year), known)
    columns = ["person_id", "year", "zone", "level", "bim"]
    ids = sorted({t.indicator for t in targets})
    if ids:
        columns = sorted(set(columns) | set(indicators.required_columns(indicators.select(ids))))
    stratify.prepare(engine, years=[int(year)], columns=columns)
    return int(year)


def compute(cells: pd.DataFrame, values: pd.DataFrame, p: Parameters) -> pd.DataFrame:
    """Every model per zone from the cells (pure arithmetic, engine-independent). One row per zone."""
    c = cells.copy()
    weight = c["level"].map(lambda lv: p.level_weights.get(int(lv), 1.0)).astype(float)
    c["capitation"] = c["persons"] * p.capitation_base * weight * (1 + p.bim_uplift * c["bim"].astype(float))
    in_bundle = c["level"] >= p.bundle_min_level
    price = c["level"].map(lambda lv: p.bundle_prices.get(int(lv), 0.0)).astype(float)
    c["bundled"] = c["ffs"].where(~in_bundle, c["users"] * price)
    # Expected average cost per target group (risk level × BIM) over the whole population of the data set.
    group = c.groupby(["level", "bim"])[["actual", "persons"]].transform("sum")
    c["guarantee"] = c["persons"] * (group["actual"] / group["persons"])
    out = c.groupby("zone", sort=True)[["persons", "users", "claims", "actual", "ffs", "capitation", "bundled",
                                        "guarantee"]].sum()
    out["efficiency"] = out["guarantee"] - out["actual"]
    out["reinvested"] = out["efficiency"].clip(lower=0) * p.reinvest_share
    shadow = p.shadow_model if p.shadow_model in SHADOW_MODELS else "capitation"
    out["virtual"] = out[shadow]
    out["virtual_difference"] = out["virtual"] - out["ffs"]
    # A transition scenario (KCE, 003 l.48-51) or a mix (001 l.3744): part fee-for-service, part the shadow model.
    out["transition"] = (1 - p.transition_share) * out["ffs"] + p.transition_share * out["virtual"]
    out["p4p_bonus"] = 0.0
    out["targets_met"] = 0
    for t in p.targets:
        v = values[values["indicator"] == t.indicator].set_index("zone")["value"].reindex(out.index)
        met = (v >= t.target) if t.higher_is_better else (v <= t.target)
        met = met.fillna(False).astype(bool)
        out[f"value_{t.indicator}"] = v
        out["p4p_bonus"] += met.astype(float) * out["persons"] * t.bonus
        out["targets_met"] += met.astype(int)
    out["p4p"] = out["ffs"] + out["p4p_bonus"]
    return out.reset_index()


def run(engine: Engine, params: Parameters) -> dict:
    """Prepare the year on ``engine``, compute the cells and every model; the result of one simulation."""
    year = prepare(engine, params.year, params.targets)
    cells = use_cells(engine, year, params.ffs_tariffs)
    values = indicator_values(engine, year, params.targets)
    return {"year": year, "cells": cells, "values": values, "zones": compute(cells, values, params)}


def paid(row: pd.Series | dict) -> dict[str, float]:
    """What each model pays the zone (virtual payment pays fee-for-service; its shadow is shown apart)."""
    return {"ffs": row["ffs"], "capitation": row["capitation"], "bundled": row["bundled"],
            "guarantee": row["guarantee"], "virtual": row["ffs"], "p4p": row["p4p"]}
