"""The simulator's arithmetic on a hand-made population, and its person scan against the raw data."""

from __future__ import annotations

import pandas as pd
import pytest

from careweave.financing import plot, simulator
from careweave.financing.simulator import Parameters, Target
from careweave.population.engines import DuckDBEngine

# Two zones. A: 10 persons at level 0 (8 users), 2 BIM persons at level 3 (2 users). B: 5 level-3 persons.
CELLS = pd.DataFrame([
    # zone, level, bim, persons, users, claims, actual, ffs
    ("A", 0, False, 10, 8, 20, 600.0, 640.0),
    ("A", 3, True, 2, 2, 30, 1400.0, 1200.0),
    ("B", 3, True, 5, 5, 50, 2100.0, 2000.0),
], columns=["zone", "level", "bim", "persons", "users", "claims", "actual", "ffs"])
VALUES = pd.DataFrame([("A", "gmd_65", 90.0), ("B", "gmd_65", 70.0), ("A", "acsc_admissions", 20.0),
                       ("B", "acsc_admissions", 5.0)], columns=["zone", "indicator", "value"])


def params(**kw) -> Parameters:  # noqa: ANN003
    p = Parameters(capitation_base=100.0, level_weights={0: 0.5, 1: 1.0, 2: 2.0, 3: 4.0}, bim_uplift=0.25,
                   bundle_min_level=3, bundle_prices={3: 500.0}, reinvest_share=0.5, shadow_model="bundled",
                   targets=[Target("gmd_65", 80.0, 3.0), Target("acsc_admissions", 10.0, 2.0, higher_is_better=False)])
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def test_each_model_by_hand():
    out = simulator.compute(CELLS, VALUES, params()).set_index("zone")
    a, b = out.loc["A"], out.loc["B"]
    # fee-for-service: the tariffs × use, summed
    assert (a["ffs"], b["ffs"]) == (1840.0, 2000.0)
    # forfait: persons × 100 × risk weight × (1 + 25 % for BIM), whatever the use
    assert a["capitation"] == 10 * 100 * 0.5 + 2 * 100 * 4.0 * 1.25 == 1500.0
    assert b["capitation"] == 5 * 100 * 4.0 * 1.25 == 2500.0
    # bundled: level 3 users × 500 per episode; the rest stays fee-for-service
    assert a["bundled"] == 640.0 + 2 * 500 and b["bundled"] == 5 * 500
    # budget guarantee: expected average cost of the group (level 3 BIM: 3500 / 7 = 500) × persons
    assert a["guarantee"] == pytest.approx(600.0 + 2 * 500.0)
    assert b["guarantee"] == pytest.approx(5 * 500.0)
    assert a["efficiency"] == pytest.approx(1600.0 - 2000.0)      # a loss
    assert b["efficiency"] == pytest.approx(2500.0 - 2100.0)      # a gain
    assert (a["reinvested"], b["reinvested"]) == (0.0, pytest.approx(200.0))
    # virtual payment: pays fee-for-service, computes bundled payment in the shadow
    assert a["virtual"] == a["bundled"] and a["virtual_difference"] == a["bundled"] - a["ffs"]
    # pay for performance: A meets gmd_65 (90 ≥ 80) not acsc (20 > 10); B meets acsc only
    assert (a["targets_met"], b["targets_met"]) == (1, 1)
    assert a["p4p_bonus"] == 12 * 3.0 and b["p4p_bonus"] == 5 * 2.0
    assert a["p4p"] == a["ffs"] + 36.0
    assert simulator.paid(a)["virtual"] == a["ffs"]
    # transition: half fee-for-service, half the shadow model (bundled)
    assert a["transition"] == pytest.approx(0.5 * 1840.0 + 0.5 * 1640.0)


def test_changing_a_parameter_changes_only_its_model():
    base = simulator.compute(CELLS, VALUES, params()).set_index("zone")
    richer = simulator.compute(CELLS, VALUES, params(capitation_base=200.0, shadow_model="capitation")).set_index(
        "zone")
    assert (richer["capitation"] == 2 * base["capitation"]).all()
    assert (richer["ffs"] == base["ffs"]).all() and (richer["guarantee"] == base["guarantee"]).all()
    assert (richer["virtual"] == richer["capitation"]).all()


def test_the_person_scan_matches_the_raw_claims(small_pop):
    engine = DuckDBEngine(small_pop)
    try:
        result = simulator.run(engine, Parameters(year=2024))
    finally:
        engine.close()
    cells = result["cells"]
    claims = pd.read_parquet(small_pop / "claims")
    claims = claims[(pd.to_datetime(claims["date"]).dt.year == 2024) & claims["code"].isin(simulator.EXAMPLE_FFS)]
    assert cells["claims"].sum() == len(claims)
    assert cells["actual"].sum() == pytest.approx(claims["amount"].sum())
    assert cells["ffs"].sum() == pytest.approx(claims["code"].map(simulator.EXAMPLE_FFS).sum())
    zones = result["zones"]
    assert zones["persons"].sum() == cells["persons"].sum() > 1000
    # the guarantee redistributes the actual spending between zones: it adds up to the same total
    assert zones["guarantee"].sum() == pytest.approx(zones["actual"].sum())
    assert set(result["values"]["indicator"]) == {"gmd_65", "flu_vaccination_65", "acsc_admissions"}
    chart = plot.bars(zones)
    assert len(chart["groups"]) == len(zones) and all(len(g["bars"]) == 6 for g in chart["groups"])
