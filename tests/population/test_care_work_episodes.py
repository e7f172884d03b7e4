"""Coordination, case management and provisions in the population model (issue 20): the shipped views read
hand-made EpisodeOfCare and ChargeItem resources (enrolments stay apart from the other episodes), and the two
work indicators count what those views say, on DuckDB and Spark alike."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from careweave.population import care_work
from careweave.population.engines import DuckDBEngine, SparkEngine

AS_OF = date(2026, 12, 7)
K = 5
CW = "https://careweave.org/fhir"


def _hex(i: int) -> str:
    return f"{2000 + i:016x}"


def _episode(rid: str, patient: str, kind: str, status: str, start: str, end: str | None = None,
             manager: str | None = "Practitioner/p1") -> dict:
    resource = {"resourceType": "EpisodeOfCare", "id": rid, "status": status,
                "type": [{"coding": [{"system": f"{CW}/CodeSystem/episode-kind", "code": kind}]}],
                "patient": {"reference": f"Patient/{patient}"}, "period": {"start": start}}
    if end:
        resource["period"]["end"] = end
    if manager:
        resource["careManager"] = {"reference": manager}
    return resource


def _write(folder: Path, resources: list[dict]) -> None:
    by_type: dict[str, list[str]] = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(json.dumps(r))
    for rtype, lines in by_type.items():
        (folder / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n")


def _views(folder: Path, engine: str = "duckdb", **options) -> dict[str, pd.DataFrame]:
    from careweave.sof import run_views

    names = {"cw_episodes", "cw_provisions", "cw_enrolments"}
    views = [v for v in care_work.shipped_views() if v["name"] in names]
    return {k: care_work._frame(v) for k, v in run_views(views, str(folder), engine=engine, **options).items()}


def test_the_views_read_episodes_and_provisions(tmp_path) -> None:  # noqa: ANN001
    _write(tmp_path, [
        _episode("coordination-1", "a", "coordination", "active", "2026-03-01T10:00:00+01:00"),
        _episode("case-management-4", "b", "case-management", "finished", "2025-01-01T10:00:00Z",
                 "2025-06-01T10:00:00Z", "Practitioner/p9"),
        {"resourceType": "EpisodeOfCare", "id": "e1", "status": "active", "patient": {"reference": "Patient/a"},
         "type": [{"coding": [{"system": f"{CW}/CodeSystem/programme", "code": "perinatal"}]}],
         "period": {"start": "2026-01-10"}},
        {"resourceType": "ChargeItem", "id": "c1", "status": "billable", "subject": {"reference": "Patient/a"},
         "code": {"coding": [{"system": f"{CW}/CodeSystem/provision-type", "code": "home_nursing"}]},
         "occurrenceDateTime": "2026-05-02", "quantity": {"value": 2.0},
         "performer": [{"actor": {"reference": "Practitioner/p1"}}]},
    ])
    t = _views(tmp_path)
    episodes = t["cw_episodes"].sort_values("id").to_dict("records")
    assert [(e["id"], e["patient"], e["kind"], e["status"], e["care_manager"]) for e in episodes] == [
        ("case-management-4", "b", "case-management", "finished", "p9"),
        ("coordination-1", "a", "coordination", "active", "p1")]
    assert episodes[0]["end"].startswith("2025-06-01")
    # the enrolments' view keeps to programme enrolments
    assert list(t["cw_enrolments"]["id"]) == ["e1"]
    provision = t["cw_provisions"].to_dict("records")[0]
    assert (provision["patient"], provision["provision_type"], provision["status"]) == ("a", "home_nursing", "billable")
    assert float(provision["quantity"]) == 2.0 and str(provision["occurrence"]).startswith("2026-05-02")


def _tables(n: int = 12, coordinated: int = 6, provided: int = 9) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """``n`` persons aged 80 at level 3; the first ``coordinated`` have an active coordination episode, the next
    two an ended one and the rest a proposed one; the first ``provided`` a provision this year, the others one
    two years ago or a cancelled one."""
    ids = [f"p{i}" for i in range(n)]
    persons = pd.DataFrame({"id": ids, "pseudonym": [_hex(i) for i in range(n)], "birth_date": ["1946"] * n,
                            "gender": ["female"] * n})
    episodes = pd.DataFrame([{
        "id": f"coordination-{i}", "patient": p, "kind": "coordination",
        "status": "active" if i < coordinated else ("finished" if i < coordinated + 2 else "planned"),
        "start": "2026-02-01T10:00:00Z", "end": "2026-06-01T10:00:00Z" if coordinated <= i < coordinated + 2
        else None, "care_manager": "x", "holder": "professional"} for i, p in enumerate(ids)]
        # a case manager is not a coordinator
        + [{"id": "case-management-1", "patient": ids[-1], "kind": "case-management", "status": "active",
            "start": "2026-02-01T10:00:00Z", "end": None, "care_manager": "y", "holder": None}])
    provisions = pd.DataFrame([{
        "id": f"c{i}", "patient": p, "provision_type": "home_nursing",
        "status": "billed" if i < provided else ("aborted" if i % 2 else "billed"),
        "occurrence": "2026-05-02" if i < provided or i % 2 else "2024-05-02", "quantity": 1.0, "performer": None}
        for i, p in enumerate(ids)])
    population = pd.DataFrame({"person_id": [int(_hex(i), 16) for i in range(n)], "level": [3] * n})
    return {"cw_persons": persons, "cw_episodes": episodes, "cw_provisions": provisions}, population


def _values(engine, **kwargs) -> dict[str, dict]:  # noqa: ANN001
    tables, population = _tables(**kwargs)
    raw = care_work.compute(engine, tables, population, AS_OF)
    return {r["indicator"]: r for r in care_work.suppressed(raw, K).to_dict("records")}


def test_level3_coordinator_counts_active_coordination_only(zone_pop) -> None:  # noqa: ANN001
    engine = DuckDBEngine(zone_pop)
    try:
        before = _values(engine, coordinated=6)
        after = _values(engine, coordinated=9)
    finally:
        engine.close()
    assert before["level3_coordinator"]["value"] == pytest.approx(50.0)
    assert after["level3_coordinator"]["value"] == pytest.approx(75.0)
    assert before["provision_care_need_65"]["value"] == pytest.approx(75.0)
    defs = {d["id"]: d for d in care_work.catalogue()}
    assert defs["level3_coordinator"]["replaces"] == "level3_coordinator"


@pytest.mark.spark
def test_spark_gives_the_same_coordination_and_provision_values(zone_pop, spark, tmp_path) -> None:  # noqa: ANN001
    duck = DuckDBEngine(zone_pop)
    try:
        expected = _values(duck)
    finally:
        duck.close()
    engine = SparkEngine(zone_pop, spark=spark)
    try:
        got = _values(engine)
    finally:
        engine.close()
    for key in ("level3_coordinator", "provision_care_need_65"):
        assert got[key]["value"] == pytest.approx(expected[key]["value"]), key
    # and the views themselves on Spark
    _write(tmp_path, [_episode("coordination-1", "a", "coordination", "active", "2026-03-01T10:00:00Z")])
    t = _views(tmp_path, engine="spark", spark=spark)
    assert list(t["cw_episodes"]["kind"]) == ["coordination"] and t["cw_enrolments"].empty
