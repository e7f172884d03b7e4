"""``careweave population ...`` end to end: files written, exit codes, clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from careweave.cli import main
from tests.conftest import require_shared


def test_generate_stratify_indicators(tmp_path, capsys):
    data = tmp_path / "pop"
    assert main(["population", "generate", "--persons", "2000", "--seed", "4", "--zone", "ZORA",
                 "--out", str(data)]) == 0
    assert main(["population", "stratify", "--data", str(data), "--out", str(tmp_path / "s.csv")]) == 0
    strata = pd.read_csv(tmp_path / "s.csv")
    assert {"person_id", "level", "reasons", "outreach", "charlson"} <= set(strata.columns)
    assert strata["level"].between(0, 3).all() and len(strata) > 1900
    assert main(["population", "indicators", "--data", str(data), "--zone", "ZORA", "--k", "5",
                 "--out", str(tmp_path / "i.json")]) == 0
    records = json.loads((tmp_path / "i.json").read_text())
    assert {r["indicator"] for r in records} >= {"gmd_65", "acsc_admissions", "gp_per_10000"}
    assert all(r["value"] is None for r in records if r["suppressed"])
    assert main(["population", "indicators", "--data", str(data), "--out", str(tmp_path / "i.parquet")]) == 0
    assert len(pd.read_parquet(tmp_path / "i.parquet")) > len(records)  # all zones + ALL
    assert main(["population", "indicators", "--data", str(data), "--indicator", "gmd_65", "--indicator",
                 "flu_vaccination_65", "--year", "2025", "--out", str(tmp_path / "two.csv")]) == 0
    two = pd.read_csv(tmp_path / "two.csv")
    assert set(two["indicator"]) == {"gmd_65", "flu_vaccination_65"} and set(two["year"]) == {2025}
    assert main(["population", "indicators", "--data", str(data), "--indicator", "happiness",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "unknown indicator happiness" in capsys.readouterr().err
    assert main(["population", "stratify", "--data", str(data), "--year", "1990",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "no data for 1990" in capsys.readouterr().err


def test_missing_data_dir_exits_1(tmp_path, capsys):
    assert main(["population", "stratify", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "x.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_bad_output_extension_exits_2(tmp_path, capsys):
    assert main(["population", "indicators", "--data", str(tmp_path), "--out", str(tmp_path / "x.txt")]) == 2


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["population", "generate"])
    assert exc.value.code == 2


def test_import_synthea_bundles(tmp_path, capsys):
    bundles = sorted(require_shared("data", "synthea-r4").glob("*.json"))
    out = tmp_path / "syn"
    assert main(["population", "import-fhir", *map(str, bundles), "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert "20 patients" in report and "unmapped codes:" in report
    persons = pd.read_parquet(out / "persons")
    assert len(persons) == 20
    dx = pd.read_parquet(out / "diagnoses")
    assert {"I50.9", "E11.9", "I10"} <= set(dx["code"])  # SNOMED mapped to ICD-10
    med = pd.read_parquet(out / "medication")
    assert "A10BA02" in set(med["atc"])                    # RxNorm metformin -> ATC
    assert main(["population", "stratify", "--data", str(out), "--out", str(tmp_path / "s.csv")]) == 0
    strata = pd.read_csv(tmp_path / "s.csv")
    assert (strata["charlson"] >= 1).any()
