"""The instrument engine on small hand-made Questionnaires: branching, validation, scoring rules."""

from __future__ import annotations

import copy

import pytest
from django.utils.translation import gettext, override

from careweave.assessments import engine
from careweave.assessments.engine import InstrumentError, load_definition

TR = "http://hl7.org/fhir/StructureDefinition/translation"
CW = "https://careweave.org/fhir/StructureDefinition/"


def tr(**texts: str) -> dict:
    return {
        "extension": [
            {"url": TR, "extension": [{"url": "lang", "valueCode": k}, {"url": "content", "valueString": v}]}
            for k, v in texts.items()
        ]
    }


def yes_no(link_id: str, text: str, **extra) -> dict:
    return {
        "linkId": link_id,
        "text": text,
        "_text": tr(nl=f"{text} (nl)"),
        "type": "choice",
        "required": True,
        "answerOption": [
            {
                "valueCoding": {
                    "code": "yes",
                    "display": "Yes",
                    "_display": tr(nl="Ja"),
                    "extension": [{"url": engine.ORDINAL_VALUE, "valueDecimal": 1}],
                }
            },
            {
                "valueCoding": {
                    "code": "no",
                    "display": "No",
                    "_display": tr(nl="Nee"),
                    "extension": [{"url": engine.ORDINAL_VALUE, "valueDecimal": 0}],
                }
            },
        ],
        **extra,
    }


def band(low, high, code, label, positive=False) -> dict:
    parts = [
        {"url": "interpretation", "valueCoding": {"code": code, "display": label, "_display": tr(nl=label + " nl")}}
    ]
    if low is not None:
        parts.append({"url": "low", "valueDecimal": low})
    if high is not None:
        parts.append({"url": "high", "valueDecimal": high})
    if positive:
        parts.append({"url": "positive", "valueBoolean": True})
    return {"url": "threshold", "extension": parts}


def sample() -> dict:
    """Two yes/no questions, one shown when BOTH are yes, one when EITHER is yes, a number, a text."""
    return {
        "resourceType": "Questionnaire",
        "id": "sample",
        "version": "1.0.0",
        "status": "active",
        "title": "Sample",
        "_title": tr(nl="Voorbeeld"),
        "extension": [
            {"url": CW + "instrument-kind", "valueCode": "screener"},
            {
                "url": CW + "instrument-follow-up",
                "valueCanonical": "https://careweave.org/fhir/Questionnaire/longer|2.0",
            },
            {
                "url": CW + "instrument-score",
                "extension": [
                    {"url": "code", "valueCode": "total"},
                    {
                        "url": "concept",
                        "valueCoding": {"code": "total", "display": "Total", "_display": tr(nl="Totaal")},
                    },
                    {"url": "method", "valueCode": "sum"},
                    {"url": "item", "valueString": "a"},
                    {"url": "item", "valueString": "b"},
                    {"url": "item", "valueString": "both"},
                    {"url": "item", "valueString": "age"},
                    band(0, 1.5, "low", "Low"),
                    band(2, None, "high", "High", positive=True),
                ],
            },
            {
                "url": CW + "instrument-score",
                "extension": [
                    {"url": "code", "valueCode": "twice"},
                    {"url": "method", "valueCode": "expression"},
                    {"url": "expression", "valueString": "total * 2 + item('a') - (item('b') > 0 and 1 or 0)"},
                ],
            },
        ],
        "item": [
            {
                "linkId": "g1",
                "type": "group",
                "text": "First",
                "item": [
                    yes_no("a", "A?"),
                    yes_no("b", "B?"),
                    yes_no(
                        "both",
                        "Both?",
                        enableWhen=[
                            {"question": "a", "operator": "=", "answerCoding": {"code": "yes"}},
                            {"question": "b", "operator": "=", "answerCoding": {"code": "yes"}},
                        ],
                        enableBehavior="all",
                    ),
                    yes_no(
                        "either",
                        "Either?",
                        enableWhen=[
                            {"question": "a", "operator": "=", "answerCoding": {"code": "yes"}},
                            {"question": "b", "operator": "=", "answerCoding": {"code": "yes"}},
                        ],
                        enableBehavior="any",
                    ),
                ],
            },
            {
                "linkId": "g2",
                "type": "group",
                "text": "Second",
                "enableWhen": [{"question": "a", "operator": "exists", "answerBoolean": True}],
                "item": [
                    {
                        "linkId": "age",
                        "type": "integer",
                        "text": "Age",
                        "_text": tr(nl="Leeftijd"),
                        "required": True,
                        "extension": [
                            {"url": engine.MIN_VALUE, "valueInteger": 0},
                            {"url": engine.MAX_VALUE, "valueInteger": 120},
                        ],
                    },
                    {"linkId": "note", "type": "string", "text": "Note", "maxLength": 5},
                    {"linkId": "seen", "type": "date", "text": "Seen on"},
                    {"linkId": "ok", "type": "boolean", "text": "OK?"},
                    {
                        "linkId": "weight",
                        "type": "decimal",
                        "text": "Weight",
                        "extension": [{"url": engine.MIN_VALUE, "valueDecimal": 0.5}],
                    },
                ],
            },
        ],
    }


