"""Run the official SQL-on-FHIR v2 test suite and write its test report.

Each suite file holds ``resources`` and ``tests`` (a ``view`` and the rows it must give, or
``expectError``). Rows are compared as multisets (the spec leaves row order open); column
order is checked when ``expectColumns`` is given. The report follows the suite's format:
``{"<file>.json": {"tests": [{"name": ..., "result": {"passed": bool, "reason"?: str}}]}}``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from careweave.sof.errors import ViewDefinitionError
from careweave.sof.runner import open_source


@dataclass
class CaseResult:
    file: str
    name: str
    passed: bool
    reason: str = ""


def _norm(value, expected=None):
    if isinstance(value, str) and isinstance(expected, (dict, list)):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 2**53:
            return int(value)
        return round(value, 9)
    if isinstance(value, list):
        inner = expected[0] if isinstance(expected, list) and expected else None
        return [_norm(v, inner) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v, (expected or {}).get(k) if isinstance(expected, dict) else None)
                for k, v in value.items() if v is not None}
    return value


def _key(row: dict) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def check_case(runner, test: dict) -> tuple[bool, str]:
    """Run one test case; (passed, reason)."""
    view = test["view"]
    if test.get("expectError"):
        try:
            runner.run(_checked(view))
        except ViewDefinitionError:
            return True, ""
        except Exception as exc:  # the engine failed in a way the engine should have explained
            return False, f"unexplained engine error: {str(exc)[:500]}"
        return False, "expected an error, the view ran"
    try:
        table = runner.run(_checked(view))
    except Exception as exc:
        return False, f"error: {str(exc)[:1500]}"
    if "expectColumns" in test and table.column_names != test["expectColumns"]:
        return False, f"columns {table.column_names} != {test['expectColumns']}"
    expected = test.get("expect", [])
    sample = expected[0] if expected else {}
    actual = sorted(_key({k: _norm(v, sample.get(k)) for k, v in row.items()}) for row in table.to_pylist())
    wanted = sorted(_key({k: _norm(v) for k, v in row.items()}) for row in expected)
    if actual != wanted:
        return False, f"rows differ: got {actual}, expected {wanted}"
    return True, ""


def _checked(view) -> dict:
    from careweave.sof.compiler import check_shape

    check_shape(view)
    return view


def run_file(path: Path, engine: str = "duckdb", **options) -> list[CaseResult]:
    suite = json.loads(Path(path).read_text(encoding="utf-8"))
    runner = open_source(suite["resources"], engine, **options)
    results = []
    try:
        for test in suite["tests"]:
            passed, reason = check_case(runner, test)
            results.append(CaseResult(Path(path).name, test["title"], passed, reason))
    finally:
        runner.close()
    return results


def report(results: list[CaseResult]) -> dict:
    out: dict[str, dict] = {}
    for r in results:
        entry: dict = {"name": r.name, "result": {"passed": r.passed}}
        if r.reason:
            entry["result"]["reason"] = r.reason
        out.setdefault(r.file, {"tests": []})["tests"].append(entry)
    return out


def write_reports(suite_dir: Path, out_dir: Path, engine: str = "duckdb", **options) -> list[CaseResult]:
    """Run every suite file; write one report per file plus ``test_report.json`` for them all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    everything: list[CaseResult] = []
    for path in sorted(Path(suite_dir).glob("*.json")):
        results = run_file(path, engine, **options)
        everything.extend(results)
        (out_dir / path.name).write_text(json.dumps(report(results), indent=2) + "\n", encoding="utf-8")
    (out_dir / "test_report.json").write_text(json.dumps(report(everything), indent=2) + "\n", encoding="utf-8")
    return everything
