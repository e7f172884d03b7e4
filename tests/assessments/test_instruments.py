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
def test_every_file_keeps_the_questionnaire_invariants(d):
    """The FHIR invariants fhir.resources does not check (que-1, que-4, que-6, que-12) and one screen per group."""

    def walk(items):
        for raw in items:
            yield raw
            yield from walk(raw.get("item", []))

    for raw in walk(d.questionnaire["item"]):
        kind = raw["type"]
        if kind == "group":
            assert raw.get("item"), f"que-1: group {raw['linkId']} has no items"
        else:
            assert not raw.get("item"), raw["linkId"]
        if kind == "display":
            assert "required" not in raw, f"que-6: {raw['linkId']}"
        if "answerOption" in raw:
            assert kind == "choice", f"que-4: {raw['linkId']}"
            codes = [o["valueCoding"]["code"] for o in raw["answerOption"]]
            assert len(codes) == len(set(codes)), raw["linkId"]
        if len(raw.get("enableWhen", [])) > 1:
            assert raw.get("enableBehavior") in ("all", "any"), f"que-12: {raw['linkId']}"
    assert all(section.type == "group" for section in d.sections())


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


def frequency_answers(prefix: str, items: int, total: int) -> dict:
    """Answers on the 0-3 frequency scale to ``prefix-1`` … ``prefix-items`` that add up to ``total``
    (items filled from the first one)."""
    answers, left = {}, total
    for n in range(1, items + 1):
        value = min(3, left)
        answers[f"{prefix}-{n}"] = FREQ[value]
        left -= value
    return answers


def phq9_answers(total: int) -> dict:
    return frequency_answers("phq9", 9, total)


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


# --------------------------------------------------------------------------- GAD-2 / GAD-7


def gad7_answers(total: int) -> dict:
    return frequency_answers("gad7", 7, total)


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_published_bands_5_10_15(total, band, positive):
    result = scores("gad-7", gad7_answers(total))["total"]
    assert (result.value, result.interpretation_code, result.positive, result.loinc) == (
        total,
        band,
        positive,
        "70274-6",
    )


def test_gad2_positive_from_3_proposes_gad7_and_shares_its_first_two_items():
    assert not scores("gad-2", {"gad2-1": SEVERAL, "gad2-2": SEVERAL})["total"].positive
    assert scores("gad-2", {"gad2-1": MORE_THAN_HALF, "gad2-2": SEVERAL})["total"].positive
    gad2, gad7 = engine.definition("gad-2"), engine.definition("gad-7")
    assert gad2.follow_up == "gad-7"
    assert [i.concept for i in gad2.answerable()] == ["http://loinc.org|69725-0", "http://loinc.org|68509-9"]
    assert [i.concept for i in gad7.answerable()[:2]] == [i.concept for i in gad2.answerable()]


# --------------------------------------------------------------------------- EPDS


def epds_answers(points: list[int]) -> dict:
    d = engine.definition("epds")
    answers = {}
    for n, p in enumerate(points, start=1):
        item = d.item(f"epds-{n}")
        answers[item.link_id] = next(o.code for o in item.options if o.score == p)
    return answers


def test_epds_reverse_scored_items_follow_the_published_key():
    d = engine.definition("epds")
    # items 1, 2 and 4 are scored 0-3 top-down; 3 and 5-10 are reverse scored (3-0)
    for n in range(1, 11):
        scores_in_order = [o.score for o in d.item(f"epds-{n}").options]
        assert scores_in_order == ([0, 1, 2, 3] if n in (1, 2, 4) else [3, 2, 1, 0]), n
    assert d.item("epds-1").options[0].label("en") == "As much as I always could"


@pytest.mark.parametrize(
    ("points", "band", "positive"),
    [
        ([0] * 10, "unlikely", False),
        ([1] * 9 + [0], "unlikely", False),
        ([1] * 10, "possible", False),
        ([2, 2, 2, 2, 2, 1, 1, 0, 0, 0], "possible", False),
        ([2, 2, 2, 2, 2, 1, 1, 1, 0, 0], "probable", True),
        ([3] * 10, "probable", True),
    ],
)
def test_epds_13_or_more_is_probable_depression(points, band, positive):
    result = scores("epds", epds_answers(points))["total"]
    assert (result.value, result.interpretation_code, result.positive) == (sum(points), band, positive)


