"""Fixtures of the SQL-on-FHIR tests: the official suite and one Spark session for all cases."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from careweave.population.engines import local_spark

    session = local_spark("careweave-tests", cores=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
