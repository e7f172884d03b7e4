"""Comorbidity indices, chronic groups and pyramid levels for hand-built persons."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from careweave.population import stratify
from careweave.population.engines import DataDirError, DuckDBEngine

Y = 2025


def _write(root: Path, name: str, rows: list[dict], schema: pa.Schema) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    cols = {f.name: [r[f.name] for r in rows] for f in schema}
    pq.write_table(pa.table(cols, schema=schema), root / name / "part-00000.parquet")


def _person(pid: int, age: int = 70, **kw) -> dict:
    return {"person_id": pid, "birth_year": Y - age, "age": age, "sex": "F", "nis": 41048, "sector": 41048000,
            "zone": "ZORA", "region": "VLG", "bim": False, "living_alone": False, "gmd": True,
            "coordinator": False, **kw}


@pytest.fixture()
def hand_built(tmp_path) -> Path:
    persons = [_person(i) for i in range(1, 10)]
    persons[7]["living_alone"] = True
    d = date(Y, 3, 1)
    diagnoses = [
        (1, "I50.9", "ICD-10"), (1, "E11.9", "ICD-10"),            # CHF + diabetes
        (2, "E11.9", "ICD-10"), (2, "E11.2", "ICD-10"),            # complicated supersedes
        (3, "C18.9", "ICD-10"), (3, "C78.0", "ICD-10"),            # metastatic supersedes malignancy
        (4, "K77", "ICPC-2"),                                     # ICPC-2 heart failure -> I50.9
        (8, "J44.9", "ICD-10"), (8, "I10", "ICD-10"), (8, "F32.9", "ICD-10"),
    ]
    _write(tmp_path, "persons", persons, pa.schema([
        ("person_id", pa.int64()), ("birth_year", pa.int16()), ("age", pa.int16()), ("sex", pa.string()),
        ("nis", pa.int32()), ("sector", pa.int64()), ("zone", pa.string()), ("region", pa.string()),
        ("bim", pa.bool_()), ("living_alone", pa.bool_()), ("gmd", pa.bool_()), ("coordinator", pa.bool_())]))
    _write(tmp_path, "diagnoses", [{"person_id": p, "date": d, "code": c, "system": s} for p, c, s in diagnoses],
           pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("code", pa.string()),
                      ("system", pa.string())]))
    meds = [{"person_id": 5, "date": date(Y, m, 1), "atc": "A10BA02", "ddd": 100.0, "amount": 10.0}
            for m in (1, 4, 7, 10)]
    meds += [{"person_id": 6, "date": d, "atc": a, "ddd": 30.0, "amount": 5.0}
             for a in ("C09AA05", "C10AA05", "B01AC06", "N02BE01", "A02BC01")]
    _write(tmp_path, "medication", meds, pa.schema([
        ("person_id", pa.int64()), ("date", pa.date32()), ("atc", pa.string()), ("ddd", pa.float64()),
        ("amount", pa.float64())]))
    # every person has a GMD claim except person 8; one GP claim in the previous year for all
    claims = [{"person_id": p, "date": d, "code": 102771, "discipline": "gp", "amount": 32.0}
              for p in range(1, 10) if p != 8]
    claims += [{"person_id": p, "date": date(Y - 1, 5, 1), "code": 101076, "discipline": "gp", "amount": 30.0}
               for p in range(1, 10)]
    _write(tmp_path, "claims", claims, pa.schema([
        ("person_id", pa.int64()), ("date", pa.date32()), ("code", pa.int32()), ("discipline", pa.string()),
        ("amount", pa.float64())]))
    _write(tmp_path, "stays", [{"person_id": 1, "admission": date(Y, 2, 1), "discharge": date(Y, 2, 6),
                                "emergency": True, "icd10": "I50.9"}],
           pa.schema([("person_id", pa.int64()), ("admission", pa.date32()), ("discharge", pa.date32()),
                      ("emergency", pa.bool_()), ("icd10", pa.string())]))
    _write(tmp_path, "assessments", [{"person_id": 7, "date": d, "instrument": "CFS", "score": 7}],
           pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("instrument", pa.string()),
                      ("score", pa.int16())]))
    _write(tmp_path, "vaccinations", [], pa.schema([("person_id", pa.int64()), ("date", pa.date32()),
                                                    ("vaccine", pa.string())]))
    _write(tmp_path, "deaths", [], pa.schema([("person_id", pa.int64()), ("date", pa.date32())]))
    return tmp_path


@pytest.fixture()
def strata(hand_built):
    engine = DuckDBEngine(hand_built)
    frame = stratify.run(engine, year=Y).set_index("person_id")
    yield frame
    engine.close()


def test_chf_and_diabetes_score_one_each(strata):
    p = strata.loc[1]
    assert p["charlson"] == 2          # CHF 1 + diabetes 1 (Charlson weights)
    assert p["charlson_quan2011"] == 2  # CHF 2 + uncomplicated diabetes 0 (Quan 2011)


def test_hierarchies(strata):
    assert strata.loc[2, "charlson"] == 2   # complicated diabetes (2) replaces uncomplicated (1)
    assert strata.loc[3, "charlson"] == 6   # metastatic (6) replaces any malignancy (2)
    assert strata.loc[4, "charlson"] == 1   # ICPC-2 K77 mapped to heart failure


def test_elixhauser_van_walraven(hand_built):
    engine = DuckDBEngine(hand_built)
    stratify.prepare(engine, years=[Y - 1, Y])
    r = engine.query(f"SELECT person_id, elixhauser FROM strata WHERE year = {Y} ORDER BY person_id")
    score = dict(zip(r["person_id"], r["elixhauser"], strict=True))
    assert score[1] == 7          # CHF 7, diabetes 0
    assert score[3] == 12         # metastatic 12 replaces solid tumour 4
    assert score[8] == 3 - 3      # chronic pulmonary 3, hypertension 0, depression -3
    engine.close()


def test_chronic_groups_from_medication_and_polypharmacy(strata):
    assert strata.loc[5, "chronic_groups"] == "diabetes"  # 400 DDD of metformin, no diagnosis
    assert strata.loc[5, "level"] == 1
    assert bool(strata.loc[6, "polypharmacy"])
    assert "polypharmacy" in strata.loc[6, "reasons"].split(";")


def test_distinct_codes_cost_and_doses_come_from_one_aggregate_per_code(hand_built):
    """With every column, the chronic groups and the medication columns read one aggregate per person,
    year and ATC code (issue #19): a code delivered four times counts once, its costs and doses add up."""
    engine = DuckDBEngine(hand_built)
    stratify.prepare(engine, years=[Y])
    r = engine.query(f"SELECT person_id, n_atc, cost, chronic_groups, polypharmacy FROM strata WHERE year = {Y} "
                     "AND person_id IN (5, 6) ORDER BY person_id").set_index("person_id")
    engine.close()
    assert r.loc[5, "n_atc"] == 1 and r.loc[5, "chronic_groups"] == "diabetes"  # 4 x 100 DDD of one code
    assert r.loc[5, "cost"] == pytest.approx(4 * 10.0 + 32.0)  # deliveries + the GMD claim
    assert r.loc[6, "n_atc"] == 5 and bool(r.loc[6, "polypharmacy"]) and r.loc[6, "chronic_groups"] == ""
    assert r.loc[6, "cost"] == pytest.approx(5 * 5.0 + 32.0)


def test_pyramid_levels_and_reasons(strata):
    assert strata.loc[9, "level"] == 0 and strata.loc[9, "reasons"] == ""
    assert strata.loc[7, "level"] == 3 and strata.loc[7, "reasons"] == "very_frail"
    assert strata.loc[3, "level"] == 3 and "charlson_5" in strata.loc[3, "reasons"]
    assert strata.loc[1, "level"] == 2  # chronic + emergency admission, Charlson 2
    assert set(strata.loc[1, "reasons"].split(";")) >= {"multimorbidity", "charlson_2", "chronic_admitted"}


def test_outreach_for_care_need_without_gmd(strata):
    p = strata.loc[8]
    assert p["level"] == 2 and not p["gmd"]
    assert p["outreach"] and "no_gmd" in p["outreach_reasons"].split(";")
    assert strata.loc[7, "outreach"] and "no_coordinator" in strata.loc[7, "outreach_reasons"]
    assert not strata.loc[9, "outreach"]


def test_expand_codes():
    assert stratify.expand_codes("I21 I25.2 I42.5-I42.7 F00-F02") == [
        "I21", "I252", "I425", "I426", "I427", "F00", "F01", "F02"]
    with pytest.raises(ValueError):
        stratify.expand_codes("I42.5-J42.7")


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(DataDirError, match="does not exist"):
        DuckDBEngine(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataDirError, match="not a population dataset"):
        DuckDBEngine(tmp_path / "empty")


def test_generated_pyramid_shape(zone_pop):
    engine = DuckDBEngine(zone_pop)
    frame = stratify.run(engine)
    shares = frame["level"].value_counts(normalize=True)
    assert shares[0] > shares[1] > shares[3] and shares[2] > shares[3]
    assert 0.005 < shares[3] < 0.06
    engine.close()


def test_asking_for_some_columns_gives_the_same_values_as_a_full_run(zone_pop):
    full = DuckDBEngine(zone_pop)
    stratify.prepare(full)
    cols = ["charlson", "gmd", "polypharmacy", "rising_risk", "level", "reasons"]
    expected = full.query(f"SELECT person_id, {', '.join(cols)} FROM strata WHERE year = 2025 ORDER BY person_id")
    full.close()
    part = DuckDBEngine(zone_pop)
    assert stratify.prepare(part, years=[2025], columns=cols) == [2025]
    got = part.query("SELECT * FROM strata ORDER BY person_id")
    part.close()
    assert list(got.columns) == ["person_id", "year", *cols]
    assert set(got["year"]) == {2025}
    assert got["rising_risk"].any()  # compared with 2024, which was read although only 2025 was asked for
    assert got.drop(columns="year").equals(expected)


def test_unknown_column_is_refused(hand_built):
    engine = DuckDBEngine(hand_built)
    with pytest.raises(ValueError, match="unknown strata columns: shoe_size"):
        stratify.prepare(engine, columns=["charlson", "shoe_size"])
    engine.close()


def test_a_scoped_column_is_the_full_runs_value_inside_its_scope_and_null_outside(zone_pop):
    full = DuckDBEngine(zone_pop)
    stratify.prepare(full, years=[2025])
    expected = full.query("SELECT person_id, age, charlson, gmd, polypharmacy, n_atc FROM strata ORDER BY person_id")
    full.close()
    part = DuckDBEngine(zone_pop)
    stratify.prepare(part, years=[2025], columns=["charlson", "gmd", "polypharmacy", "n_atc"],
                     scopes={"gmd": "age >= 65", "polypharmacy": "age >= 65", "n_atc": "age >= 75"})
    got = part.query("SELECT person_id, charlson, gmd, polypharmacy, n_atc FROM strata ORDER BY person_id")
    part.close()
    old, older = expected["age"] >= 65, expected["age"] >= 75
    assert old.any() and (~old).any()
    assert got["charlson"].equals(expected["charlson"])  # not scoped: everyone
    for col, inside in (("gmd", old), ("polypharmacy", old), ("n_atc", older)):
        assert got.loc[inside, col].astype(expected[col].dtype).equals(expected.loc[inside, col]), col
        assert got.loc[~inside, col].isna().all(), col


def test_a_scope_on_other_than_the_person_year_dimensions_is_refused(hand_built):
    engine = DuckDBEngine(hand_built)
    with pytest.raises(ValueError, match="the scope of gmd may only use"):
        stratify.prepare(engine, columns=["gmd"], scopes={"gmd": "level >= 2"})
    engine.close()


def _sqlglot_columns(expression: str) -> set[str]:
    """The names sqlglot's DuckDB tokenizer sees as columns (what ``columns_in`` used before issue #19)."""
    import sqlglot
    from sqlglot.tokens import TokenType

    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenizer_class().tokenize(expression)
    return {t.text for i, t in enumerate(tokens) if t.token_type == TokenType.VAR
            and not (i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.L_PAREN)}


def test_columns_in_agrees_with_sqlglot_on_the_whole_catalogue():
    """The regular-expression tokenizer (no sqlglot import on the DuckDB path) finds the same columns."""
    from careweave.population import indicators, stratify

    expressions = list(stratify._derived().values())
    for d in indicators.catalogue():
        expressions += [str(d[k]) for k in ("population", "numerator", "denominator")]
    expressions += ["x IN ('a', 'b') AND \"quoted col\" > 1e3 AND lower(name) = 'it''s'"]
    for expression in expressions:
        assert stratify.columns_in(expression) == _sqlglot_columns(expression), expression
    assert stratify.columns_in("CASE WHEN a = 1 THEN 'b c' END + count(d)") == {"a", "d"}


def test_when_absent_gives_the_value_of_no_flags():
    """Every flag expression with its columns replaced by 0 evaluates as sqlglot's rewrite did."""
    import duckdb
    import sqlglot
    from sqlglot import exp

    from careweave.population import stratify

    derived, _deps, in_groups = stratify._graph()
    con = duckdb.connect()
    for name in sorted(c for c in in_groups if c in derived):
        ours = stratify._when_absent(derived[name])
        theirs = sqlglot.parse_one(derived[name], read="duckdb").transform(
            lambda n: exp.Literal.number(0) if isinstance(n, exp.Column) else n).sql(dialect="duckdb")
        assert con.execute(f"SELECT {ours}").fetchone() == con.execute(f"SELECT {theirs}").fetchone(), name
    assert stratify._when_absent("2 * ch_renal * (1 - ch_x)") == "2 * 0 * (1 - 0)"