def test_enable_when_all_and_any():
    d = load_definition(sample())
    assert {"both", "either"}.isdisjoint(d.enabled({"a": "no", "b": "no"}))
    one = d.enabled({"a": "yes", "b": "no"})
    assert "either" in one and "both" not in one
    assert {"both", "either"} <= d.enabled({"a": "yes", "b": "yes"})


def test_a_disabled_group_disables_its_items_and_exists_counts_only_real_answers():
    d = load_definition(sample())
    assert {"g2", "age"}.isdisjoint(d.enabled({}))
    assert {"g2", "age"}.isdisjoint(d.enabled({"a": ""}))
    assert {"g2", "age"} <= d.enabled({"a": "no"})


def test_answers_to_disabled_questions_do_not_count():
    d = load_definition(sample())
    # "both" is answered but disabled (b is no): it adds nothing
    scores = {s.code: s for s in d.score({"a": "yes", "b": "no", "both": "yes", "age": 0})}
    assert scores["total"].value == 1


def test_sum_bands_and_calculated_expression():
    d = load_definition(sample())
    scores = {s.code: s for s in d.score({"a": "yes", "b": "yes", "both": "yes", "either": "yes", "age": 0})}
    assert scores["total"].value == 3
    assert scores["total"].interpretation_code == "high" and scores["total"].positive
    assert scores["total"].interpretation["nl"] == "High nl"
    assert scores["twice"].value == 3 * 2 + 1 - 1
    low = {s.code: s for s in d.score({"a": "yes", "b": "no", "either": "no", "age": 0})}
    assert low["total"].interpretation_code == "low" and not low["total"].positive
    assert d.is_positive({"a": "yes", "b": "yes", "both": "yes", "either": "no", "age": 0})
    assert not d.is_positive({"a": "yes", "b": "no", "either": "no", "age": 0})


def test_a_value_between_two_bands_has_no_interpretation():
    d = load_definition(sample())
    # total 1.75 is impossible with these items; a band gap gives no interpretation, never a wrong one
    rule = d.rules[0]
    assert d._band(rule, 1.75, None) is None


def test_follow_up_titles_and_labels():
    d = load_definition(sample())
    assert d.follow_up == "longer"
    assert d.title("nl") == "Voorbeeld" and d.title("fr") == "Sample"  # falls back to English
    a = d.item("a")
    assert a.label("nl") == "A? (nl)" and a.options[0].label("nl") == "Ja" and a.options[0].label("de") == "Yes"
    assert [s.link_id for s in d.sections()] == ["g1", "g2"]
    assert [i.link_id for i in d.answerable()] == ["a", "b", "both", "either", "age", "note", "seen", "ok", "weight"]


def test_validate_required_only_when_complete_and_only_enabled_items():
    d = load_definition(sample())
    assert d.validate({"a": "no", "b": "no"}, complete=False) == []
    problems = d.validate({"a": "no", "b": "no"}, complete=True)
    assert [(p.link_id, p.code) for p in problems] == [("age", "required")]  # "both"/"either" are disabled
    assert [(p.link_id, p.code) for p in d.validate({}, complete=True)] == [("a", "required"), ("b", "required")]
    assert [(p.link_id, p.code) for p in d.validate({"a": "  ", "b": "no"}, complete=True)] == [("a", "required")]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"a": "maybe"}, ("a", "option")),
        ({"a": 1}, ("a", "option")),
        ({"a": "no", "age": 121}, ("age", "range")),
        ({"a": "no", "age": -1}, ("age", "range")),
        ({"a": "no", "age": 3.5}, ("age", "type")),
        ({"a": "no", "age": "3"}, ("age", "type")),
        ({"a": "no", "age": True}, ("age", "type")),
        ({"a": "no", "note": "toolong"}, ("note", "length")),
        ({"a": "no", "note": 5}, ("note", "type")),
        ({"a": "no", "seen": "2026-02-30"}, ("seen", "type")),
        ({"a": "no", "seen": "02/03/2026"}, ("seen", "type")),
        ({"a": "no", "ok": "yes"}, ("ok", "type")),
        ({"a": "no", "weight": 0.2}, ("weight", "range")),
        ({"a": "no", "weight": float("nan")}, ("weight", "type")),
        ({"zz": 1}, ("zz", "unknown")),
        ({"g1": "x"}, ("g1", "unknown")),
    ],
)
def test_validate_reports_each_kind_of_problem(answers, expected):
    problems = load_definition(sample()).validate(answers, complete=False)
    assert [(p.link_id, p.code) for p in problems] == [expected]


