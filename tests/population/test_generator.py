"""The synthetic population: deterministic, bounded to its zone, calibrated on the seeds' figures."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from careweave.population import generator
from careweave.population.engines import DuckDBEngine
from careweave.population.geography import municipalities
from careweave.population.stratify import prepare

# The module-scoped data set is built once: the module runs on one worker.
pytestmark = pytest.mark.xdist_group("population-generator")


def _table(path, name):
    return pq.read_table(path / name).to_pandas()


def test_same_seed_same_data_different_seed_different(tmp_path):
    generator.generate(1500, 3, tmp_path / "a", zone="ZORA")
    generator.generate(1500, 3, tmp_path / "b", zone="ZORA")
    generator.generate(1500, 4, tmp_path / "c", zone="ZORA")
    for name in ("persons", "claims", "medication", "stays", "diagnoses", "professionals"):
        pd.testing.assert_frame_equal(_table(tmp_path / "a", name), _table(tmp_path / "b", name))
    assert not _table(tmp_path / "a", "persons").equals(_table(tmp_path / "c", "persons"))


def test_chunks_do_not_change_the_data(tmp_path, monkeypatch):
    """A run written in several chunks equals the first persons of a bigger run."""
    monkeypatch.setattr(generator, "CHUNK", 1000)
    generator.generate(2500, 9, tmp_path / "a")
    persons = _table(tmp_path / "a", "persons")
    assert len(persons) == 2500
    assert len(list((tmp_path / "a" / "persons").glob("*.parquet"))) == 3
    generator.generate(1000, 9, tmp_path / "b")
    pd.testing.assert_frame_equal(persons.iloc[:1000].reset_index(drop=True), _table(tmp_path / "b", "persons"))


def test_zone_population_stays_in_its_municipalities(zone_pop):
    persons = _table(zone_pop, "persons")
    assert set(persons["nis"]) <= {m.nis for m in municipalities("ZORA")}
    assert set(persons["zone"]) == {"ZORA"}
    assert persons["person_id"].is_unique


def test_unknown_zone_is_refused(tmp_path):
    with pytest.raises(KeyError):
        generator.generate(10, 1, tmp_path, zone="ATLANTIS")


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal")
    generator.generate(60_000, 2026, out)
    engine = DuckDBEngine(out)
    prepare(engine)
    yield engine
    engine.close()


def test_calibration_matches_public_figures(calibrated):
    """29.3% of 15+ with a chronic condition (002 l.17), 70% multimorbidity in 65+ (000 l.38)."""
    r = calibrated.query("""
        SELECT AVG(CASE WHEN n_chronic >= 1 THEN 1.0 ELSE 0 END) FILTER (WHERE age >= 15) AS chronic15,
               AVG(CASE WHEN n_chronic >= 2 THEN 1.0 ELSE 0 END) FILTER (WHERE age >= 65) AS mm65,
               AVG(died) AS mortality, AVG(CAST(bim AS DOUBLE)) AS bim,
               AVG(CASE WHEN age >= 65 THEN 1.0 ELSE 0 END) AS old,
               SUM(admissions) / COUNT(*) AS admissions
        FROM strata WHERE year = 2025""").iloc[0]
    assert 0.27 <= r["chronic15"] <= 0.33
    assert 0.64 <= r["mm65"] <= 0.76
    assert 0.006 <= r["mortality"] <= 0.014
    assert 0.12 <= r["bim"] <= 0.30
    assert 0.17 <= r["old"] <= 0.23
    assert 0.10 <= r["admissions"] <= 0.25


def test_survey_and_function_figures(calibrated):
    """22% poor self-rated health (000 l.30); 4 in 10 of 65+ severely limited (000 l.35)."""
    bad = calibrated.query("SELECT AVG(CAST(bad_health AS DOUBLE)) AS b FROM surveys").iloc[0]["b"]
    assert 0.17 <= bad <= 0.27
    severe = calibrated.query("""
        SELECT AVG(CASE WHEN katz >= 12 THEN 1.0 ELSE 0 END) AS s FROM strata
        WHERE year = 2025 AND age >= 65 AND katz > 0""").iloc[0]["s"]
    assert 0.30 <= severe <= 0.60


def test_generated_tables_have_the_documented_columns(zone_pop):
    assert list(_table(zone_pop, "claims").columns) == ["person_id", "date", "code", "discipline", "amount"]
    assert list(_table(zone_pop, "stays").columns) == ["person_id", "admission", "discharge", "emergency", "icd10"]
    assert set(_table(zone_pop, "persons").columns) >= {
        "person_id", "age", "sex", "nis", "sector", "zone", "bim", "living_alone", "gmd"}