def test_epds_item_10_above_zero_flags_self_harm_even_with_a_low_total():
    low = scores("epds", epds_answers([0] * 9 + [1]))
    assert low["total"].interpretation_code == "unlikely"
    assert low["self-harm"].positive and engine.definition("epds").is_positive(epds_answers([0] * 9 + [1]))
    assert not scores("epds", epds_answers([1] * 9 + [0]))["self-harm"].positive


# --------------------------------------------------------------------------- Katz ADL and the care-need screener

KATZ = ["katz-bathing", "katz-dressing", "katz-toileting", "katz-transferring", "katz-feeding"]


@pytest.mark.parametrize(
    ("dependent", "continent", "total", "band"),
    [
        (0, True, 6, "full-function"),
        (1, True, 5, "moderate-impairment"),
        (3, True, 3, "moderate-impairment"),
        (3, False, 2, "severe-impairment"),
        (5, False, 0, "severe-impairment"),
    ],
)
def test_katz_counts_activities_done_without_supervision_or_help(dependent, continent, total, band):
    answers = {link_id: ("supervision" if n < dependent else "independent") for n, link_id in enumerate(KATZ)}
    answers["katz-continence"] = "continent" if continent else "occasional"
    result = scores("katz-adl", answers)["total"]
    assert (result.value, result.interpretation_code, result.positive) == (total, band, band != "full-function")


CARE = {
    "adl": ["care-bathing", "care-dressing", "care-toileting", "care-transferring", "care-feeding"],
    "iadl": ["care-meals", "care-housework", "care-medication", "care-finances"],
}
NOT_PRESENT = {
    "care-memory": "no",
    "care-decisions": "independent",
    "care-mood": "not-present",
    "care-anxiety": "not-present",
    "care-behaviour-others": "not-present",
    "care-wandering": "not-present",
}


def care_answers(adl_iadl: dict[str, str], **other: str) -> dict:
    answers = {link_id: "independent" for link_id in CARE["adl"] + CARE["iadl"]} | NOT_PRESENT
    return answers | adl_iadl | other


def test_care_need_screener_maximum_is_30():
    worst = care_answers(
        {k: "full-help" for k in CARE["adl"] + CARE["iadl"]},
        **{
            "care-memory": "often",
            "care-decisions": "severe-difficulty",
            "care-mood": "daily",
            "care-anxiety": "daily",
            "care-behaviour-others": "daily",
            "care-wandering": "daily",
        },
    )
    result = scores("care-need-screener", worst)
    assert result["total"].value == 30 and result["adl"].value == 10 and result["iadl"].value == 8
    assert result["heavy-care-need"].positive


def test_care_need_heavy_exactly_at_5_5_on_adl_plus_iadl():
    # supervision = 0.5, partial help = 1, full help = 2
    at = care_answers(
        {
            "care-bathing": "full-help",
            "care-dressing": "full-help",
            "care-meals": "partial-help",
            "care-housework": "supervision",
        }
    )
    below = care_answers({"care-bathing": "full-help", "care-dressing": "full-help", "care-meals": "partial-help"})
    r_at, r_below = scores("care-need-screener", at), scores("care-need-screener", below)
    assert r_at["adl-iadl"].value == 5.5 and r_at["adl-iadl"].positive
    assert r_at["total"].value == 5.5 and not r_at["total"].positive
    assert r_at["heavy-care-need"].interpretation_code == "heavy-care-need"
    assert r_below["adl-iadl"].value == 5 and not r_below["heavy-care-need"].positive
    assert r_below["heavy-care-need"].interpretation_code == "no-heavy-care-need"


