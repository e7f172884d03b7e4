"""Process indicators from the zone's own care work (issue #20, decision 0027): micro data reused at meso.

The pipeline (``careweave.fhir.population_feed``) exports the zone's persons pseudonymised through FHIR
Bulk Data, runs the shipped SQL-on-FHIR views (``careweave/sof/views``) and hands their tables here. This
module only sees those tables (columns of the views, pseudonyms, no names), never the database:

1. ``prepare`` normalises the view tables (every shipped view present with its columns, the Patient
   pseudonym as the population set's 63-bit ``person_id``, the instrument of each assessment);
2. ``WORK_SQL`` builds ``work``, one row per person Careweave holds, with what the indicators count
   (one SQL statement, the same on DuckDB and, transpiled, on Spark);
3. ``compute`` sums each catalogue definition (``catalogue/work_indicators.yaml``) over ``work`` and
   applies the small-cell rule of the other indicators; ``coverage`` says how many of the zone's
   persons Careweave holds.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from .engines import Engine
from .stratify import load_yaml

VIEWS_DIR = Path(__file__).resolve().parent.parent / "sof" / "views"
INSTRUMENTS_DIR = Path(__file__).resolve().parent.parent / "assessments" / "instruments"
SOURCES = {
    "careweave": _("Careweave's care plans"),
    "claims": _("the claims-like set"),
}
COUNT_UNITS = {"percent"}
FRAILTY = ("frailty", "frailty-screener")
PERINATAL = "perinatal"


@lru_cache(maxsize=1)
def shipped_views() -> list[dict]:
    """The ViewDefinitions the population model reads (``cw_*.json`` of those Careweave ships)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(VIEWS_DIR.glob("cw_*.json"))]


def view_columns(view: dict) -> list[str]:
    """The column names a ViewDefinition produces, in order (select, nested selects, forEach)."""
    out: list[str] = []

    def walk(selects: list[dict]) -> None:
        for s in selects:
            out.extend(c["name"] for c in s.get("column", []))
            walk(s.get("select", []))
            for u in s.get("unionAll", [])[:1]:
                walk([u])

    walk(view.get("select", []))
    return out


def catalogue() -> list[dict]:
    """The definitions of the process indicators measured on the work."""
    return load_yaml("work_indicators")["indicators"]


@lru_cache(maxsize=1)
def _score_keys() -> dict[tuple[str, str], str]:
    """(instrument, LOINC code) -> the instrument's own score code, read from the shipped instruments.

    A score Observation carries LOINC when the score has one, else ``<instrument>.<score>``: both
    lead to the same score code here.
    """
    out: dict[tuple[str, str], str] = {}
    for path in INSTRUMENTS_DIR.glob("*.json"):
        q = json.loads(path.read_text(encoding="utf-8"))
        for ext in q.get("extension", []):
            if not str(ext.get("url", "")).endswith("/instrument-score"):
                continue
            parts = {e["url"]: e for e in ext.get("extension", [])}
            code = (parts.get("code") or {}).get("valueCode")
            concept = (parts.get("concept") or {}).get("valueCoding") or {}
            if code and concept.get("system") == "http://loinc.org":
                out[(q["id"], concept["code"])] = code
    return out


def _pseudonym_id(value: Any) -> int | None:
    text = str(value or "").strip().lower()
    if len(text) != 16 or any(ch not in "0123456789abcdef" for ch in text):
        return None
    return int(text, 16) & ((1 << 63) - 1)


def _frame(table: Any) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame()
    if isinstance(table, pd.DataFrame):
        return table.copy()
    return table.to_pandas()  # a pyarrow.Table, as careweave.sof.run_views returns