def test_valid_values_give_no_problem():
    answers = {
        "a": "no",
        "b": "yes",
        "either": "no",
        "age": 120,
        "note": "short",
        "seen": "2026-02-28",
        "ok": False,
        "weight": 0.5,
    }
    assert load_definition(sample()).validate(answers, complete=True) == []


def test_messages_are_translated_and_name_the_question_in_the_users_language():
    d = load_definition(sample())
    with override("nl"):
        (required,) = d.validate({"a": "no", "b": "no"}, complete=True)
        (out_of_range,) = d.validate({"a": "no", "age": 200}, complete=False)
        assert required.message == gettext("Please answer “%(question)s”.") % {"question": "Leeftijd"}
        assert out_of_range.message == gettext("“%(question)s” must be between %(min)s and %(max)s.") % {
            "question": "Leeftijd",
            "min": "0",
            "max": "120",
        }
    with override("en"):
        (required,) = d.validate({"a": "no", "b": "no"}, complete=True)
        assert required.message == "Please answer “Age”."
    with override("nl"):
        (too_light,) = d.validate({"a": "no", "weight": 0.25}, complete=False)
        assert "0,5" in too_light.message and "Weight" in too_light.message


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "total.real",
        "[1, 2]",
        "lambda: 1",
        "open('x')",
        "total if 1 else 2",
        "item('nope')",
        "later + 1",
        "1 ** 2",
        "total + 'x'",
        "total + True",
        "item(1)",
    ],
)
def test_an_expression_outside_the_safe_set_is_refused_when_the_instrument_loads(expression):
    q = sample()
    q["extension"][3]["extension"][2]["valueString"] = expression
    with pytest.raises(InstrumentError):
        load_definition(q)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q: q["item"][0]["item"][0].update(type="slider"), "type"),
        (lambda q: q["item"][0]["item"].append(copy.deepcopy(q["item"][0]["item"][0])), "twice"),
        (lambda q: q["item"][0]["item"][2]["enableWhen"][0].update(question="ghost"), "unknown"),
        (lambda q: q["item"][0]["item"][2].pop("enableBehavior"), "enableBehavior"),
        (lambda q: q["extension"][2]["extension"].append({"url": "item", "valueString": "ghost"}), "unknown item"),
        (lambda q: q["extension"][0].update(valueCode="quiz"), "kind"),
        (lambda q: q.pop("version"), "version"),
        (lambda q: q["item"][0]["item"][2]["enableWhen"][0].update(operator="~"), "operator"),
        (lambda q: q["item"][1]["enableWhen"][0].update(answerCoding={"code": "yes"}), "operator"),
        (
            lambda q: q["item"][0]["item"][0].update(
                enableWhen=[{"question": "either", "operator": "exists", "answerBoolean": True}]
            ),
            "cycle",
        ),
    ],
)
def test_a_broken_instrument_file_is_refused_with_a_reason(change, message):
    q = sample()
    change(q)
    with pytest.raises(InstrumentError, match=message):
        load_definition(q)


def test_definition_lookup_by_code_and_version():
    assert engine.definition("phq-9").code == "phq-9"
    assert engine.definition("phq-9", engine.definition("phq-9").version).version
    with pytest.raises(KeyError):
        engine.definition("no-such-instrument")
    with pytest.raises(KeyError):
        engine.definition("phq-9", "0.0.0-never")


def test_a_division_by_zero_gives_no_result_rather_than_a_made_up_one():
    q = sample()
    q["extension"][3]["extension"][2]["valueString"] = "total / item('b')"
    d = load_definition(q)
    assert [s.code for s in d.score({"a": "yes", "b": "no", "either": "yes", "age": 0})] == ["total"]
    assert {s.code: s.value for s in d.score({"a": "yes", "b": "yes", "both": "no", "either": "no", "age": 0})} == {
        "total": 2,
        "twice": 2,
    }


def test_a_calculator_never_scores_answers_it_cannot_read():
    d = engine.definition("bmi-for-age")
    answers = {"bmi-sex": "male", "bmi-birth-date": "2016-13-01", "bmi-measured-on": "2026-03-01", "bmi-weight": 43.0}
    assert d.score(answers | {"bmi-height": 140.0}) == []
    assert d.score(answers | {"bmi-birth-date": "2016-03-01", "bmi-height": "tall"}) == []
