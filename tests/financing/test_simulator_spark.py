"""One definition, two engines: the simulator gives the same cells and the same payments on DuckDB and Spark."""

from __future__ import annotations

import pandas as pd
import pytest

from careweave.financing import simulator
from careweave.population.engines import DuckDBEngine, SparkEngine

# One worker runs every Spark test (one Spark session), and first: the group is scheduled before single tests.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def test_duckdb_and_spark_give_the_same_simulation(small_pop, spark):
    params = simulator.Parameters(year=2025)
    duck = DuckDBEngine(small_pop)
    try:
        d = simulator.run(duck, params)
    finally:
        duck.close()
    engine = SparkEngine(small_pop, spark=spark)
    try:
        s = simulator.run(engine, params)
    finally:
        engine.close()
    assert d["year"] == s["year"] == 2025
    assert len(d["cells"]) > 20
    pd.testing.assert_frame_equal(d["cells"], s["cells"], check_dtype=False, rtol=1e-9)
    key = ["zone", "indicator"]
    pd.testing.assert_frame_equal(d["values"].sort_values(key).reset_index(drop=True),
                                  s["values"].sort_values(key).reset_index(drop=True), check_dtype=False, rtol=1e-9)
    pd.testing.assert_frame_equal(d["zones"], s["zones"], check_dtype=False, rtol=1e-9)
