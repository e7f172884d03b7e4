"""The official SQL-on-FHIR v2 test suite (../shared/sql-on-fhir-v2/tests) on DuckDB and on Spark.

Every case of every file runs; a case that expects an error must raise ``ViewDefinitionError``.
Each file's resources are loaded once per engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careweave.sof.runner import open_source
from careweave.sof.testsuite import check_case
from tests.conftest import SHARED, require_shared

SUITE = SHARED / "sql-on-fhir-v2" / "tests"


def _cases() -> list:
    files = sorted(SUITE.glob("*.json")) if SUITE.is_dir() else []
    cases = []
    for path in files:
        suite = json.loads(path.read_text(encoding="utf-8"))
        cases.extend(pytest.param(path.name, n, id=f"{path.stem}:{test['title']}")
                     for n, test in enumerate(suite["tests"]))
    return cases or [pytest.param("missing", 0, id="suite-missing")]


class _Sources:
    """One loaded source per (engine, suite file), closed at the end of the module."""

    def __init__(self):
        self.open: dict = {}

    def get(self, engine: str, name: str, **options):
        key = (engine, name)
        if key not in self.open:
            suite = json.loads((SUITE / name).read_text(encoding="utf-8"))
            self.open[key] = (open_source(suite["resources"], engine, **options), suite["tests"])
        return self.open[key]


@pytest.fixture(scope="module")
def sources():
    s = _Sources()
    yield s
    for runner, _ in s.open.values():
        runner.close()


def _run(sources, engine: str, name: str, index: int, **options) -> None:
    require_shared("sql-on-fhir-v2", "tests", name)
    runner, tests = sources.get(engine, name, **options)
    passed, reason = check_case(runner, tests[index])
    assert passed, f"{name} / {tests[index]['title']} on {engine}: {reason}"


@pytest.mark.parametrize(("name", "index"), _cases())
def test_case_on_duckdb(sources, name, index):
    _run(sources, "duckdb", name, index)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@pytest.mark.parametrize(("name", "index"), _cases())
def test_case_on_spark(sources, spark, name, index):
    _run(sources, "spark", name, index, spark=spark)


def test_suite_has_every_file():
    suite = require_shared("sql-on-fhir-v2", "tests")
    assert len(list(Path(suite).glob("*.json"))) == 22
