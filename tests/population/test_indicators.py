"""Indicator catalogue and computation: definitions, values, equity ratios, suppression."""

from __future__ import annotations

import numpy as np
import pytest

from careweave.population import indicators, stratify
from careweave.population.engines import DuckDBEngine
from careweave.population.suppression import suppress_table, with_margins

# The module-scoped data set is built once: the module runs on one worker.
pytestmark = pytest.mark.xdist_group("population-indicators")


def test_catalogue_covers_the_quintuple_aim():
    defs = indicators.catalogue()
    assert len(defs) >= 25
    assert {d["aim"] for d in defs} == set(indicators.AIMS)
    ids = [d["id"] for d in defs]
    assert len(ids) == len(set(ids))
    for d in defs:
        assert {"id", "name", "aim", "level", "type", "source", "population", "numerator", "denominator",
                "unit", "breakdowns"} <= set(d)
        assert d["level"] in {"micro", "meso", "macro"} and d["type"] in {"process", "outcome"}
    for aim in indicators.AIMS:  # process indicators first within each aim
        types = [d["type"] for d in defs if d["aim"] == aim]
        assert types == sorted(types, key=lambda t: t != "process")


@pytest.fixture(scope="module")
def computed(zone_pop):
    engine = DuckDBEngine(zone_pop)
    stratify.prepare(engine)
    cells = indicators.compute_cells(engine)
    strata = engine.query("SELECT * FROM strata")
    yield cells, strata
    engine.close()


def test_values_match_a_direct_count(computed):
    cells, strata = computed
    out = indicators.breakdowns(cells, k=5)
    s = strata[(strata["year"] == 2025) & (strata["age"] >= 65)]
    row = out[(out.indicator == "gmd_65") & (out.year == 2025) & (out.zone == "ZORA") & (out.breakdown == "total")]
    assert row["numerator"].iloc[0] == s["gmd"].sum()
    assert row["denominator"].iloc[0] == len(s)
    assert row["value"].iloc[0] == pytest.approx(100 * s["gmd"].mean())
    days = out[(out.indicator == "hospital_days") & (out.year == 2025) & (out.zone == "ZORA")
               & (out.breakdown == "total")]["value"].iloc[0]
    all25 = strata[strata["year"] == 2025]
    assert days == pytest.approx(all25["hospital_days"].sum() / len(all25))


def test_three_years_trend_and_breakdowns(computed):
    cells, _ = computed
    out = indicators.breakdowns(cells, k=5, zone="ZORA")
    assert sorted(out["year"].unique()) == [2023, 2024, 2025]
    flu = out[out.indicator == "flu_vaccination_65"]
    assert set(flu["breakdown"]) >= {"total", "nis", "age_band", "sex", "bim", "bim_ratio", "nis_x_bim"}
    assert set(out[out.indicator == "gp_per_10000"]["breakdown"]) == {"total", "nis"}


def test_equity_ratio_is_bim_over_non_bim(computed):
    cells, _ = computed
    out = indicators.breakdowns(cells, k=1, zone="ZORA")
    sel = out[(out.indicator == "care_need_without_gmd") & (out.year == 2025)]
    bim = sel[(sel.breakdown == "bim") & (sel.group == "True")]["value"].iloc[0]
    other = sel[(sel.breakdown == "bim") & (sel.group == "False")]["value"].iloc[0]
    ratio = sel[sel.breakdown == "bim_ratio"]["value"].iloc[0]
    assert ratio == pytest.approx(bim / other)


def test_no_small_cell_is_shown(computed):
    cells, _ = computed
    k = 10
    out = indicators.breakdowns(cells, k=k, zone="ZORA")
    shown = out[~out["suppressed"] & (out["breakdown"] != "bim_ratio")]
    assert (shown["n"] >= k).all()
    hidden = out[out["suppressed"]]
    assert len(hidden) > 0
    assert hidden[["numerator", "denominator", "n", "value"]].isna().all().all()
    # a 1-D breakdown never has exactly one hidden cell next to a visible total
    for _key, g in out[out.breakdown == "nis"].groupby(["indicator", "year"]):
        assert g["suppressed"].sum() != 1


