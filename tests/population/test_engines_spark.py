"""One definition, two engines: DuckDB and Spark give the same strata and indicator cells."""

from __future__ import annotations

import pandas as pd
import pytest

from careweave.population import indicators, stratify
from careweave.population.engines import DuckDBEngine, SparkEngine, to_spark_sql

# One worker runs every Spark test (one Spark session), and first: the group is scheduled before single tests.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def _run(engine):
    years = stratify.prepare(engine)
    persons = stratify.person_strata(engine, max(years))
    cells = indicators.compute_cells(engine)
    return years, persons, cells


def test_duckdb_and_spark_agree(belgium_pop, spark):
    d_years, d_persons, d_cells = _run(DuckDBEngine(belgium_pop))
    s_engine = SparkEngine(belgium_pop, spark=spark)
    try:
        s_years, s_persons, s_cells = _run(s_engine)
    finally:
        s_engine.close()
    assert d_years == s_years == [2023, 2024, 2025]
    assert len(d_persons) > 3500
    pd.testing.assert_frame_equal(d_persons.reset_index(drop=True), s_persons.reset_index(drop=True),
                                  check_dtype=False, rtol=1e-9)
    key = ["indicator", "year", "zone", "nis", "age_band", "sex", "bim"]
    d = d_cells.assign(bim=d_cells["bim"].astype(str)).sort_values(key).reset_index(drop=True)
    s = s_cells.assign(bim=s_cells["bim"].astype(str)).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(d, s, check_dtype=False, rtol=1e-9)
    out_d = indicators.breakdowns(d_cells, k=5)
    out_s = indicators.breakdowns(s_cells, k=5)
    pd.testing.assert_frame_equal(out_d, out_s, check_dtype=False, rtol=1e-9)


def test_a_few_columns_for_one_year_agree(belgium_pop, spark):
    cols = ["person_id", "charlson", "gmd", "polypharmacy", "rising_risk", "level"]
    frames = []
    for engine in (DuckDBEngine(belgium_pop), SparkEngine(belgium_pop, spark=spark)):
        try:
            stratify.prepare(engine, years=[2025], columns=cols)
            frames.append(stratify.person_strata(engine, 2025, columns=cols))
        finally:
            engine.close()
    assert len(frames[0]) > 3500 and frames[0]["rising_risk"].any()
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False)


def test_transpiled_sql_is_spark_sql():
    assert "DATEDIFF" in to_spark_sql("SELECT date_diff('day', a, b) FROM t").upper()


def test_indicators_of_the_65_plus_scoped_to_them_agree(belgium_pop, spark):
    """The scoped path (sources semi-joined to the 65+ before aggregating) is the same on both engines."""
    ids = ["gmd_65", "flu_vaccination_65", "polypharmacy_65"]
    outs, persons = [], []
    for engine in (DuckDBEngine(belgium_pop), SparkEngine(belgium_pop, spark=spark)):
        try:
            outs.append(indicators.run(engine, k=5, ids=ids, years=[2025]))
            persons.append(stratify.person_strata(engine, 2025, columns=["person_id", "age", "gmd", "polypharmacy"]))
        finally:
            engine.close()
    key = ["indicator", "zone", "breakdown", "group"]
    a, b = (o.sort_values(key).reset_index(drop=True) for o in outs)
    assert set(a["indicator"]) == set(ids)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
    assert persons[0].loc[persons[0]["age"] < 65, "polypharmacy"].isna().all()
    pd.testing.assert_frame_equal(persons[0], persons[1], check_dtype=False)
