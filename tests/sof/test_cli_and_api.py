"""The ``careweave sof`` commands and the public API (run_view, run_views, compile_view, validate_view)."""

from __future__ import annotations

import json

import pytest

from careweave import sof
from careweave.cli import main
from careweave.sof import ViewDefinitionError
from tests.conftest import require_shared

PATIENTS = [
    {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1941-03-02",
     "address": [{"use": "home", "postalCode": "2000", "city": "Antwerpen"}]},
    {"resourceType": "Patient", "id": "p2", "gender": "male"},
]


def _ndjson(tmp_path, resources, name="Patient.ndjson"):
    (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in resources))
    return tmp_path


def test_test_report_is_written_per_file_in_the_suite_format(tmp_path, capsys):
    suite = require_shared("sql-on-fhir-v2", "tests")
    assert main(["sof", "test-report", "--engine", "duckdb", "--out", str(tmp_path), "--suite", str(suite)]) == 0
    report = json.loads((tmp_path / "basic.json").read_text())
    assert list(report) == ["basic.json"]
    assert all(t["result"]["passed"] for t in report["basic.json"]["tests"])
    assert len(list(tmp_path.glob("*.json"))) == 23  # 22 files + test_report.json
    assert "134 of 134 cases passed" in capsys.readouterr().out


@pytest.mark.parametrize("keep_in_memory", [256 * 1024 * 1024, 0], ids=["read-once", "read-per-view"])
def test_run_views_over_ndjson_files_several_per_type(tmp_path, monkeypatch, keep_in_memory):
    """Small types are read once into a table, large ones stay a view over the files: the same rows either way."""
    from careweave.sof.runner import DuckDBSource

    monkeypatch.setattr(DuckDBSource, "KEEP_IN_MEMORY_BYTES", keep_in_memory)
    source = _ndjson(tmp_path, PATIENTS[:1], "Patient.000.ndjson")
    _ndjson(tmp_path, PATIENTS[1:], "Patient.001.ndjson")
    _ndjson(tmp_path, [{"resourceType": "ObservationDefinition", "id": "x"}], "ObservationDefinition.ndjson")
    views = sof.shipped_views()
    tables = sof.run_views(list(views.values()), source)
    demo = tables["patient_demographics"].to_pylist()
    assert sorted(r["patient_id"] for r in demo) == ["p1", "p2"]
    assert next(r for r in demo if r["patient_id"] == "p1")["municipality"] == "Antwerpen"
    observation = {"resource": "Observation", "select": [{"column": [{"name": "id", "path": "id"}]}]}
    assert sof.run_view(observation, source).num_rows == 0  # ObservationDefinition*.ndjson is not Observation


def test_cli_run_writes_one_file_per_view(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    source = _ndjson(tmp_path / "in", PATIENTS)
    assert main(["sof", "run", "--source", str(source), "--out", str(tmp_path / "out"), "--format", "csv"]) == 0
    assert (tmp_path / "out" / "patient_demographics.csv").read_text().count("\n") == 3
    assert "patient_demographics: 2 rows" in capsys.readouterr().out


def test_compile_view_gives_sql_for_both_dialects():
    view = sof.shipped_views()["patient_demographics"]
    assert "json_extract" in sof.compile_view(view, "duckdb")
    assert "variant_get" in sof.compile_view(view, "spark")
    with pytest.raises(ViewDefinitionError, match="unknown SQL dialect"):
        sof.compile_view(view, "oracle")


@pytest.mark.parametrize(("view", "message"), [
    ({}, "no resource"),
    ({"resource": "Patient", "select": []}, "no select"),
    ({"resource": "Patient", "select": [{"column": [{"name": "1x", "path": "id"}]}]}, "column name"),
    ({"resource": "Patient", "select": [{"column": [{"name": "a", "path": "name.where("}]}]}, "name.where"),
    ({"resource": "Patient", "select": [{"column": [{"name": "a", "path": "%nope"}]}]}, "not a constant"),
    ({"resource": "Patient", "select": [{"column": [{"name": "a", "path": "id"}, {"name": "a", "path": "id"}]}]},
     "unique"),
    ({"resource": "Patient", "select": [{"column": [{"name": "a", "path": "name.foo()"}]}]}, "not supported"),
])
def test_validate_view_says_what_is_wrong(view, message):
    with pytest.raises(ViewDefinitionError, match=message):
        sof.validate_view(view)


def test_a_column_with_several_values_is_a_clear_runtime_error():
    view = {"resource": "Patient", "select": [{"column": [{"name": "g", "path": "name.given"}]}]}
    with pytest.raises(ViewDefinitionError, match="more than one value"):
        sof.run_view(view, [{"resourceType": "Patient", "name": [{"given": ["a", "b"]}]}])