def test_municipality_by_bim_tables_have_margins_and_protect_small_cells(computed):
    """Every municipality x BIM table (cut from one sorted array, issue #19) is the table of its cells with
    margins, hidden where ``suppress_table`` hides it, and carries no numbers there."""
    cells, _ = computed
    k = 10
    out = indicators.breakdowns(cells, k=k, zone="ZORA")
    two_way = out[out.breakdown == "nis_x_bim"]
    assert set(two_way["indicator"]) >= {"gmd_65", "flu_vaccination_65", "polypharmacy_65"}
    checked = 0
    for (ind, year), got in two_way.groupby(["indicator", "year"]):
        src = cells[(cells.indicator == ind) & (cells.year == year) & (cells.zone == "ZORA")]
        table = src.assign(bim=src["bim"].astype(str)).pivot_table(
            index="nis", columns="bim", values=["n", "num", "den"], aggfunc="sum", fill_value=0)
        cols = sorted(table["n"].columns)
        n, num, den = (table[part][cols].to_numpy(dtype=float) for part in ("n", "num", "den"))
        d = indicators.select([ind])[0]
        count = d["unit"] in indicators.COUNT_UNITS and d["numerator"] != "fte"
        mask = suppress_table(n, num if count else None, k)
        groups = [f"{r}|{c}" for r in [*map(str, table.index), "total"] for c in [*cols, "total"]]
        got = got.set_index("group").loc[groups]
        assert got["suppressed"].tolist() == mask.ravel().tolist()
        visible = ~mask.ravel()
        assert np.array_equal(got["n"].to_numpy()[visible], with_margins(n).ravel()[visible])
        assert np.allclose(got["denominator"].to_numpy()[visible], with_margins(den).ravel()[visible])
        assert got.loc[mask.ravel(), ["numerator", "denominator", "n", "value"]].isna().all().all()
        checked += 1
    assert checked >= 3 * 3  # three years of at least three indicators


def test_professional_capacity_per_10000(computed):
    cells, strata = computed
    out = indicators.breakdowns(cells, k=1, zone="ZORA")
    gp = out[(out.indicator == "gp_per_10000") & (out.year == 2025) & (out.breakdown == "total")]["value"].iloc[0]
    assert 4 < gp < 16
    # with k = 5 the three or so GPs of a 3,000-person zone are a small cell: hidden
    hidden = indicators.breakdowns(cells, k=5, zone="ZORA")
    row = hidden[(hidden.indicator == "gp_per_10000") & (hidden.year == 2025) & (hidden.breakdown == "total")]
    assert bool(row["suppressed"].iloc[0]) and np.isnan(row["value"].iloc[0])


def test_a_few_indicators_for_one_year_match_the_full_run(zone_pop, computed):
    cells, _ = computed
    ids = ["gmd_65", "flu_vaccination_65", "polypharmacy_65", "gp_per_10000", "prem_score"]
    assert set(indicators.required_columns(indicators.select(ids))) == {
        "person_id", "year", "zone", "nis", "age_band", "sex", "bim", "age", "gmd", "flu_vaccinated", "polypharmacy"}
    engine = DuckDBEngine(zone_pop)
    out = indicators.run(engine, k=5, ids=ids, years=[2025])
    engine.close()
    assert set(out["indicator"]) == set(ids) and set(out["year"]) == {2025}
    full = indicators.breakdowns(cells, k=5)
    full = full[full["indicator"].isin(ids) & (full["year"] == 2025)]
    key = ["indicator", "zone", "breakdown", "group"]
    a = out.sort_values(key).reset_index(drop=True)
    b = full.sort_values(key).reset_index(drop=True)
    cols = key + ["numerator", "denominator", "suppressed"]
    assert a[cols].equals(b[cols])


def test_unknown_indicator_is_refused():
    with pytest.raises(KeyError):
        indicators.select(["gmd_65", "happiness"])
