"""Every shipped instrument: valid FHIR R4 Questionnaire, four languages, published scores for known answers."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from careweave.assessments import engine

LANGS = ("en", "nl", "fr", "de")
ALL = engine.all_definitions()


def scores(code: str, answers: dict) -> dict[str, engine.ScoreResult]:
    d = engine.definition(code)
    assert d.validate(answers, complete=True) == [], "the known answers must be a complete, valid response"
    return {s.code: s for s in d.score(answers)}


@pytest.mark.parametrize("d", ALL, ids=lambda d: f"{d.code}-{d.version}")
def test_every_file_is_a_valid_fhir_r4_questionnaire(d):
    get_fhir_model_class("Questionnaire").model_validate(d.questionnaire)
    assert d.questionnaire["url"] == engine.QUESTIONNAIRE_BASE + d.code
    assert d.source and d.licence and d.wording in ("published", "modelled")


@pytest.mark.parametrize("d", ALL, ids=lambda d: f"{d.code}-{d.version}")
def test_every_text_exists_in_all_four_languages(d):
    assert all(d._titles.get(lang) for lang in LANGS), d._titles
    for item in engine._flatten(d.items):
        assert all(item.text.get(lang) for lang in LANGS), item.link_id
        for option in item.options:
            assert all(option.display.get(lang) for lang in LANGS), (item.link_id, option.code)
    for rule in d.rules:
        assert all(rule.label.get(lang) for lang in LANGS), rule.code
        for b in rule.bands:
            assert all(b.label.get(lang) for lang in LANGS), (rule.code, b.code)


@pytest.mark.parametrize("d", ALL, ids=lambda d: f"{d.code}-{d.version}")
def test_follow_up_instruments_exist(d):
    if d.follow_up:
        assert d.follow_up in engine.catalogue()
        assert d.kind == "screener"


def test_the_same_concept_has_the_same_answers_everywhere():
    """Never ask twice: an answer reused in another instrument must be one of that item's answers."""
    seen: dict[str, tuple[str, tuple[str, ...]]] = {}
    for d in engine.catalogue().values():
        for item in d.answerable():
            if not item.concept:
                continue
            shape = (item.type, tuple(o.code for o in item.options))
            if item.concept in seen:
                assert seen[item.concept] == shape, (d.code, item.link_id, item.concept)
            seen[item.concept] = shape


# --------------------------------------------------------------------------- PHQ-2 / PHQ-9

NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY_EVERY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"
FREQ = [NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY_EVERY]


def phq9_answers(total: int) -> dict:
    """PHQ-9 answers that add up to ``total`` (items filled from the first one)."""
    answers, left = {}, total
    for n in range(1, 10):
        value = min(3, left)
        answers[f"phq9-{n}"] = FREQ[value]
        left -= value
    return answers


def test_phq9_all_nearly_every_day_is_27_severe():
    result = scores("phq-9", {f"phq9-{n}": NEARLY_EVERY for n in range(1, 10)} | {"phq9-10": "extremely"})
    assert result["total"].value == 27
    assert result["total"].interpretation_code == "severe"
    assert result["total"].loinc == "44261-6"
    assert result["total"].interpretation["nl"] == "Ernstige depressie"


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately-severe", True),
        (19, "moderately-severe", True),
        (20, "severe", True),
    ],
)
def test_phq9_published_band_edges(total, band, positive):
    answers = phq9_answers(total)
    if total > 0:
        answers["phq9-10"] = "somewhat"
    result = scores("phq-9", answers)["total"]
    assert (result.value, result.interpretation_code, result.positive) == (total, band, positive)


def test_phq9_item_9_flags_self_harm_whatever_the_total():
    answers = phq9_answers(0) | {"phq9-9": SEVERAL, "phq9-10": "somewhat"}
    result = scores("phq-9", answers)
    assert result["total"].interpretation_code == "minimal"
    assert result["self-harm"].positive and result["self-harm"].interpretation_code == "self-harm-risk"
    assert not scores("phq-9", phq9_answers(8) | {"phq9-10": "very"})["self-harm"].positive


def test_phq9_difficulty_question_only_when_a_problem_was_checked():
    d = engine.definition("phq-9")
    assert "phq9-10" not in d.enabled(phq9_answers(0))
    assert "phq9-10" in d.enabled(phq9_answers(1))


@pytest.mark.parametrize(
    ("a", "b", "positive"), [(0, 0, False), (1, 1, False), (2, 0, False), (2, 1, True), (3, 3, True)]
)
def test_phq2_positive_from_3_and_proposes_phq9(a, b, positive):
    result = scores("phq-2", {"phq2-1": FREQ[a], "phq2-2": FREQ[b]})["total"]
    assert result.value == a + b and result.positive is positive and result.loinc == "55758-7"
    d = engine.definition("phq-2")
    assert d.kind == "screener" and d.follow_up == "phq-9"


def test_phq2_items_are_phq9_items_1_and_2():
    phq2, phq9 = engine.definition("phq-2"), engine.definition("phq-9")
    assert [i.concept for i in phq2.answerable()] == [phq9.item("phq9-1").concept, phq9.item("phq9-2").concept]
    assert phq9.item("phq9-1").concept == "http://loinc.org|44250-9"
    assert phq9.item("phq9-2").concept == "http://loinc.org|44255-8"
