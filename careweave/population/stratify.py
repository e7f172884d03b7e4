"""Person-year features, comorbidity indices and the Kaiser Permanente pyramid, as SQL.

Why SQL: the same statements run on DuckDB and on Spark (see ``engines``), so a zone and the
federal level compute exactly the same strata. Everything configurable lives in YAML
(``catalogue/comorbidity.yaml``, ``catalogue/stratification.yaml``): code lists, weights,
pyramid rules, frailty, rising risk and outreach rules.

Tables materialised on the engine, in order: ``years``, ``py`` (person-years alive),
``code_groups`` (lookup), ``dx`` (normalised ICD-10 per person-year), ``groups_py`` (comorbidity
and chronic-group flags with look-back), ``features`` and finally ``strata`` (one row per
person-year with ``level``, ``reasons``, ``outreach`` and ``outreach_reasons``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .engines import Engine

CATALOGUE = Path(__file__).resolve().parent / "catalogue"


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """A catalogue file by name (``comorbidity``, ``stratification``, ``indicators``)."""
    return yaml.safe_load((CATALOGUE / f"{name}.yaml").read_text(encoding="utf-8"))


_TOKEN = re.compile(r"^([A-Z])(\d{2})(?:\.(\d))?$")


def expand_codes(spec: str) -> list[str]:
    """Expand ``"I21 I25.2 I42.5-I42.9 I60-I69"`` into dot-less prefixes (``I21``, ``I252``...)."""
    out: list[str] = []
    for token in spec.split():
        if "-" not in token:
            out.append(token.replace(".", ""))
            continue
        a, b = token.split("-")
        ma, mb = _TOKEN.match(a), _TOKEN.match(b)
        if not ma or not mb or ma.group(1) != mb.group(1):
            raise ValueError(f"bad code range {token!r}")
        letter = ma.group(1)
        if ma.group(3) is None:  # I60-I69
            out += [f"{letter}{n:02d}" for n in range(int(ma.group(2)), int(mb.group(2)) + 1)]
        else:  # I42.5-I42.9 (same stem)
            if ma.group(2) != mb.group(2):
                raise ValueError(f"bad code range {token!r}")
            out += [f"{letter}{ma.group(2)}{n}" for n in range(int(ma.group(3)), int(mb.group(3)) + 1)]
    return out


def code_groups() -> pd.DataFrame:
    """One lookup table (kind, category, prefix, plen, weight, weight2) for every code list."""
    rows: list[tuple] = []
    cm = load_yaml("comorbidity")
    for kind in ("charlson", "elixhauser"):
        for cat, d in cm[kind]["categories"].items():
            for p in expand_codes(d["codes"]):
                rows.append((kind, cat, p))
    st = load_yaml("stratification")
    for cat, d in st["chronic_groups"].items():
        rows += [("chronic", cat, p) for p in expand_codes(d["icd10"])]
        rows += [("chronic_atc", cat, p) for p in d["atc"].split()]
    rows += [("acsc", "acsc", p) for p in expand_codes(st["acsc"]["icd10"])]
    frame = pd.DataFrame(rows, columns=["kind", "category", "prefix"]).drop_duplicates()
    frame["plen"] = frame["prefix"].str.len().astype("int32")
    return frame.reset_index(drop=True)


def _prefix_join(source: str, code: str, kind: str, plens: list[int], select: str) -> str:
    """Equi-joins of ``source`` on code prefixes of each length (fast on both engines)."""
    parts = [
        f"SELECT {select} FROM {source} x JOIN code_groups g ON g.kind = '{kind}' AND g.plen = {n} "
        f"AND substr(x.{code}, 1, {n}) = g.prefix"
        for n in plens
    ]
    return " UNION ALL ".join(parts)


def _index_expr(kind: str, weight_key: str) -> str:
    cm = load_yaml("comorbidity")[kind]
    sup = {child: parent for child, parent in cm.get("hierarchy", {}).items()}
    superseded_by = {parent: child for child, parent in sup.items()}
    terms = []
    for cat, d in cm["categories"].items():
        w = d[weight_key]
        if w == 0:
            continue
        col = f"{kind[:2]}_{cat}"
        if cat in superseded_by:
            terms.append(f"{w} * {col} * (1 - {kind[:2]}_{superseded_by[cat]})")
        else:
            terms.append(f"{w} * {col}")
    return " + ".join(terms) or "0"


def category_columns() -> list[tuple[str, str, str]]:
    """(column, kind, category) for every comorbidity and chronic-group flag."""
    cm = load_yaml("comorbidity")
    st = load_yaml("stratification")
    cols = [(f"ch_{c}", "charlson", c) for c in cm["charlson"]["categories"]]
    cols += [(f"el_{c}", "elixhauser", c) for c in cm["elixhauser"]["categories"]]
    cols += [(f"cg_{c}", "chronic", c) for c in st["chronic_groups"]]
    return cols


def prepare(engine: Engine, years: list[int] | None = None, progress=None) -> list[int]:
    """Materialise ``features`` and ``strata`` on the engine; return the years covered."""
    st = load_yaml("stratification")
    say = progress or (lambda msg: None)
    if years is None:
        years = sorted(int(y) for y in engine.query(
            "SELECT DISTINCT CAST(year(date) AS INT) AS y FROM claims")["y"])
    engine.register("years", pd.DataFrame({"year": pd.Series(years, dtype="int32")}))
    groups = code_groups()
    engine.register("code_groups", groups)
    icpc = pd.DataFrame(sorted(st["icpc2_to_icd10"].items()), columns=["icpc", "icd10"])
    engine.register("icpc_map", icpc)
    say("person-years")
    engine.materialize("py", """
        SELECT p.person_id, y.year, p.zone, p.nis, p.sex, p.bim, p.living_alone, p.coordinator,
               CAST(y.year - p.birth_year AS INT) AS age,
               CASE WHEN d.date IS NOT NULL AND year(d.date) = y.year THEN 1 ELSE 0 END AS died
        FROM persons p CROSS JOIN years y LEFT JOIN deaths d ON d.person_id = p.person_id
        WHERE p.birth_year <= y.year AND (d.date IS NULL OR year(d.date) >= y.year)""")
    say("diagnoses")
    engine.materialize("dx", """
        SELECT DISTINCT person_id, year, code FROM (
          SELECT person_id, CAST(year(date) AS INT) AS year, replace(code, '.', '') AS code
            FROM diagnoses WHERE system = 'ICD-10'
          UNION ALL
          SELECT d.person_id, CAST(year(d.date) AS INT), replace(m.icd10, '.', '')
            FROM diagnoses d JOIN icpc_map m ON d.code = m.icpc WHERE d.system = 'ICPC-2'
          UNION ALL
          SELECT person_id, CAST(year(admission) AS INT), replace(icd10, '.', '') FROM stays) t""")
    lookback = int(st["lookback_years"])
    icd_plens = sorted(int(n) for n in groups.loc[groups.kind != "chronic_atc", "plen"].unique())
    atc_plens = sorted(int(n) for n in groups.loc[groups.kind == "chronic_atc", "plen"].unique())
    say("comorbidity and chronic groups")
    engine.materialize("dx_cat", "SELECT DISTINCT person_id, year, kind, category FROM ("
                       + _prefix_join("dx", "code", "charlson", icd_plens,
                                      "x.person_id, x.year, g.kind, g.category")
                       + " UNION ALL "
                       + _prefix_join("dx", "code", "elixhauser", icd_plens,
                                      "x.person_id, x.year, g.kind, g.category")
                       + " UNION ALL "
                       + _prefix_join("dx", "code", "chronic", icd_plens,
                                      "x.person_id, x.year, g.kind, g.category")
                       + ") t")
    med_groups = (
        "SELECT person_id, year, 'chronic' AS kind, category FROM ("
        + _prefix_join("medication", "atc", "chronic_atc", atc_plens,
                       "x.person_id, CAST(year(x.date) AS INT) AS year, g.category, x.ddd")
        + f") m GROUP BY person_id, year, category HAVING SUM(ddd) >= {float(st['chronic_ddd_threshold'])}"
    )
    pivots = ",\n".join(
        f"MAX(CASE WHEN kind = '{kind}' AND category = '{cat}' THEN 1 ELSE 0 END) AS {col}"
        for col, kind, cat in category_columns()
    )
    engine.materialize("groups_py", f"""
        SELECT person_id, year, {pivots}
        FROM (
          SELECT py.person_id, py.year, c.kind, c.category
          FROM py JOIN dx_cat c ON c.person_id = py.person_id
           AND c.year <= py.year AND c.year > py.year - {lookback}
          UNION ALL {med_groups}
        ) t GROUP BY person_id, year""")
    say("care use")
    acsc3 = "(SELECT prefix FROM code_groups WHERE kind = 'acsc' AND plen = 3)"
    acsc4 = "(SELECT prefix FROM code_groups WHERE kind = 'acsc' AND plen = 4)"
    flags = [c for c, _, _ in category_columns()]
    chronic_cols = [c for c, k, _ in category_columns() if k == "chronic"]
    n_chronic = " + ".join(f"COALESCE(g.{c}, 0)" for c in chronic_cols)
    groups_list = ", ".join(f"CASE WHEN g.{c} = 1 THEN '{c[3:]}' END" for c in chronic_cols)
    engine.materialize("features_base", f"""
        WITH c AS (
          SELECT person_id, CAST(year(date) AS INT) AS year, SUM(amount) AS claims_cost,
                 SUM(CASE WHEN code IN (101076, 103132) THEN 1 ELSE 0 END) AS gp_contacts,
                 SUM(CASE WHEN code = 102771 THEN 1 ELSE 0 END) AS gmd_claims,
                 SUM(CASE WHEN discipline = 'nurse' THEN 1 ELSE 0 END) AS nurse_contacts,
                 SUM(CASE WHEN code = 773020 THEN 1 ELSE 0 END) AS mdo_claims
          FROM claims GROUP BY person_id, CAST(year(date) AS INT)),
        m AS (
          SELECT person_id, CAST(year(date) AS INT) AS year, COUNT(DISTINCT atc) AS n_atc,
                 SUM(amount) AS med_cost
          FROM medication GROUP BY person_id, CAST(year(date) AS INT)),
        s AS (
          SELECT x.person_id, CAST(year(x.admission) AS INT) AS year, COUNT(*) AS admissions,
                 SUM(CASE WHEN x.emergency THEN 1 ELSE 0 END) AS emergency_admissions,
                 SUM(CASE WHEN x.emergency AND (a3.prefix IS NOT NULL OR a4.prefix IS NOT NULL)
                     THEN 1 ELSE 0 END) AS acsc_admissions,
                 SUM(date_diff('day', x.admission, x.discharge)) AS hospital_days
          FROM stays x
          LEFT JOIN {acsc3} a3 ON substr(replace(x.icd10, '.', ''), 1, 3) = a3.prefix
          LEFT JOIN {acsc4} a4 ON substr(replace(x.icd10, '.', ''), 1, 4) = a4.prefix
          GROUP BY x.person_id, CAST(year(x.admission) AS INT)),
        a AS (
          SELECT person_id, CAST(year(date) AS INT) AS year,
                 MAX(CASE WHEN instrument = 'CFS' THEN score END) AS cfs,
                 MAX(CASE WHEN instrument = 'KATZ' THEN score END) AS katz
          FROM assessments GROUP BY person_id, CAST(year(date) AS INT)),
        v AS (
          SELECT person_id, CAST(year(date) AS INT) AS year,
                 MAX(CASE WHEN vaccine = 'influenza' THEN 1 ELSE 0 END) AS flu_vaccinated
          FROM vaccinations GROUP BY person_id, CAST(year(date) AS INT))
        SELECT py.*,
          CASE WHEN py.age < 15 THEN '0-14' WHEN py.age < 45 THEN '15-44' WHEN py.age < 65 THEN '45-64'
               WHEN py.age < 75 THEN '65-74' WHEN py.age < 85 THEN '75-84' ELSE '85+' END AS age_band,
          ROUND(COALESCE(c.claims_cost, 0) + COALESCE(m.med_cost, 0), 2) AS cost,
          COALESCE(c.gp_contacts, 0) AS gp_contacts, COALESCE(c.gmd_claims, 0) > 0 AS gmd,
          COALESCE(c.nurse_contacts, 0) AS nurse_contacts, COALESCE(c.mdo_claims, 0) AS mdo_claims,
          COALESCE(m.n_atc, 0) AS n_atc, COALESCE(m.n_atc, 0) >= 5 AS polypharmacy,
          COALESCE(s.admissions, 0) AS admissions, COALESCE(s.emergency_admissions, 0) AS emergency_admissions,
          COALESCE(s.acsc_admissions, 0) AS acsc_admissions, COALESCE(s.hospital_days, 0) AS hospital_days,
          COALESCE(a.cfs, 0) AS cfs, COALESCE(a.katz, 0) AS katz,
          COALESCE(v.flu_vaccinated, 0) = 1 AS flu_vaccinated,
          {", ".join(f"COALESCE(g.{f}, 0) AS {f}" for f in flags)},
          {n_chronic} AS n_chronic,
          concat_ws(';', {groups_list}) AS chronic_groups
        FROM py
        LEFT JOIN c ON c.person_id = py.person_id AND c.year = py.year
        LEFT JOIN m ON m.person_id = py.person_id AND m.year = py.year
        LEFT JOIN s ON s.person_id = py.person_id AND s.year = py.year
        LEFT JOIN a ON a.person_id = py.person_id AND a.year = py.year
        LEFT JOIN v ON v.person_id = py.person_id AND v.year = py.year
        LEFT JOIN groups_py g ON g.person_id = py.person_id AND g.year = py.year""")
    charlson = _index_expr("charlson", "weight")
    charlson11 = _index_expr("charlson", "quan2011")
    elix = _index_expr("elixhauser", "weight")
    engine.view("features", f"""
        SELECT f.*, {charlson} AS charlson, {charlson11} AS charlson_quan2011, {elix} AS elixhauser,
               ({st["frailty"]["when"]}) AS frail,
               COALESCE(p.cost, 0) AS cost_prev, COALESCE(p.n_chronic, 0) AS n_chronic_prev,
               p.person_id IS NOT NULL AS has_prev
        FROM features_base f LEFT JOIN (SELECT person_id, year, cost, n_chronic FROM features_base) p
          ON p.person_id = f.person_id AND p.year = f.year - 1""")
    say("pyramid")
    rules = st["rules"]
    rule_cols = ", ".join(f"({r['when']}) AS r_{r['id']}" for r in rules)
    level = "GREATEST(" + ", ".join(f"CASE WHEN r_{r['id']} THEN {int(r['level'])} ELSE 0 END"
                                    for r in rules) + ")"
    engine.view("strata_rules", f"""
        SELECT f.*, has_prev AND ({st["rising_risk"]["when"]}) AS rising_risk, {rule_cols}
        FROM features f""")
    reasons = "concat_ws(';', " + ", ".join(
        f"CASE WHEN r_{r['id']} AND level = {int(r['level'])} THEN '{r['id']}' END" for r in rules) + ")"
    outreach = st["outreach"]
    o_cols = ", ".join(f"({o['when']}) AS o_{o['id']}" for o in outreach)
    engine.view("strata_level", f"SELECT *, {level} AS level FROM strata_rules")
    o_any = " OR ".join(f"o_{o['id']}" for o in outreach)
    o_reasons = "concat_ws(';', " + ", ".join(f"CASE WHEN o_{o['id']} THEN '{o['id']}' END"
                                              for o in outreach) + ")"
    engine.materialize("strata", f"""
        SELECT t.*, ({o_any}) AS outreach, {o_reasons} AS outreach_reasons FROM (
          SELECT *, {reasons} AS reasons, {o_cols} FROM strata_level) t""")
    return years


PERSON_COLUMNS = [
    "person_id", "year", "zone", "nis", "age", "age_band", "sex", "bim", "living_alone", "gmd", "coordinator",
    "charlson", "charlson_quan2011", "elixhauser", "n_chronic", "chronic_groups", "polypharmacy", "frail",
    "cfs", "cost", "rising_risk", "level", "reasons", "outreach", "outreach_reasons",
]


def person_strata(engine: Engine, year: int, zone: str | None = None) -> pd.DataFrame:
    """One row per person alive in ``year``: level, reasons and outreach, ordered by id."""
    where = f"year = {int(year)}"
    if zone:
        where += f" AND zone = '{_quote(zone)}'"
    frame = engine.query(f"SELECT {', '.join(PERSON_COLUMNS)} FROM strata WHERE {where} ORDER BY person_id")
    return normalise(frame)


def _quote(value: str) -> str:
    return str(value).replace("'", "''")


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes from both engines (Spark and DuckDB differ in integer widths)."""
    for col in frame.columns:
        if frame[col].dtype.kind in "iu":
            frame[col] = frame[col].astype("int64")
        elif frame[col].dtype.kind == "b":
            frame[col] = frame[col].astype(bool)
        elif frame[col].dtype.kind == "f":
            frame[col] = frame[col].astype("float64")
        elif col not in ("reasons", "outreach_reasons", "chronic_groups"):
            continue
        else:
            frame[col] = frame[col].fillna("").astype(str)
    return frame


def run(engine: Engine, year: int | None = None, zone: str | None = None, progress=None) -> pd.DataFrame:
    """Stratify the dataset on ``engine``; the person table for ``year`` (default: latest)."""
    years = prepare(engine, progress=progress)
    return person_strata(engine, year or max(years), zone)
