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
from dataclasses import dataclass
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
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is there: 10x faster
    return yaml.load((CATALOGUE / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)


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
    """One lookup table (kind, category, prefix, plen, flag) for every code list.

    ``flag`` is the position of the category's column in ``category_columns()`` (-1 for ACSC);
    ``mask`` (0 Charlson, 1 Elixhauser, 2 chronic groups) and ``bit`` (a power of two) let a
    person-year carry one integer per kind (the OR of its bits) instead of one column per flag.
    """
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
    bits = _flag_bits()
    keys = [("chronic" if k == "chronic_atc" else k, cat) for k, cat in zip(frame["kind"], frame["category"],
                                                                          strict=True)]
    frame["flag"] = pd.Series([bits[key][0] if key in bits else -1 for key in keys], dtype="int32")
    frame["mask"] = pd.Series([bits[key][1] if key in bits else -1 for key in keys], dtype="int32")
    frame["bit"] = pd.Series([bits[key][2] if key in bits else 0 for key in keys], dtype="int64")
    return frame.reset_index(drop=True)


FLAG_KINDS = ("charlson", "elixhauser", "chronic")


def _flag_bits() -> dict[tuple[str, str], tuple[int, int, int]]:
    """(kind, category) -> (position in ``category_columns()``, mask number, bit)."""
    out, seen = {}, dict.fromkeys(FLAG_KINDS, 0)
    for i, (_c, kind, cat) in enumerate(category_columns()):
        out[(kind, cat)] = (i, FLAG_KINDS.index(kind), 2 ** seen[kind])
        seen[kind] += 1
    return out


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


@dataclass(frozen=True)
class Source:
    """Per person-year aggregates of one table.

    ``rows`` selects ``person_id``, ``year`` and the inputs, with ``{dates}`` standing for the
    filter on ``date`` (so the engine reads only the years asked for); each column is
    ``(function, value, row filter)``. When every requested column has a row filter, the
    filters go into the WHERE clause, so e.g. the GMD flag reads only GMD claims.
    """

    rows: str
    date: str
    columns: dict[str, tuple[str, str, str | None]]


SOURCES: dict[str, Source] = {
    "claims": Source(
        "SELECT person_id, CAST(year(date) AS INT) AS year, code, discipline, amount FROM claims WHERE {dates}",
        "date",
        {"claims_cost": ("SUM", "amount", None),
         "gp_contacts": ("COUNT", "1", "code IN (101076, 103132)"),
         "gmd_claims": ("COUNT", "1", "code = 102771"),
         "nurse_contacts": ("COUNT", "1", "discipline = 'nurse'"),
         "mdo_claims": ("COUNT", "1", "code = 773020")}),
    "medication": Source(
        # distinct ATC codes counted in the one aggregate per person-year (grouping by person, year and
        # code first, then again by person-year, cost two hash aggregates: 37 % of the time, issue #19)
        "SELECT person_id, CAST(year(date) AS INT) AS year, atc, amount FROM medication WHERE {dates}",
        "date",
        {"n_atc": ("COUNT", "DISTINCT atc", None), "med_cost": ("SUM", "amount", None)}),
    "stays": Source(
        "SELECT x.person_id, CAST(year(x.admission) AS INT) AS year, x.emergency, "
        "date_diff('day', x.admission, x.discharge) AS days, "
        "(a3.prefix IS NOT NULL OR a4.prefix IS NOT NULL) AS acsc FROM stays x "
        "LEFT JOIN (SELECT prefix FROM code_groups WHERE kind = 'acsc' AND plen = 3) a3 "
        "ON substr(replace(x.icd10, '.', ''), 1, 3) = a3.prefix "
        "LEFT JOIN (SELECT prefix FROM code_groups WHERE kind = 'acsc' AND plen = 4) a4 "
        "ON substr(replace(x.icd10, '.', ''), 1, 4) = a4.prefix WHERE {dates}",
        "x.admission",
        {"admissions": ("COUNT", "1", None),
         "emergency_admissions": ("COUNT", "1", "emergency"),
         "acsc_admissions": ("COUNT", "1", "emergency AND acsc"),
         "hospital_days": ("SUM", "days", None)}),
    "assessments": Source(
        "SELECT person_id, CAST(year(date) AS INT) AS year, instrument, score FROM assessments WHERE {dates}",
        "date",
        {"cfs": ("MAX", "score", "instrument = 'CFS'"), "katz": ("MAX", "score", "instrument = 'KATZ'")}),
    "vaccinations": Source(
        "SELECT person_id, CAST(year(date) AS INT) AS year, vaccine FROM vaccinations WHERE {dates}",
        "date",
        {"flu_vaccinations": ("COUNT", "1", "vaccine = 'influenza'")}),
}

# Person-year columns straight from ``persons`` (and ``deaths``).
DIMENSIONS = ("person_id", "year", "zone", "nis", "sex", "bim", "living_alone", "coordinator", "age", "died")
# Filled in from the previous year's row (rising risk).
PREVIOUS = {"cost_prev": "COALESCE(p_cost, 0)", "n_chronic_prev": "COALESCE(p_n_chronic, 0)",
            "has_prev": "p_person_id IS NOT NULL"}
# ``strata`` columns when no list is given (the flags and rule helpers are intermediate).
DEFAULT_COLUMNS = [
    *DIMENSIONS, "age_band", "cost", "gp_contacts", "gmd", "nurse_contacts", "mdo_claims", "n_atc", "polypharmacy",
    "admissions", "emergency_admissions", "acsc_admissions", "hospital_days", "cfs", "katz", "flu_vaccinated",
    "n_chronic", "chronic_groups", "charlson", "charlson_quan2011", "elixhauser", "frail", "cost_prev",
    "n_chronic_prev", "has_prev", "rising_risk", "level", "reasons", "outreach", "outreach_reasons",
]


def _derived() -> dict[str, str]:
    """Every computed column as an SQL expression over other columns (YAML rules included)."""
    st = load_yaml("stratification")
    flags = category_columns()
    chronic = [c for c, k, _ in flags if k == "chronic"]
    d = {
        "age_band": "CASE WHEN age < 15 THEN '0-14' WHEN age < 45 THEN '15-44' WHEN age < 65 THEN '45-64' "
                    "WHEN age < 75 THEN '65-74' WHEN age < 85 THEN '75-84' ELSE '85+' END",
        "cost": "ROUND(claims_cost + med_cost, 2)",
        "gmd": "gmd_claims > 0",
        "polypharmacy": "n_atc >= 5",
        "flu_vaccinated": "flu_vaccinations > 0",
        "n_chronic": " + ".join(chronic),
        "chronic_groups": "concat_ws(';', " + ", ".join(f"CASE WHEN {c} = 1 THEN '{c[3:]}' END"
                                                        for c in chronic) + ")",
        "charlson": _index_expr("charlson", "weight"),
        "charlson_quan2011": _index_expr("charlson", "quan2011"),
        "elixhauser": _index_expr("elixhauser", "weight"),
        "frail": f"({st['frailty']['when']})",
        **PREVIOUS,
        "rising_risk": f"has_prev AND ({st['rising_risk']['when']})",
    }
    rules = st["rules"]
    d.update({f"r_{r['id']}": f"({r['when']})" for r in rules})
    d["level"] = "GREATEST(" + ", ".join(f"CASE WHEN r_{r['id']} THEN {int(r['level'])} ELSE 0 END"
                                         for r in rules) + ")"
    d["reasons"] = "concat_ws(';', " + ", ".join(
        f"CASE WHEN r_{r['id']} AND level = {int(r['level'])} THEN '{r['id']}' END" for r in rules) + ")"
    outreach = st["outreach"]
    d.update({f"o_{o['id']}": f"({o['when']})" for o in outreach})
    d["outreach"] = "(" + " OR ".join(f"o_{o['id']}" for o in outreach) + ")"
    d["outreach_reasons"] = "concat_ws(';', " + ", ".join(
        f"CASE WHEN o_{o['id']} THEN '{o['id']}' END" for o in outreach) + ")"
    return d


# Words of the catalogue's SQL that are not column names (keywords, literals, type names).
_SQL_WORDS = frozenset("""
    all and any as asc between bigint boolean by case cast date decimal desc distinct double else end escape
    false filter float from glob group having ilike in int integer interval is like limit not null or order
    over partition real select similar smallint then tinyint true varchar when where
""".split())
# A quoted string or identifier, a number (so 1e3 is not a name): skipped; or a word and whether "(" follows.
# Quoted identifiers are skipped like sqlglot's tokenizer did (the catalogue does not use them).
_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\b\d[\w.]*|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")


def _names(expression: str):
    """(start, end, name) of every column reference in an SQL expression of the catalogue."""
    for m in _TOKEN_RE.finditer(expression):
        name = m.group(1)
        if name and not m.group(2) and name.lower() not in _SQL_WORDS:
            yield m.start(1), m.end(1), name


def columns_in(expression: str) -> set[str]:
    """Column names an SQL expression refers to (to know which features it needs).

    Identifiers not followed by ``(`` (those are functions) and not SQL words, outside string literals.
    A regular expression instead of sqlglot's tokenizer: importing sqlglot cost about 0.1 s of every
    command's fixed cost and only Spark needs it (issue #19); ``tests/population`` checks both agree
    on every expression of the catalogue.
    """
    return {name for _s, _e, name in _names(expression)}


@cache
def _graph() -> tuple[dict[str, str], dict[str, set[str]], frozenset[str]]:
    """(derived expressions, dependencies of every column, columns computed per person-year in ``groups_py``).

    Base columns depend on nothing. The flags and what is computed from flags alone (indices,
    n_chronic, chronic_groups) are computed where the flags are, so that the wide flag rows
    never travel through the joins.
    """
    derived = _derived()
    flags = {c for c, _, _ in category_columns()}
    base = set(DIMENSIONS) | {c for s in SOURCES.values() for c in s.columns} | flags
    known = base | set(derived)
    deps = {c: set() for c in base}
    for name, expr in derived.items():
        deps[name] = columns_in(expr) & known
        unknown = columns_in(expr) - known - {"p_cost", "p_n_chronic", "p_person_id"}
        if unknown:
            raise ValueError(f"stratification expression for {name} uses unknown columns: {sorted(unknown)}")
    for name in PREVIOUS:
        deps[name] = {"cost", "n_chronic"}
    in_groups = flags | {c for c in derived if deps[c] and deps[c] <= flags}
    return derived, deps, frozenset(in_groups)


def _when_absent(expression: str) -> str:
    """The value of a flag expression for a person-year without any flag (every flag 0)."""
    out, last = [], 0
    for start, end, _name in _names(expression):
        out += [expression[last:start], "0"]
        last = end
    return "".join([*out, expression[last:]])


def available_columns() -> list[str]:
    """Every column ``prepare`` can put in ``strata``."""
    _derived_, deps, _in_groups = _graph()
    return [*DEFAULT_COLUMNS, *sorted(set(deps) - set(DEFAULT_COLUMNS))]


@dataclass
class _Plan:
    needed: set[str]
    stage: dict[str, int]
    last_use: dict[str, float]
    output: list[str]


def _plan(columns: list[str] | None) -> _Plan:
    derived, deps, in_groups = _graph()
    output = list(DEFAULT_COLUMNS) if columns is None else list(dict.fromkeys(["person_id", "year", *columns]))
    unknown = [c for c in output if c not in deps]
    if unknown:
        raise ValueError(f"unknown strata columns: {', '.join(unknown)}")
    needed: set[str] = set()
    todo = list(output)
    while todo:
        c = todo.pop()
        if c not in needed:
            needed.add(c)
            todo += deps[c]
    stage: dict[str, int] = {}

    def stage_of(c: str) -> int:
        if c not in stage:
            base = c in in_groups or (not deps[c] and c not in derived)
            stage[c] = 0 if base else 1 + max((stage_of(d) for d in deps[c]), default=0)
        return stage[c]

    for c in needed:
        stage_of(c)
    # a column is kept in the intermediate steps until the last step that reads it
    last_use: dict[str, float] = {c: (float("inf") if c in output else stage[c]) for c in needed}
    for c in needed:
        if c in in_groups:
            continue  # read inside groups_py
        for d in deps[c]:
            last_use[d] = max(last_use[d], stage[c])
    for c in PREVIOUS:  # the previous year's cost and n_chronic are read from the materialised step
        if c in needed:
            last_use["cost"] = max(last_use["cost"], stage[c])
            last_use["n_chronic"] = max(last_use["n_chronic"], stage[c])
    return _Plan(needed, stage, last_use, output)


def _date_filter(column: str, first: int, last: int) -> str:
    return f"{column} >= DATE '{first}-01-01' AND {column} <= DATE '{last}-12-31'"


def _aggregate(source: Source, names: list[str], first: int, last: int, scope: str | None = None) -> str:
    """Per person-year aggregates of ``names``; with ``scope`` (a table of person-years), only of the
    person-years in it (a semi-join before aggregating, so e.g. polypharmacy of the 65+ reads only
    their deliveries)."""
    aggs, filters = [], []
    for n in names:
        func, value, where = source.columns[n]
        aggs.append(f"{func}({value if where is None else f'CASE WHEN {where} THEN {value} END'}) AS {n}")
        filters.append(where)
    where = "" if None in filters else " WHERE " + " OR ".join(f"({f})" for f in filters)
    rows = source.rows.format(dates=_date_filter(source.date, first, last))
    semi = "" if scope is None else (f" SEMI JOIN {scope} s ON s.person_id = r.person_id AND s.year = r.year")
    return (f"SELECT r.person_id, r.year, {', '.join(aggs)} FROM ({rows}) r{semi}{where} "
            "GROUP BY r.person_id, r.year")


def _scopes(plan: _Plan, scopes: dict[str, str] | None) -> dict[str, str]:
    """The scope of every needed column: the OR of the scopes of the output columns that read it.

    A column read by an output column without a scope (or by a condition itself) has none. Scopes
    may only name person-year dimensions (``age``, ``sex``...), so that they can filter ``py``.
    """
    if not scopes:
        return {}
    _derived_, deps, in_groups = _graph()
    allowed = set(DIMENSIONS) - {"person_id", "year"}
    for column, condition in scopes.items():
        if not columns_in(condition) <= allowed or column in DIMENSIONS:
            raise ValueError(f"the scope of {column} may only use {', '.join(sorted(allowed))}: {condition}")
    readers: dict[str, set[str]] = {c: set() for c in plan.needed}
    for out in plan.output:
        todo, seen = [out], set()
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                readers[c].add(out)
                todo += deps[c]
    result = {}
    for c, outs in readers.items():
        if outs and all(o in scopes for o in outs) and c not in DIMENSIONS:
            result[c] = " OR ".join(sorted({f"({scopes[o]})" for o in outs}))
    return result


def _sources_used(plan: _Plan, scoped: dict[str, str]) -> dict[str, str | None]:
    """The sources the plan reads -> the scope of their person-years (None: all of them)."""
    out = {}
    for name, source in SOURCES.items():
        cols = [c for c in source.columns if c in plan.needed]
        if cols:
            out[name] = " OR ".join(sorted({scoped[c] for c in cols})) if all(c in scoped for c in cols) else None
    return out


def _chronic_atc_needed(plan: _Plan) -> bool:
    """Whether a chronic-group flag is needed (they read the deliveries per ATC code)."""
    return any(c in plan.needed for c, k, _ in category_columns() if k == "chronic")


# One row per person, year and ATC code: the chronic groups (defined daily doses per code) and the
# medication columns (distinct codes, cost) read it when both are needed, so the deliveries are read
# and hashed by (person, year, code) once instead of twice (issue #19).
_MED_ATC = ("SELECT person_id, CAST(year(date) AS INT) AS year, atc, SUM(ddd) AS ddd, SUM(amount) AS amount "
            "FROM medication WHERE {dates} GROUP BY person_id, CAST(year(date) AS INT), atc")
MEDICATION_PER_ATC = Source(
    "SELECT person_id, year, atc, amount FROM med_atc", "",
    {"n_atc": ("COUNT", "atc", None), "med_cost": ("SUM", "amount", None)})


def _groups_view(engine: Engine, plan: _Plan, years: list[int], groups: pd.DataFrame,
                 per_atc: bool = False) -> str | None:
    """Comorbidity and chronic-group flags per person-year (view ``groups_py``), only those needed."""
    bits = _flag_bits()
    # (column, position, mask, bit) of every flag needed
    flags = [(c, *bits[(k, cat)]) for c, k, cat in category_columns() if c in plan.needed]
    if not flags:
        return None
    st = load_yaml("stratification")
    lookback = int(st["lookback_years"])
    masks = sorted({m for _, _, m, _ in flags})
    first, last = min(years), max(years)
    engine.view("dx", f"""
        SELECT person_id, CAST(year(date) AS INT) AS year, replace(code, '.', '') AS code
          FROM diagnoses WHERE system = 'ICD-10' AND {_date_filter('date', first - lookback + 1, last)}
        UNION ALL
        SELECT d.person_id, CAST(year(d.date) AS INT), replace(m.icd10, '.', '')
          FROM diagnoses d JOIN icpc_map m ON d.code = m.icpc
          WHERE d.system = 'ICPC-2' AND {_date_filter('d.date', first - lookback + 1, last)}
        UNION ALL
        SELECT person_id, CAST(year(admission) AS INT), replace(icd10, '.', '')
          FROM stays WHERE {_date_filter('admission', first - lookback + 1, last)}""")
    # Prefix matching: the code lists become one row per (length, prefix) holding the OR of the
    # bits of every category it opens (few hundred rows); each diagnosis probes them once per
    # prefix length with an equi-join, so the rows are never multiplied by the code lists.
    flag_list = ", ".join(str(i) for _, i, _, _ in flags)
    ors = ", ".join(f"BIT_OR(CASE WHEN mask = {m} THEN bit ELSE 0 END) AS mask_{m}" for m in masks)
    engine.view("prefix_bits", f"""
        SELECT kind = 'chronic_atc' AS atc, plen, prefix, {ors} FROM code_groups
        WHERE flag IN ({flag_list}) GROUP BY kind = 'chronic_atc', plen, prefix""")
    icd_lengths = sorted(int(n) for n in groups.loc[groups.kind != "chronic_atc", "plen"].unique())
    probes = " ".join(f"LEFT JOIN (SELECT * FROM prefix_bits WHERE NOT atc AND plen = {n}) p{n} "
                      f"ON p{n}.prefix = substr(x.code, 1, {n})" for n in icd_lengths)
    matched = " OR ".join(f"p{n}.prefix IS NOT NULL" for n in icd_lengths)
    per_row = ", ".join(" | ".join(f"COALESCE(p{n}.mask_{m}, 0)" for n in icd_lengths) + f" AS mask_{m}"
                        for m in masks)
    parts = [f"""
        SELECT x.person_id, y.year, {', '.join(f'mask_{m}' for m in masks)}
        FROM (SELECT x.person_id, x.year, {per_row} FROM dx x {probes} WHERE {matched}) x
        CROSS JOIN years y WHERE x.year <= y.year AND x.year > y.year - {lookback}"""]
    if FLAG_KINDS.index("chronic") in masks:
        # a chronic group from medication: enough defined daily doses of its ATC codes in the year
        atc_lengths = ", ".join(str(int(n)) for n in sorted(groups.loc[groups.kind == "chronic_atc", "plen"].unique()))
        others = ", ".join("0" if m != FLAG_KINDS.index("chronic") else "bit" for m in masks)
        med_atc = ("SELECT person_id, year, atc, ddd FROM med_atc" if per_atc
                   else _MED_ATC.format(dates=_date_filter("date", first, last)))
        codes = ("SELECT DISTINCT atc FROM med_atc" if per_atc
                 else f"SELECT DISTINCT atc FROM medication WHERE {_date_filter('date', first, last)}")
        # the bits each ATC code delivered opens, one row per (code, matching prefix): the few distinct codes
        # are matched to the prefixes, not the millions of rows per person, year and code (issue #19)
        engine.materialize("atc_bits", f"""
        SELECT a.atc, g.bit FROM ({codes}) a
        CROSS JOIN (SELECT plen FROM code_lengths WHERE plen IN ({atc_lengths})) l
        JOIN code_groups g ON g.kind = 'chronic_atc' AND g.plen = l.plen AND g.prefix = substr(a.atc, 1, l.plen)
        WHERE g.flag IN ({flag_list})""")
        parts.append(f"""
        SELECT m.person_id, m.year, {others}
        FROM ({med_atc}) m JOIN atc_bits b ON b.atc = m.atc
        GROUP BY m.person_id, m.year, b.bit
        HAVING SUM(m.ddd) >= {float(st['chronic_ddd_threshold'])}""")
    # the flags of a person-year are the OR of the bits of all their rows
    sums = ", ".join(f"BIT_OR(mask_{m}) AS mask_{m}" for m in masks)
    unpack = ", ".join(f"CASE WHEN mask_{m} % {2 * b} >= {b} THEN 1 ELSE 0 END AS {c}" for c, _, m, b in flags)
    derived, _deps, in_groups = _graph()
    computed = [f"{derived[c]} AS {c}" for c in derived if c in in_groups and c in plan.needed]
    engine.view("groups_py", f"""
        SELECT person_id, year, {', '.join([c for c, _, _, _ in flags] + computed)} FROM (
          SELECT person_id, year, {unpack} FROM (
            SELECT person_id, year, {sums} FROM ({' UNION ALL '.join(parts)}) u
            GROUP BY person_id, year) s) f""")
    return "groups_py"


def data_years(engine: Engine) -> list[int]:
    """The years with claims in the dataset."""
    return sorted(int(y) for y in engine.query("SELECT DISTINCT CAST(year(date) AS INT) AS y FROM claims")["y"])


def prepare(engine: Engine, years: list[int] | None = None, columns: list[str] | None = None,
            progress=None, scopes: dict[str, str] | None = None) -> list[int]:
    """Materialise ``strata`` (one row per person-year alive) on the engine; return its years.

    ``years``: the reference years (default: every year with claims). ``columns``: the strata
    columns wanted (default ``DEFAULT_COLUMNS``); only the sources and steps they depend on are
    read and computed, e.g. the Charlson index needs diagnoses and stays of the look-back years
    only. Whatever the columns, a value is the same as in a full run.

    ``scopes``: output column -> condition on the person-year dimensions (e.g. ``age >= 65``) where
    it is wanted; elsewhere it is NULL, and the sources only it reads are read for those
    person-years only (an indicator of the 65+ needs its numerator for them alone).
    """
    say = progress or (lambda msg: None)
    plan = _plan(columns)
    scoped = _scopes(plan, scopes)
    for c in {c for o in (scopes or {}) if o in plan.output for c in columns_in(scopes[o])}:
        plan.needed.add(c)  # the scope's dimensions travel to the last step
        plan.stage.setdefault(c, 0)
        plan.last_use[c] = float("inf")
    derived, _deps, in_groups = _graph()
    known = None
    if years is None:
        years = known = data_years(engine)
    years = sorted({int(y) for y in years})
    internal = years
    if any(c in plan.needed for c in PREVIOUS):  # rising risk compares with the year before, if there is one
        known = known if known is not None else data_years(engine)
        internal = sorted(set(years) | {y - 1 for y in years if y - 1 in known})
    engine.register("years", pd.DataFrame({"year": pd.Series(internal, dtype="int32")}))
    groups = code_groups()
    engine.register("code_groups", groups)
    engine.register("code_lengths", pd.DataFrame({"plen": pd.Series(sorted(groups["plen"].unique()), dtype="int32")}))
    st = load_yaml("stratification")
    engine.register("icpc_map", pd.DataFrame(sorted(st["icpc2_to_icd10"].items()), columns=["icpc", "icd10"]))
    say("person-years")
    # materialised, not a view: the optimizer then knows its size (a view of persons x years was
    # estimated at 40 % of it, so each join built its hash table on py, the wide side, instead of
    # on the small per-source aggregates), and scoped sources read it instead of the Parquet again;
    # with only the dimensions the plan reads
    dimension = {"age": "CAST(y.year - p.birth_year AS INT) AS age",
                 "died": "CASE WHEN d.date IS NOT NULL AND year(d.date) = y.year THEN 1 ELSE 0 END AS died"}
    dims = ", ".join(dimension.get(c, f"p.{c}") for c in DIMENSIONS[2:] if c in plan.needed)
    engine.materialize("py", f"""
        SELECT p.person_id, y.year{', ' + dims if dims else ''}
        FROM persons p CROSS JOIN years y LEFT JOIN deaths d ON d.person_id = p.person_id
        WHERE p.birth_year <= y.year AND (d.date IS NULL OR year(d.date) >= y.year)""")
    sources = _sources_used(plan, scoped)
    per_atc = "medication" in sources and sources["medication"] is None and _chronic_atc_needed(plan)
    if per_atc:  # the chronic groups and the medication columns read one aggregate per person, year and code
        engine.materialize("med_atc", _MED_ATC.format(dates=_date_filter("date", min(internal), max(internal))))
    say("comorbidity and chronic groups")
    groups_view = _groups_view(engine, plan, internal, groups, per_atc=per_atc)
    say("care use")
    carried = [c for c in DIMENSIONS if c in plan.needed and plan.last_use[c] > 0]
    select = [f"py.{c}" for c in carried]
    joins = []
    scope_tables: dict[str, str] = {}
    for scope in sources.values():
        if scope is not None and scope not in scope_tables:  # each scope's person-years found once
            scope_tables[scope] = f"scope_{len(scope_tables)}"
            engine.materialize(scope_tables[scope], f"SELECT person_id, year FROM py WHERE {scope}")
    for name, scope in sources.items():
        source = MEDICATION_PER_ATC if name == "medication" and per_atc else SOURCES[name]
        cols = [c for c in source.columns if c in plan.needed]
        if cols:
            select += [f"COALESCE({name}.{c}, 0) AS {c}" if scope is None
                       else f"CASE WHEN {scoped[c]} THEN COALESCE({name}.{c}, 0) END AS {c}" for c in cols]
            agg = _aggregate(source, cols, min(internal), max(internal), scope_tables.get(scope))
            joins.append(f"LEFT JOIN ({agg}) {name} ON {name}.person_id = py.person_id AND {name}.year = py.year")
    if groups_view:
        from_groups = [c for c in available_columns() if c in in_groups and c in plan.needed and plan.last_use[c] > 0]
        select += [f"COALESCE(g.{c}, {_when_absent(derived[c]) if c in derived else 0}) AS {c}" for c in from_groups]
        joins.append(f"LEFT JOIN {groups_view} g ON g.person_id = py.person_id AND g.year = py.year")
    relation = f"SELECT {', '.join(select)} FROM py {' '.join(joins)}"
    say("features and pyramid")
    prev_stage = max((plan.stage[c] for c in PREVIOUS if c in plan.needed), default=None)
    for s in range(1, max(plan.stage.values()) + 1):
        keep = [c for c in available_columns() if c in plan.needed and plan.stage[c] < s and plan.last_use[c] > s]
        new = [c for c in derived if c in plan.needed and plan.stage[c] == s]
        if s == prev_stage:
            engine.materialize("features_base", relation)
            source = ("features_base t LEFT JOIN (SELECT person_id AS p_person_id, year AS p_year, cost AS p_cost, "
                      "n_chronic AS p_n_chronic FROM features_base) p "
                      "ON p.p_person_id = t.person_id AND p.p_year = t.year - 1")
        else:
            source = f"({relation}) t{s}"
        relation = f"SELECT {', '.join([*keep, *(f'{derived[c]} AS {c}' for c in new)])} FROM {source}"
    where = "" if internal == years else f" WHERE year IN ({', '.join(map(str, years))})"
    final = [c if c not in (scopes or {}) else f"CASE WHEN {scopes[c]} THEN {c} END AS {c}" for c in plan.output]
    engine.materialize("strata", f"SELECT {', '.join(final)} FROM ({relation}) t{where}")
    return years


PERSON_COLUMNS = [
    "person_id", "year", "zone", "nis", "age", "age_band", "sex", "bim", "living_alone", "gmd", "coordinator",
    "charlson", "charlson_quan2011", "elixhauser", "n_chronic", "chronic_groups", "polypharmacy", "frail",
    "cfs", "cost", "rising_risk", "level", "reasons", "outreach", "outreach_reasons",
    "flu_vaccinated",  # issue #20: the "65+ without flu vaccination" list
]


def person_strata(engine: Engine, year: int, zone: str | None = None,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """One row per person alive in ``year`` (default columns: level, reasons, outreach...), by id."""
    where = f"year = {int(year)}"
    if zone:
        where += f" AND zone = '{_quote(zone)}'"
    cols = columns or PERSON_COLUMNS
    frame = engine.query(f"SELECT {', '.join(cols)} FROM strata WHERE {where} ORDER BY person_id")
    return normalise(frame)


def _quote(value: str) -> str:
    return str(value).replace("'", "''")


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes from both engines (Spark and DuckDB differ in integer widths)."""
    for col in frame.columns:
        missing = frame[col].dtype.kind in "iub" and bool(frame[col].isna().any())  # outside a column's scope
        if frame[col].dtype.kind in "iu":
            frame[col] = frame[col].astype("Int64" if missing else "int64")
        elif frame[col].dtype.kind == "b":
            frame[col] = frame[col].astype("boolean" if missing else bool)
        elif frame[col].dtype.kind == "f":
            frame[col] = frame[col].astype("float64")
        elif col not in ("reasons", "outreach_reasons", "chronic_groups"):
            values = frame[col].dropna()
            if frame[col].dtype == object and len(values) and values.map(type).eq(bool).all():
                frame[col] = frame[col].astype("boolean")  # Spark's flags with NULL outside a scope
            continue
        else:
            frame[col] = frame[col].fillna("").astype(str)
    return frame


def run(engine: Engine, year: int | None = None, zone: str | None = None, progress=None) -> pd.DataFrame:
    """Stratify the dataset on ``engine``; the person table for ``year`` (default: latest).

    With a year, only that year (and the year before, for rising risk) is computed.
    """
    if year is None:
        year = max(data_years(engine))
    prepare(engine, years=[year], columns=PERSON_COLUMNS, progress=progress)
    return person_strata(engine, year, zone)
