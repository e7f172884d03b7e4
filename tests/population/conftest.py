"""Small generated populations shared by the population tests (session scope: generated once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from careweave.population.generator import generate


@pytest.fixture(scope="session")
def zone_pop(tmp_path_factory) -> Path:
    """3,000 persons in the ZORA zone, three years."""
    out = tmp_path_factory.mktemp("zora")
    generate(3000, 11, out, zone="ZORA")
    return out


@pytest.fixture(scope="session")
def belgium_pop(tmp_path_factory) -> Path:
    """4,000 persons over all zones (engine comparison)."""
    out = tmp_path_factory.mktemp("be")
    generate(4000, 5, out)
    return out


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from careweave.population.engines import local_spark

    session = local_spark("careweave-tests", cores=2)
    yield session
    session.stop()