def test_care_need_heavy_exactly_at_13_of_30_total():
    other = {
        "care-memory": "often",
        "care-decisions": "severe-difficulty",
        "care-mood": "daily",
        "care-anxiety": "daily",
        "care-behaviour-others": "daily",
    }  # 10 points outside ADL/IADL
    at = care_answers({"care-bathing": "full-help", "care-dressing": "partial-help"}, **other)  # ADL+IADL 3
    below = care_answers({"care-bathing": "full-help", "care-dressing": "supervision"}, **other)  # ADL+IADL 2.5
    r_at, r_below = scores("care-need-screener", at), scores("care-need-screener", below)
    assert r_at["total"].value == 13 and r_at["total"].positive and not r_at["adl-iadl"].positive
    assert r_at["heavy-care-need"].positive
    assert r_below["total"].value == 12.5 and not r_below["heavy-care-need"].positive
    assert {r_at[k].value for k in ("cognition", "psychological")} == {4} and r_at["behaviour"].value == 2


def test_katz_and_care_need_screener_share_the_adl_questions():
    katz, care = engine.definition("katz-adl"), engine.definition("care-need-screener")
    shared = set(katz.concepts()) & set(care.concepts())
    assert {c.split("|")[1] for c in shared} == {
        "adl-bathing",
        "adl-dressing",
        "adl-toileting",
        "adl-transferring",
        "adl-feeding",
    }
    # the same answer scores per instrument: independent is 1 in Katz, 0 need in the screener
    assert katz.item("katz-bathing").option("independent").score == 1
    assert care.item("care-bathing").option("independent").score == 0


# --------------------------------------------------------------------------- frailty

FRAILTY_NONE = {
    "frailty-healthy": "yes",
    "frailty-weight": "no",
    "frailty-walking": "no",
    "frailty-falls": "no",
    "frailty-senses": "no",
    "frailty-tired": "no",
    "frailty-condition": "no",
    "frailty-low": "no",
    "frailty-nervous": "no",
    "frailty-sleep": "no",
    "frailty-coping": "yes",
    "frailty-memory": "no",
    "frailty-attention": "no",
    "frailty-alone": "no",
    "frailty-lonely": "no",
    "frailty-support": "yes",
    "frailty-housing": "no",
    "frailty-changed": "no",
}


def test_frailty_scores_each_of_the_four_domains_and_is_frail_from_5():
    none = scores("frailty", FRAILTY_NONE)
    assert none["total"].value == 0 and none["total"].interpretation_code == "not-frail"
    four = FRAILTY_NONE | {
        "frailty-healthy": "no",
        "frailty-low": "sometimes",
        "frailty-attention": "yes",
        "frailty-support": "no",
    }
    r4 = scores("frailty", four)
    assert [r4[k].value for k in ("physical", "psychological", "cognitive", "social", "total")] == [1, 1, 1, 1, 4]
    assert not r4["total"].positive
    r5 = scores("frailty", four | {"frailty-alone": "yes"})
    assert r5["total"].value == 5 and r5["total"].interpretation_code == "frail" and r5["total"].positive


def test_frailty_a_change_in_life_or_care_is_a_trigger_not_a_point():
    d = engine.definition("frailty")
    assert "frailty-change-what" not in d.enabled(FRAILTY_NONE)
    changed = FRAILTY_NONE | {"frailty-changed": "yes", "frailty-change-what": "Hospital stay after a fall"}
    assert "frailty-change-what" in d.enabled(changed)
    result = scores("frailty", changed)
    assert result["total"].value == 0 and result["life-change"].positive


def test_frailty_screener_proposes_the_assessment_and_its_answers_are_reused_there():
    base = {
        "frailty-screen-walking": "no",
        "frailty-screen-weight": "no",
        "frailty-screen-memory": "sometimes",
        "frailty-screen-alone": "yes",
        "frailty-screen-support": "yes",
    }
    assert scores("frailty-screener", base)["total"].value == 1
    assert not engine.definition("frailty-screener").is_positive(base)
    positive = base | {"frailty-screen-walking": "yes"}
    assert scores("frailty-screener", positive)["total"].positive
    screener, full = engine.definition("frailty-screener"), engine.definition("frailty")
    assert screener.follow_up == "frailty"
    assert set(screener.concepts()) <= set(full.concepts())