def prepare(tables: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Every shipped view as a DataFrame with its columns (empty when the export had none of its type),
    text columns as text, the person's pseudonym as ``person_id`` and each assessment's instrument.
    """
    out: dict[str, pd.DataFrame] = {}
    for view in shipped_views():
        name, cols = view["name"], view_columns(view)
        frame = _frame(tables.get(name))
        for c in cols:
            if c not in frame.columns:
                frame[c] = pd.Series([None] * len(frame), dtype="object")
        frame = frame[cols]
        for c in cols:
            if frame[c].dtype.kind not in "fiub":
                frame[c] = frame[c].astype("string").astype(object).where(frame[c].notna(), None)
        out[name] = frame
    persons = out["cw_persons"]
    ids = [(_pseudonym_id(p) or _pseudonym_id(i)) for p, i in zip(persons["pseudonym"], persons["id"], strict=True)]
    out["cw_persons"] = persons.assign(person_id=pd.array(ids, dtype="Int64")).drop(columns=["pseudonym"])
    assessments = out["cw_assessments"]
    out["cw_assessments"] = assessments.assign(instrument=[
        str(q).split("|")[0].rstrip("/").rsplit("/", 1)[-1] if q else None for q in assessments["questionnaire"]])
    scores = out["cw_scores"].merge(out["cw_assessments"][["id", "instrument"]].rename(
        columns={"id": "assessment"}), on="assessment", how="left")
    keys = _score_keys()
    scores["score"] = [
        keys.get((inst, code)) or (str(code).split(".", 1)[1] if code and "." in str(code) else code)
        for inst, code in zip(scores["instrument"], scores["code"], strict=True)]
    scores["value"] = pd.to_numeric(scores["value"], errors="coerce").astype("float64")
    scores["positive"] = scores["positive"].map(lambda v: str(v).lower() in ("true", "1")).astype(bool)
    out["cw_scores"] = scores
    return out


def _d(column: str) -> str:
    """A FHIR date or dateTime text column as a DATE (the first 10 characters), on both engines."""
    return f"CAST(substr({column}, 1, 10) AS DATE)"


# One row per person Careweave holds. {as_of} and {year_ago} are DATE literals; columns documented in
# catalogue/work_indicators.yaml. Written in DuckDB's dialect; Spark gets it through sqlglot (engines.py).
WORK_SQL = """
WITH p AS (
  SELECT cp.id AS patient, cp.person_id, {as_year} - CAST(substr(cp.birth_date, 1, 4) AS INT) AS age, pop.level
  FROM cw_persons cp LEFT JOIN population pop ON pop.person_id = cp.person_id
),
enr AS (
  SELECT patient, MAX(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS in_programme,
         MAX(CASE WHEN status = 'active' AND programme = '{perinatal}' THEN 1 ELSE 0 END) AS perinatal,
         MIN(CASE WHEN status = 'active' AND programme = '{perinatal}' THEN {start} END) AS perinatal_since
  FROM cw_enrolments GROUP BY patient
),
plans AS (
  SELECT patient, MAX(CASE WHEN next_review IS NOT NULL THEN 1 ELSE 0 END) AS plan_with_review,
         MAX(CASE WHEN {next_review} >= {as_of} THEN 1 ELSE 0 END) AS review_on_time
  FROM cw_care_plans WHERE status IN ('active', 'draft', 'on-hold') GROUP BY patient
),
mdo AS (
  SELECT patient,
         SUM(CASE WHEN transition IS NOT NULL AND status <> 'entered-in-error' THEN 1 ELSE 0 END) AS transition_mdos,
         SUM(CASE WHEN transition IS NOT NULL AND status = 'fulfilled' THEN 1 ELSE 0 END) AS transition_mdos_held,
         MAX(CASE WHEN status = 'fulfilled' THEN 1 ELSE 0 END) AS mdo_held
  FROM cw_mdos WHERE {mdo_day} > {year_ago} AND {mdo_day} <= {as_of} GROUP BY patient
),
asm AS (
  SELECT a.patient,
         MAX(CASE WHEN a.instrument IN ({frailty}) AND {authored} > {year_ago} THEN 1 ELSE 0 END) AS frailty_recent,
         MAX(CASE WHEN a.instrument IN ({frailty}) THEN 1 ELSE 0 END) AS frailty_assessed,
         MAX(CASE WHEN a.instrument IN ({frailty}) AND {authored} <= {year_ago} THEN 1 ELSE 0 END) AS frailty_before,
         MAX(CASE WHEN a.instrument = 'epds' AND e.perinatal_since IS NOT NULL AND {authored} >= e.perinatal_since
             THEN 1 ELSE 0 END) AS epds_done
  FROM cw_assessments a LEFT JOIN enr e ON e.patient = a.patient
  WHERE a.status IN ('completed', 'amended') AND {authored} <= {as_of}
  GROUP BY a.patient
),
latest AS (
  SELECT patient, instrument, score, value, positive, day FROM (
    SELECT patient, instrument, score, value, positive, {effective} AS day,
           ROW_NUMBER() OVER (PARTITION BY patient, instrument, score ORDER BY effective DESC, id) AS rn
    FROM cw_scores WHERE status IN ('final', 'amended') AND {effective} <= {as_of}) s
  WHERE rn = 1
),
sc AS (
  SELECT patient,
         MAX(CASE WHEN instrument = 'carer-strain' AND score = 'total' AND positive THEN 1 ELSE 0 END)
           AS carer_strain_high,
         MAX(CASE WHEN instrument = 'carer-strain' AND score = 'total' AND positive THEN day END) AS strain_day,
         MAX(CASE WHEN instrument = 'care-experience' AND score = 'total' AND day > {year_ago}
             THEN value / 3.0 END) AS prem,
         MAX(CASE WHEN instrument = 'global-health' AND score = 'physical' AND day > {year_ago} THEN value END)
           AS prom_physical,
         MAX(CASE WHEN instrument = 'global-health' AND score = 'mental' AND day > {year_ago} THEN value END)
           AS prom_mental
  FROM latest GROUP BY patient
),
goals AS (
  SELECT patient, SUM(1) AS goals, SUM(CASE WHEN achievement = 'achieved' THEN 1 ELSE 0 END) AS goals_achieved
  FROM cw_goals WHERE lifecycle NOT IN ('cancelled', 'entered-in-error', 'rejected') GROUP BY patient
),
tasks AS (
  SELECT t.patient,
         SUM(CASE WHEN t.status NOT IN ('completed', 'cancelled', 'rejected', 'failed', 'entered-in-error')
             THEN 1 ELSE 0 END) AS tasks_open,
         SUM(CASE WHEN t.status NOT IN ('completed', 'cancelled', 'rejected', 'failed', 'entered-in-error')
                  AND {due} < {as_of} THEN 1 ELSE 0 END) AS tasks_overdue,
         MAX(CASE WHEN t.status NOT IN ('cancelled', 'rejected', 'entered-in-error') AND s.strain_day IS NOT NULL
                  AND {task_authored} >= s.strain_day THEN 1 ELSE 0 END) AS carer_support
  FROM cw_tasks t LEFT JOIN sc s ON s.patient = t.patient
  GROUP BY t.patient
),
coord AS (
  SELECT patient,
         MAX(CASE WHEN kind = 'coordination' THEN 1 ELSE 0 END) AS has_coordinator,
         MAX(CASE WHEN kind = 'case-management' THEN 1 ELSE 0 END) AS has_case_manager
  FROM cw_episodes
  WHERE status = 'active' AND ({ep_start} IS NULL OR {ep_start} <= {as_of})
    AND ({ep_end} IS NULL OR {ep_end} >= {as_of})
  GROUP BY patient
),
prov AS (
  SELECT patient, SUM(1) AS provisions_year
  FROM cw_provisions
  WHERE status IN ('billable', 'billed') AND {occurrence} > {year_ago} AND {occurrence} <= {as_of}
  GROUP BY patient
)
SELECT p.person_id, p.age, p.level,
       COALESCE(enr.in_programme, 0) = 1 AS in_programme, COALESCE(enr.perinatal, 0) = 1 AS perinatal,
       COALESCE(plans.plan_with_review, 0) = 1 AS plan_with_review,
       COALESCE(plans.review_on_time, 0) = 1 AS review_on_time,
       COALESCE(mdo.transition_mdos, 0) AS transition_mdos,
       COALESCE(mdo.transition_mdos_held, 0) AS transition_mdos_held,
       COALESCE(mdo.mdo_held, 0) = 1 AS mdo_held,
       COALESCE(asm.frailty_assessed, 0) = 1 AS frailty_assessed,
       COALESCE(asm.frailty_recent, 0) = 1 AS frailty_recent,
       COALESCE(asm.frailty_before, 0) = 1 AS frailty_before, COALESCE(asm.epds_done, 0) = 1 AS epds_done,
       COALESCE(sc.carer_strain_high, 0) = 1 AS carer_strain_high,
       COALESCE(tasks.carer_support, 0) = 1 AS carer_support,
       COALESCE(goals.goals, 0) AS goals, COALESCE(goals.goals_achieved, 0) AS goals_achieved,
       COALESCE(tasks.tasks_open, 0) AS tasks_open, COALESCE(tasks.tasks_overdue, 0) AS tasks_overdue,
       sc.prem, sc.prom_physical, sc.prom_mental,
       COALESCE(coord.has_coordinator, 0) = 1 AS has_coordinator,
       COALESCE(coord.has_case_manager, 0) = 1 AS has_case_manager,
       COALESCE(prov.provisions_year, 0) AS provisions_year
FROM p
LEFT JOIN enr ON enr.patient = p.patient LEFT JOIN plans ON plans.patient = p.patient
LEFT JOIN mdo ON mdo.patient = p.patient LEFT JOIN asm ON asm.patient = p.patient
LEFT JOIN sc ON sc.patient = p.patient LEFT JOIN goals ON goals.patient = p.patient
LEFT JOIN tasks ON tasks.patient = p.patient LEFT JOIN coord ON coord.patient = p.patient
LEFT JOIN prov ON prov.patient = p.patient
WHERE p.person_id IS NOT NULL
"""


def work_sql(as_of: date) -> str:
    """``WORK_SQL`` for a reference day: the last 12 months end on ``as_of``."""
    lit = f"DATE '{as_of.isoformat()}'"
    return WORK_SQL.format(
        as_of=lit, year_ago=f"DATE '{(as_of - timedelta(days=365)).isoformat()}'", as_year=as_of.year,
        perinatal=PERINATAL, frailty=", ".join(f"'{f}'" for f in FRAILTY),
        start=_d("start"), next_review=_d("next_review"), mdo_day=_d("COALESCE(start, transition_on)"),
        authored=_d("a.authored"), effective=_d("effective"), due=_d("t.due"), task_authored=_d("t.authored"),
        ep_start=_d("start"), ep_end=_d("\"end\""), occurrence=_d("occurrence"),
    )


def _sums(defs: list[dict]) -> str:
    parts = []
    for d in defs:
        pop, num, den = d["population"], d["numerator"], d["denominator"]
        parts += [f"SUM(CASE WHEN ({pop}) THEN CAST(({num}) AS DOUBLE) ELSE 0 END) AS {d['id']}__num",
                  f"SUM(CASE WHEN ({pop}) THEN CAST(({den}) AS DOUBLE) ELSE 0 END) AS {d['id']}__den",
                  f"SUM(CASE WHEN ({pop}) THEN 1 ELSE 0 END) AS {d['id']}__n"]
    return ",\n".join(parts)


def compute(engine: Engine, tables: dict[str, Any], population: pd.DataFrame, as_of: date,
            defs: list[dict] | None = None) -> pd.DataFrame:
    """Numerator, denominator and persons of every work indicator (unsuppressed: the pipeline's own numbers).

    ``population``: the zone's population set of the latest year (``person_id``, ``level``); the
    persons Careweave holds are found in it by pseudonym.
    """
    defs = defs or catalogue()
    frames = prepare(tables)
    for name, frame in frames.items():
        engine.register(name, frame)
    engine.register("population", population[["person_id", "level"]].astype({"person_id": "int64"}))
    engine.materialize("work", work_sql(as_of))
    wide = engine.query(f"SELECT COUNT(*) AS held, SUM(CASE WHEN level IS NOT NULL THEN 1 ELSE 0 END) AS linked, "
                        f"{_sums(defs)} FROM work")
    row = wide.iloc[0]
    return pd.DataFrame([{
        "indicator": d["id"], "numerator": float(row[f"{d['id']}__num"] or 0),
        "denominator": float(row[f"{d['id']}__den"] or 0), "n": int(row[f"{d['id']}__n"] or 0),
        "held": int(row["held"]), "linked": int(row["linked"] or 0),
    } for d in defs])


def suppressed(result: pd.DataFrame, k: int, defs: list[dict] | None = None) -> pd.DataFrame:
    """The result with values, hidden where a cell is small (the rule of ``indicators.breakdowns``:
    fewer than ``k`` persons, or a count numerator between 1 and ``k - 1``)."""
    by_id = {d["id"]: d for d in (defs or catalogue())}
    out = result.copy()
    units = out["indicator"].map(lambda i: by_id[i]["unit"])
    counted = units.isin(COUNT_UNITS).to_numpy()
    num, den, n = (out[c].to_numpy(dtype=float) for c in ("numerator", "denominator", "n"))
    hidden = (n < k) | (counted & (num > 0) & (num < k))
    scale = np.where(units == "percent", 100.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, scale * num / den, np.nan)
    out["value"] = np.where(hidden, np.nan, value)
    out["suppressed"] = hidden
    out.loc[hidden, ["numerator", "denominator", "n"]] = np.nan
    return out


def coverage(held: int, zone_persons: int, k: int) -> dict[str, Any]:
    """How many of the zone's persons Careweave holds (hidden below ``k``, as every count)."""
    share = 100.0 * held / zone_persons if zone_persons else None
    small = held < k
    return {"held": None if small else held, "zone_persons": zone_persons,
            "share": None if small or share is None else share, "suppressed": small}


__all__ = ["catalogue", "compute", "coverage", "prepare", "shipped_views", "suppressed", "work_sql", "SOURCES"]
