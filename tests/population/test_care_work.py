"""Process indicators from the zone's own work (issue #20): the catalogue's SQL on small hand-made tables of the
shipped views' columns, on DuckDB and Spark alike; small cells hidden; coverage."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from careweave.population import care_work
from careweave.population.engines import DuckDBEngine, SparkEngine

AS_OF = date(2026, 12, 7)
K = 5


def _hex(i: int) -> str:
    return f"{1000 + i:016x}"


def _tables(n: int = 12, overdue_review: int = 3) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """``n`` persons aged 80 at pyramid level 3, all in the perinatal programme; the first ``overdue_review``
    have a plan review in the past; half had an EPDS; every one a frailty assessment 2 years ago and the
    first 8 again this year; 10 MDOs at a transition of which 7 held."""
    ids = [f"p{i}" for i in range(n)]
    persons = pd.DataFrame({"id": ids, "pseudonym": [_hex(i) for i in range(n)], "birth_date": ["1946"] * n,
                            "gender": ["female"] * n})
    enrol = pd.DataFrame({"id": [f"e{i}" for i in range(n)], "patient": ids, "programme": ["perinatal"] * n,
                          "status": ["active"] * n, "start": ["2026-01-10"] * n, "end": [None] * n,
                          "phase": ["pregnancy"] * n, "phase_since": ["2026-01-10"] * n})
    plans = pd.DataFrame({"id": [f"c{i}" for i in range(n)], "patient": ids, "status": ["active"] * n,
                          "created": ["2026-01-10T09:00:00+01:00"] * n,
                          "next_review": ["2026-11-01" if i < overdue_review else "2027-02-01" for i in range(n)]})
    assessments = [{"id": f"f{i}", "patient": p, "questionnaire": "https://careweave.org/fhir/Questionnaire/frailty|1.0.0",
                    "status": "completed", "authored": "2024-10-01T10:00:00Z"} for i, p in enumerate(ids)]
    assessments += [{"id": f"g{i}", "patient": p, "questionnaire": "https://careweave.org/fhir/Questionnaire/frailty",
                     "status": "completed", "authored": "2026-06-01T10:00:00Z"} for i, p in enumerate(ids[:8])]
    assessments += [{"id": f"d{i}", "patient": p, "questionnaire": "https://careweave.org/fhir/Questionnaire/epds|1.0.0",
                     "status": "completed", "authored": "2026-03-01"} for i, p in enumerate(ids[: n // 2])]
    assessments += [{"id": f"x{i}", "patient": p, "questionnaire": "https://careweave.org/fhir/Questionnaire/care-experience",
                     "status": "completed", "authored": "2026-05-01"} for i, p in enumerate(ids)]
    scores = pd.DataFrame([{"id": f"s{i}", "patient": p, "assessment": f"x{i}", "code": "CARE_EXPERIENCE.total",
                            "status": "final", "value": 24.0 if i % 2 else 27.0, "effective": "2026-05-01T10:00:00Z",
                            "positive": False} for i, p in enumerate(ids)])
    mdos = pd.DataFrame([{"id": f"m{i}", "patient": ids[i % n], "status": "fulfilled" if i < 7 else "booked",
                          "start": "2026-09-01T14:00:00Z", "transition": "discharge", "transition_on": "2026-09-01"}
                         for i in range(10)])
    tasks = pd.DataFrame([{"id": f"t{i}", "patient": ids[i % n], "plan": None, "status": "requested",
                           "due": "2026-10-01" if i < 6 else "2027-01-15", "completed": None,
                           "authored": "2026-02-01T10:00:00Z"} for i in range(20)])
    goals = pd.DataFrame([{"id": f"g{i}", "patient": ids[i % n], "lifecycle": "active",
                           "achievement": "achieved" if i < 9 else "in-progress"} for i in range(20)])
    population = pd.DataFrame({"person_id": [int(_hex(i), 16) for i in range(n)] + [999], "level": [3] * n + [0]})
    tables = {"cw_persons": persons, "cw_enrolments": enrol, "cw_care_plans": plans,
              "cw_assessments": pd.DataFrame(assessments), "cw_scores": scores, "cw_mdos": mdos, "cw_tasks": tasks,
              "cw_goals": goals}
    return tables, population


def _values(engine, **kwargs) -> dict[str, dict]:
    tables, population = _tables(**kwargs)
    raw = care_work.compute(engine, tables, population, AS_OF)
    return {r["indicator"]: r for r in care_work.suppressed(raw, K).to_dict("records")}


def test_indicators_count_what_the_views_say(zone_pop) -> None:
    engine = DuckDBEngine(zone_pop)
    try:
        v = _values(engine)
    finally:
        engine.close()
    assert v["programme_review_on_time"]["value"] == pytest.approx(100 * 9 / 12)
    assert v["mdo_at_transitions"]["value"] == pytest.approx(70.0)
    assert v["mdo_level3"]["value"] == pytest.approx(100 * 7 / 12)
    assert v["frailty_assessed_75"]["value"] == pytest.approx(100 * 8 / 12)
    assert v["frailty_reassessed_on_time"]["value"] == pytest.approx(100 * 8 / 12)
    assert v["epds_perinatal"]["value"] == pytest.approx(50.0)
    assert v["goals_achieved"]["value"] == pytest.approx(45.0)
    assert v["tasks_overdue"]["value"] == pytest.approx(30.0)
    assert v["prem_score"]["value"] == pytest.approx((24 + 27) / 2 / 3)
    # nothing measured: no persons, hidden, never a zero
    assert v["carer_strain_supported"]["suppressed"] and pd.isna(v["carer_strain_supported"]["value"])
    assert v["programme_review_on_time"]["held"] == 12


def test_a_changed_plan_review_changes_the_indicator(zone_pop) -> None:
    engine = DuckDBEngine(zone_pop)
    try:
        before = _values(engine, overdue_review=3)["programme_review_on_time"]["value"]
        after = _values(engine, overdue_review=6)["programme_review_on_time"]["value"]
    finally:
        engine.close()
    assert (before, after) == (pytest.approx(75.0), pytest.approx(50.0))


def test_small_cells_are_hidden(zone_pop) -> None:
    engine = DuckDBEngine(zone_pop)
    try:
        v = _values(engine, n=4)
    finally:
        engine.close()
    assert all(r["suppressed"] for r in v.values())
    assert all(pd.isna(r["numerator"]) and pd.isna(r["value"]) for r in v.values())
    assert care_work.coverage(4, 3000, K) == {"held": None, "zone_persons": 3000, "share": None, "suppressed": True}
    assert care_work.coverage(120, 3000, K)["share"] == pytest.approx(4.0)


def test_every_definition_reads_only_shipped_views_and_has_texts() -> None:
    names = {v["name"] for v in care_work.shipped_views()}
    for d in care_work.catalogue():
        assert set(d["views"]) <= names, d["id"]
        assert d["name"] and d["description"] and d["unit"] in ("percent", "mean")


@pytest.mark.spark
def test_spark_gives_the_same_values(zone_pop, spark) -> None:
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
    for key, row in expected.items():
        assert row["suppressed"] == got[key]["suppressed"], key
        if not row["suppressed"]:
            assert got[key]["value"] == pytest.approx(row["value"]), key