# --------------------------------------------------------------------------- carer strain, PREM, PROM, guide


def test_carer_strain_is_private_to_the_carer_and_high_from_7():
    d = engine.definition("carer-strain")
    assert d.private_to_author and not d.medical
    six = {f"carer-{n}": ("yes" if n <= 6 else "no") for n in range(1, 14)}
    assert scores("carer-strain", six)["total"].interpretation_code == "lower-strain"
    seven = six | {"carer-7": "yes"}
    result = scores("carer-strain", seven)["total"]
    assert result.value == 7 and result.interpretation_code == "high-strain" and result.positive
    assert scores("carer-strain", {f"carer-{n}": "yes" for n in range(1, 14)})["total"].value == 13


def test_prem_domain_sums_and_does_not_apply_is_not_scored():
    answers = {f"prem-{n}": "completely" for n in range(1, 7)} | {f"prem-{n}": "mostly" for n in range(7, 11)}
    result = scores("care-experience", answers)
    assert (result["person-centred"].value, result["coordination"].value, result["total"].value) == (18, 8, 26)
    answers["prem-10"] = "not-relevant"
    assert scores("care-experience", answers)["coordination"].value == 6
    assert engine.definition("care-experience").kind == "prem"
    assert not any(r.positive for r in result.values())


def test_prom_physical_and_mental_raw_summaries_with_the_pain_recode():
    best = {
        "prom-general": "excellent",
        "prom-quality": "excellent",
        "prom-physical": "excellent",
        "prom-mental": "excellent",
        "prom-social-satisfaction": "excellent",
        "prom-social-roles": "excellent",
        "prom-activities": "completely",
        "prom-emotional": "never",
        "prom-fatigue": "none",
        "prom-pain": "0",
    }
    result = scores("global-health", best)
    assert (result["physical"].value, result["mental"].value) == (20, 20)
    worst = {
        "prom-general": "poor",
        "prom-quality": "poor",
        "prom-physical": "poor",
        "prom-mental": "poor",
        "prom-social-satisfaction": "poor",
        "prom-social-roles": "poor",
        "prom-activities": "not-at-all",
        "prom-emotional": "always",
        "prom-fatigue": "very-severe",
        "prom-pain": "10",
    }
    assert {r.value for r in scores("global-health", worst).values()} == {4}
    # pain 0 -> 5, 1-3 -> 4, 4-6 -> 3, 7-9 -> 2, 10 -> 1
    for pain, recoded in [("1", 4), ("3", 4), ("4", 3), ("6", 3), ("7", 2), ("9", 2)]:
        assert scores("global-health", best | {"prom-pain": pain})["physical"].value == 15 + recoded


def test_goal_conversation_has_no_score_and_seeds_life_goals():
    d = engine.definition("goal-conversation")
    assert d.kind == "guide" and d.rules == ()
    answers = {
        "goal-matters": "Seeing my grandchildren",
        "goal-energy": "Music",
        "goal-again": "   ",
        "goal-months": " Walk to the market again ",
    }
    assert d.validate(answers, complete=True) == []
    assert d.score(answers) == [] and not d.is_positive(answers)
    assert d.goal_seeds(answers) == ["Seeing my grandchildren", "Walk to the market again"]


def test_every_instrument_of_the_issue_is_shipped():
    assert set(engine.catalogue()) >= {
        "phq-2",
        "phq-9",
        "gad-2",
        "gad-7",
        "epds",
        "katz-adl",
        "frailty",
        "frailty-screener",
        "care-need-screener",
        "carer-strain",
        "care-experience",
        "global-health",
        "bmi-for-age",
        "goal-conversation",
    }
    for code in ("phq-2", "gad-2", "frailty-screener", "care-need-screener", "epds"):
        assert engine.definition(code).kind == "screener"
