"""The instrument engine: read a FHIR R4 Questionnaire, decide what is enabled, validate and score.

Plain Python, no ORM (decision 0008): the web form, the offline sync and the FHIR API all call
these functions, so a response scores the same through every door. Instruments are data in
``instruments/*.json``; ``docs/assessments.md`` lists the extensions this module reads.

Answers are ``{linkId: value}``: a choice is the option's code, boolean a bool, integer/decimal a
number, string/text a str, date an ISO ``YYYY-MM-DD`` str.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

LANGUAGES = ("nl", "fr", "de", "en")
BASE_LANGUAGE = "en"
INSTRUMENT_DIR = Path(__file__).parent / "instruments"
QUESTIONNAIRE_BASE = "https://careweave.org/fhir/Questionnaire/"

# Standard HL7 extensions
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"

# Careweave extensions (documented in docs/assessments.md)
CW = "https://careweave.org/fhir/StructureDefinition/"
EXT_KIND = CW + "instrument-kind"
EXT_MEDICAL = CW + "instrument-medical"
EXT_PRIVATE = CW + "instrument-private-to-author"
EXT_FOLLOW_UP = CW + "instrument-follow-up"
EXT_SOURCE = CW + "instrument-source"
EXT_LICENCE = CW + "instrument-licence"
EXT_WORDING = CW + "instrument-wording"
EXT_TRANSLATIONS = CW + "instrument-translations"
EXT_SCORE = CW + "instrument-score"
EXT_GOAL_SEED = CW + "item-seeds-goal"
EXT_RECALL = CW + "instrument-recall-period"
EXT_ITEM_RECALL = CW + "item-recall-period"
EXT_CRITICAL = CW + "item-critical"
LASTING = "lasting"  # an item-recall-period code: a fact that does not go stale (date of birth)
_DURATION_DAYS = {"d": 1, "wk": 7, "mo": 30, "a": 365}  # UCUM codes of a recall period

KINDS = ("screener", "assessment", "prom", "prem", "guide", "calculator")
ITEM_TYPES = ("group", "display", "choice", "boolean", "integer", "decimal", "string", "text", "date")
ANSWER_TYPES = frozenset(ITEM_TYPES) - {"group", "display"}
METHODS = ("sum", "expression", "calculator")
OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")


class InstrumentError(ValueError):
    """A Questionnaire the engine cannot run (a mistake in an instrument file, not in the answers)."""


# --------------------------------------------------------------------------- value objects


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(BASE_LANGUAGE) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Option:
    code: str
    display: dict[str, str]
    score: float | None

    def label(self, lang: str) -> str:
        return _pick(self.display, lang)


@dataclass(frozen=True)
class Condition:
    """One enableWhen: ``question`` ``operator`` ``answer``."""

    question: str
    operator: str
    answer: Any


@dataclass(frozen=True)
class Critical:
    """An answer that needs action now whatever the total (a self-harm thought): declared on the item."""

    min_score: float
    guidance: dict[str, str]

    def guidance_text(self, lang: str) -> str:
        return _pick(self.guidance, lang)


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: dict[str, str]
    required: bool
    options: tuple[Option, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    unit: str | None = None
    concept: str | None = None
    items: tuple[Item, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    seeds_goal: bool = False
    recall_days: int | None = None  # None: the instrument's recall period
    lasting: bool = False  # a fact that does not go stale, whatever the instrument's recall period
    critical: Critical | None = None

    def label(self, lang: str) -> str:
        return _pick(self.text, lang)

    def option(self, code: Any) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class ScoreResult:
    code: str
    label: dict[str, str]
    value: float
    unit: str | None
    interpretation_code: str | None
    interpretation: dict[str, str]
    positive: bool
    loinc: str | None

    def label_in(self, lang: str) -> str:
        return _pick(self.label, lang)

    def interpretation_in(self, lang: str) -> str:
        return _pick(self.interpretation, lang) if self.interpretation else ""


@dataclass(frozen=True)
class Problem:
    link_id: str
    code: str  # required|range|type|option|length|unknown
    message: str


@dataclass(frozen=True)
class Band:
    """A threshold: ``low <= value <= high`` (either bound optional) means ``interpretation``."""

    low: float | None
    high: float | None
    code: str
    label: dict[str, str]
    positive: bool

    def matches(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class ScoreRule:
    code: str
    label: dict[str, str]
    method: str
    items: tuple[str, ...]
    expression: ast.Expression | None
    calculator: str | None
    output: str | None
    inputs: dict[str, str]
    unit: str | None
    loinc: str | None
    bands: tuple[Band, ...]


# --------------------------------------------------------------------------- reading the JSON


def _translations(base: str | None, primitive_ext: Mapping | None) -> dict[str, str]:
    """English text plus the FHIR ``translation`` extensions of its ``_element``."""
    texts: dict[str, str] = {}
    if base:
        texts[BASE_LANGUAGE] = base
    for ext in (primitive_ext or {}).get("extension", []):
        if ext.get("url") != TRANSLATION:
            continue
        parts = {e["url"]: e for e in ext.get("extension", [])}
        lang = parts.get("lang", {}).get("valueCode")
        content = parts.get("content", {}).get("valueString")
        if lang and content:
            texts[lang] = content
    return texts


def _coding_texts(coding: Mapping) -> dict[str, str]:
    return _translations(coding.get("display"), coding.get("_display"))


def _ext(element: Mapping, url: str) -> list[dict]:
    return [e for e in element.get("extension", []) if e.get("url") == url]


def _ext_value(element: Mapping, url: str, default: Any = None) -> Any:
    for e in _ext(element, url):
        for key, value in e.items():
            if key.startswith("value"):
                return value
    return default


def _number(element: Mapping) -> float | None:
    for key in ("valueDecimal", "valueInteger"):
        if key in element:
            return float(element[key])
    return None


def _option_score(option: Mapping) -> float | None:
    coding = option.get("valueCoding", {})
    for holder in (coding, option):
        for url in (ORDINAL_VALUE, ITEM_WEIGHT):
            for e in _ext(holder, url):
                value = _number(e)
                if value is not None:
                    return value
    return None


_ANSWER_KEYS = ("answerCoding", "answerBoolean", "answerInteger", "answerDecimal", "answerString", "answerDate")


def _read_item(raw: Mapping) -> Item:
    link_id = raw.get("linkId")
    kind = raw.get("type")
    if not link_id or kind not in ITEM_TYPES:
        raise InstrumentError(f"item {link_id!r}: type {kind!r} is not one of {ITEM_TYPES}")
    options = []
    for opt in raw.get("answerOption", []):
        coding = opt.get("valueCoding")
        if not coding or "code" not in coding:
            raise InstrumentError(f"item {link_id}: answer options must be valueCoding with a code")
        options.append(Option(str(coding["code"]), _coding_texts(coding), _option_score(opt)))
    if kind == "choice" and not options:
        raise InstrumentError(f"item {link_id}: a choice needs answerOption")
    conditions = []
    for ew in raw.get("enableWhen", []):
        key = next((k for k in _ANSWER_KEYS if k in ew), None)
        if key is None:
            raise InstrumentError(f"item {link_id}: enableWhen without an answer")
        op = ew.get("operator")
        if op not in OPERATORS or (op == "exists" and key != "answerBoolean"):
            raise InstrumentError(f"item {link_id}: enableWhen operator {op!r} is not usable with {key}")
        value = ew[key]["code"] if key == "answerCoding" else ew[key]
        conditions.append(Condition(ew["question"], ew["operator"], value))
    behaviour = raw.get("enableBehavior", "all")
    if len(conditions) > 1 and "enableBehavior" not in raw:
        raise InstrumentError(f"item {link_id}: several enableWhen need enableBehavior (all/any)")
    codes = raw.get("code", [])
    concept = f"{codes[0].get('system', '')}|{codes[0]['code']}" if codes else None
    unit = None
    for e in _ext(raw, UNIT):
        coding = e.get("valueCoding", {})
        unit = coding.get("display") or coding.get("code")
    min_e, max_e = _ext(raw, MIN_VALUE), _ext(raw, MAX_VALUE)
    recall = _read_recall(raw, EXT_ITEM_RECALL, f"item {link_id}")
    return Item(
        link_id=link_id,
        type=kind,
        text=_translations(raw.get("text"), raw.get("_text")),
        required=bool(raw.get("required", False)),
        options=tuple(options),
        min_value=_number(min_e[0]) if min_e else None,
        max_value=_number(max_e[0]) if max_e else None,
        max_length=raw.get("maxLength"),
        unit=unit,
        concept=concept,
        items=tuple(_read_item(child) for child in raw.get("item", [])),
        enable_when=tuple(conditions),
        enable_behavior=behaviour,
        seeds_goal=bool(_ext_value(raw, EXT_GOAL_SEED, False)),
        recall_days=recall if isinstance(recall, int) else None,
        lasting=recall == LASTING,
        critical=_read_critical(link_id, kind, raw),
    )


def _read_recall(element: Mapping, url: str, where: str) -> int | str | None:
    """A recall period in days (valueDuration in d, wk, mo or a), ``LASTING`` (valueCode), or None."""
    found = _ext(element, url)
    if not found:
        return None
    ext = found[0]
    if ext.get("valueCode") == LASTING:
        return LASTING
    duration = ext.get("valueDuration") or {}
    value, unit = duration.get("value"), duration.get("code")
    if not isinstance(value, int | float) or value < 0 or unit not in _DURATION_DAYS:
        raise InstrumentError(f"{where}: a recall period is a valueDuration in {sorted(_DURATION_DAYS)} "
                              f"or valueCode {LASTING!r}")
    return int(value * _DURATION_DAYS[unit])


def _read_critical(link_id: str, kind: str, raw: Mapping) -> Critical | None:
    found = _ext(raw, EXT_CRITICAL)
    if not found:
        return None
    parts = _parts(found[0])
    score = (parts.get("minScore") or [{}])[0]
    minimum = score.get("valueDecimal", score.get("valueInteger"))
    texts = {}  # guidance repeats, one per language: lang (valueCode) + content (valueString)
    for guidance in parts.get("guidance", []):
        sub = {e["url"]: e for e in guidance.get("extension", [])}
        lang, content = sub.get("lang", {}).get("valueCode"), sub.get("content", {}).get("valueString")
        if lang and content:
            texts[lang] = content
    if kind not in ("choice", "boolean") or not isinstance(minimum, int | float) or not texts:
        raise InstrumentError(f"item {link_id}: item-critical needs a choice or boolean item, "
                              "a minScore and a guidance text")
    return Critical(float(minimum), texts)


def _parts(ext: Mapping) -> dict[str, list[dict]]:
    parts: dict[str, list[dict]] = {}
    for e in ext.get("extension", []):
        parts.setdefault(e["url"], []).append(e)
    return parts


def _one(parts: Mapping[str, list[dict]], name: str, key: str, default: Any = None) -> Any:
    found = parts.get(name)
    return found[0].get(key, default) if found else default


def _read_score(ext: Mapping) -> ScoreRule:
    parts = _parts(ext)
    code = _one(parts, "code", "valueCode")
    method = _one(parts, "method", "valueCode")
    if not code or method not in METHODS:
        raise InstrumentError(f"score {code!r}: method {method!r} is not one of {METHODS}")
    concept = _one(parts, "concept", "valueCoding", {})
    bands = []
    for band in parts.get("threshold", []):
        bp = _parts(band)
        interp = _one(bp, "interpretation", "valueCoding", {})
        if "code" not in interp:
            raise InstrumentError(f"score {code}: a threshold needs an interpretation coding")
        low = _number(bp["low"][0]) if "low" in bp else None
        high = _number(bp["high"][0]) if "high" in bp else None
        bands.append(Band(low, high, interp["code"], _coding_texts(interp), bool(_one(bp, "positive", "valueBoolean"))))
    expression = None
    if method == "expression":
        expression = _compile(_one(parts, "expression", "valueString", ""), code)
    inputs = {}
    for e in parts.get("input", []):
        name, _sep, link_id = e.get("valueString", "").partition("=")
        inputs[name.strip()] = link_id.strip()
    return ScoreRule(
        code=code,
        label=_coding_texts(concept) or {BASE_LANGUAGE: code},
        method=method,
        items=tuple(e["valueString"] for e in parts.get("item", [])),
        expression=expression,
        calculator=_one(parts, "calculator", "valueCode"),
        output=_one(parts, "output", "valueCode"),
        inputs=inputs,
        unit=_one(parts, "unit", "valueString"),
        loinc=concept.get("code") if concept.get("system") == "http://loinc.org" else None,
        bands=tuple(bands),
    )


# --------------------------------------------------------------------------- safe expressions
# A calculated score is a small arithmetic/boolean expression over earlier scores (by code, "-"
# read as "_") and ``item('linkId')`` (the item's score); parsed with ``ast`` and walked, never eval'd.

_BINOPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type, Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {"min": min, "max": max, "abs": abs, "round": round}
_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Constant, ast.Name, ast.Call,
    ast.Load, ast.USub, ast.Not, ast.And, ast.Or, *_BINOPS, *_COMPARE,
)  # fmt: skip


def _compile(text: str, code: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise InstrumentError(f"score {code}: expression {text!r} does not parse") from exc
    item_args = {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "item" and node.args
        if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    }
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise InstrumentError(f"score {code}: {type(node).__name__} is not allowed in {text!r}")
        if isinstance(node, ast.Constant) and not (
            isinstance(node.value, int | float) and not isinstance(node.value, bool) or id(node) in item_args
        ):
            raise InstrumentError(f"score {code}: constant {node.value!r} is not allowed in {text!r}")
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in (*_FUNCTIONS, "item") or node.keywords:
                raise InstrumentError(f"score {code}: function {name!r} is not allowed in {text!r}")
    return tree


def _evaluate(node: ast.AST, names: Mapping[str, float], item_score: Callable[[str], float]) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, names, item_score)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise InstrumentError(f"expression refers to unknown score {node.id!r}")
        return names[node.id]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_evaluate(node.left, names, item_score), _evaluate(node.right, names, item_score))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, names, item_score)
        return -value if isinstance(node.op, ast.USub) else not value
    if isinstance(node, ast.BoolOp):
        values = [bool(_evaluate(v, names, item_score)) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, names, item_score)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, names, item_score)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        args = [_evaluate(a, names, item_score) for a in node.args]
        return item_score(str(args[0])) if name == "item" else _FUNCTIONS[name](*args)
    raise InstrumentError(f"{type(node).__name__} is not allowed")  # pragma: no cover - _compile refuses it


# --------------------------------------------------------------------------- calculators
# A named calculator turns a few answers into several results (value, interpretation code).


def _bmi_for_age(inputs: Mapping[str, Any]) -> dict[str, tuple[float, str | None]] | None:
    from careweave.assessments import bmi

    sex, weight, height = inputs.get("sex"), inputs.get("weight"), inputs.get("height")
    if sex is None or weight is None or height is None:
        return None
    try:
        if inputs.get("birth_date") and inputs.get("measured_on"):
            days = (dt.date.fromisoformat(inputs["measured_on"]) - dt.date.fromisoformat(inputs["birth_date"])).days
        elif inputs.get("age_months") is not None:
            days = round(float(inputs["age_months"]) * bmi.DAYS_PER_MONTH)
        else:
            return None
        result = bmi.bmi_for_age(sex, days, float(weight), float(height))
    except (bmi.OutsideReference, TypeError, ValueError):
        return None  # validate() says why; an unscorable answer gives no result, never a wrong one
    return {
        "bmi": (result.bmi, None),
        "z": (result.z, result.category),
        "percentile": (result.percentile, None),
        "age-months": (result.age_months, None),
    }


def _bmi_for_age_problems(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(input name, message) for answers the WHO references cannot score."""
    from careweave.assessments import bmi

    birth, measured = inputs.get("birth_date"), inputs.get("measured_on")
    if birth and measured:
        try:
            days = (dt.date.fromisoformat(measured) - dt.date.fromisoformat(birth)).days
        except (TypeError, ValueError):
            return []  # the date items report their own type problem
        if days < 0:
            return [("measured_on", _("The measurement date cannot be before the date of birth."))]
        if days > bmi.LAST_DAY:
            return [("birth_date", _("The WHO BMI-for-age references cover children from birth to 19 years."))]
    return []


CALCULATOR_PROBLEMS: dict[str, Callable[[Mapping[str, Any]], list[tuple[str, str]]]] = {
    "bmi-for-age": _bmi_for_age_problems,
}

CALCULATORS: dict[str, Callable[[Mapping[str, Any]], dict[str, tuple[float, str | None]] | None]] = {
    "bmi-for-age": _bmi_for_age,
}


# --------------------------------------------------------------------------- the definition


def _flatten(items: Iterable[Item]) -> Iterable[Item]:
    for item in items:
        yield item
        yield from _flatten(item.items)


def _answered(value: Any) -> bool:
    """A real answer: not None, not an empty or blank text, not an empty list."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(value: float | None) -> str:
    """A bound in the active language's number format (0,5 in nl/fr/de)."""
    if value is None:
        return ""
    return number_format(int(value) if float(value).is_integer() else value)


def _compare(op: str, given: Any, expected: Any) -> bool:
    try:
        if op == "=":
            return given == expected
        if op == "!=":
            return given != expected
        return _COMPARE[{">": ast.Gt, "<": ast.Lt, ">=": ast.GtE, "<=": ast.LtE}[op]](given, expected)
    except TypeError:
        return False


@dataclass(frozen=True)
class CriticalFinding:
    """One answer that needs action now, with the instrument's guidance for it."""

    item: Item
    answer: Any

    def question(self, lang: str) -> str:
        return self.item.label(lang)

    def answer_label(self, lang: str) -> str:
        option = self.item.option(self.answer)
        if option is not None:
            return option.label(lang)
        return _("Yes") if self.answer is True else str(self.answer)

    def guidance(self, lang: str) -> str:
        return self.item.critical.guidance_text(lang) if self.item.critical else ""


@dataclass
class Definition:
    """One version of one instrument, read from its Questionnaire."""

    code: str
    version: str
    url: str
    kind: str
    medical: bool
    private_to_author: bool
    follow_up: str | None
    source: str
    licence: str
    wording: str  # "published" (official item texts) or "modelled" (structure only, Careweave's words)
    translations: str  # "working" (Careweave's nl/fr/de, not validated) or "validated"
    questionnaire: dict
    items: tuple[Item, ...] = ()
    rules: tuple[ScoreRule, ...] = ()
    recall_days: int | None = None  # how far back the questions ask (PHQ-9: 14); None: answers do not go stale
    _titles: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, Item] = field(default_factory=dict)
    _parents: dict[str, str] = field(default_factory=dict)

    # ---- texts and structure
    def title(self, lang: str) -> str:
        return _pick(self._titles, lang)

    def item(self, link_id: str) -> Item:
        return self._by_id[link_id]

    def sections(self) -> list[Item]:
        """Top-level groups in order: one screen each (an ungrouped top-level item is its own section)."""
        return list(self.items)

    def answerable(self) -> list[Item]:
        return [i for i in _flatten(self.items) if i.type in ANSWER_TYPES]

    # ---- recall period: an earlier answer is taken over only while it still answers today's question
    def recall_for(self, link_id: str) -> int | None:
        """Days an answer to this item stays true (the item's own period, else the instrument's); None: lasting."""
        item = self._by_id[link_id]
        if item.lasting:
            return None
        return item.recall_days if item.recall_days is not None else self.recall_days

    def is_current(self, link_id: str, answered_on: dt.date, today: dt.date) -> bool:
        """An answer given on ``answered_on`` still falls within what the question asks about today."""
        days = self.recall_for(link_id)
        return days is None or (today - answered_on).days <= days

    # ---- critical answers: need action now, whatever the total
    def critical_findings(self, answers: Mapping[str, Any]) -> list[CriticalFinding]:
        """Enabled answers to items declared ``item-critical`` whose score reaches the item's minimum."""
        enabled = self.enabled(answers)
        found = []
        for item in self.answerable():
            if item.critical is None or item.link_id not in enabled or not _answered(answers.get(item.link_id)):
                continue
            value = answers[item.link_id]
            option = item.option(value)
            score = option.score if option is not None else (1.0 if value is True else 0.0)
            if score is not None and score >= item.critical.min_score:
                found.append(CriticalFinding(item, value))
        return found

    def concepts(self) -> dict[str, Item]:
        """Shared concept -> item: how "never ask twice" finds the same question elsewhere."""
        return {i.concept: i for i in self.answerable() if i.concept}

    def goal_seeds(self, answers: Mapping[str, Any]) -> list[str]:
        """Answers to items marked as seeding a life goal (the goal-finding guide)."""
        enabled = self.enabled(answers)
        return [
            str(answers[i.link_id]).strip()
            for i in self.answerable()
            if i.seeds_goal and i.link_id in enabled and _answered(answers.get(i.link_id))
        ]

    # ---- branching
    def enabled(self, answers: Mapping[str, Any]) -> set[str]:
        """linkIds currently enabled: enableWhen with enableBehavior all/any; a disabled group
        disables its children, and an answer to a disabled question does not count."""
        memo: dict[str, bool] = {}

        def is_enabled(link_id: str, seen: frozenset[str]) -> bool:
            if link_id in memo:
                return memo[link_id]
            if link_id in seen:
                raise InstrumentError(f"{self.code}: enableWhen cycle through {link_id}")
            seen = seen | {link_id}
            item = self._by_id[link_id]
            parent = self._parents.get(link_id)
            result = parent is None or is_enabled(parent, seen)
            if result and item.enable_when:
                checks = (holds(c, seen) for c in item.enable_when)
                result = all(checks) if item.enable_behavior == "all" else any(checks)
            memo[link_id] = result
            return result

        def holds(cond: Condition, seen: frozenset[str]) -> bool:
            value = answers.get(cond.question)
            present = _answered(value) and is_enabled(cond.question, seen)
            if cond.operator == "exists":
                return present == bool(cond.answer)
            return present and _compare(cond.operator, value, cond.answer)

        return {link_id for link_id in self._by_id if is_enabled(link_id, frozenset())}

    # ---- validation
    def validate(self, answers: Mapping[str, Any], *, complete: bool) -> list[Problem]:
        """Problems with these answers, messages in the active language; ``complete`` also checks
        that every enabled required question has an answer."""
        lang = (get_language() or BASE_LANGUAGE)[:2]
        problems: list[Problem] = []
        for link_id in answers:
            item = self._by_id.get(link_id)
            if item is None or item.type not in ANSWER_TYPES:
                problems.append(
                    Problem(
                        link_id,
                        "unknown",
                        _("“%(link_id)s” is not a question of this questionnaire.") % {"link_id": link_id},
                    )
                )
        enabled = self.enabled(answers) if not problems else self._enabled_ignoring_unknown(answers)
        for item in self.answerable():
            value = answers.get(item.link_id)
            if not _answered(value):
                if complete and item.required and item.link_id in enabled:
                    problems.append(
                        Problem(
                            item.link_id,
                            "required",
                            _("Please answer “%(question)s”.") % {"question": item.label(lang)},
                        )
                    )
                continue
            problem = self._check_value(item, value, lang)
            if problem:
                problems.append(problem)
        if not problems:
            problems.extend(self._calculator_problems(answers, enabled))
        return problems

    def _calculator_problems(self, answers: Mapping[str, Any], enabled: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        checked: set[str] = set()
        for rule in self.rules:
            check = CALCULATOR_PROBLEMS.get(rule.calculator or "")
            if check is None or rule.calculator in checked:
                continue
            checked.add(rule.calculator or "")
            inputs = {
                name: answers.get(link_id) if link_id in enabled else None for name, link_id in rule.inputs.items()
            }
            problems.extend(Problem(rule.inputs[name], "range", message) for name, message in check(inputs))
        return problems

    def _enabled_ignoring_unknown(self, answers: Mapping[str, Any]) -> set[str]:
        return self.enabled({k: v for k, v in answers.items() if k in self._by_id})

    def _check_value(self, item: Item, value: Any, lang: str) -> Problem | None:
        q = item.label(lang)
        kind = item.type
        if kind == "choice":
            if not isinstance(value, str) or item.option(value) is None:
                return Problem(
                    item.link_id,
                    "option",
                    _("“%(answer)s” is not one of the answers to “%(question)s”.") % {"answer": value, "question": q},
                )
            return None
        if kind == "boolean" and not isinstance(value, bool):
            return Problem(item.link_id, "type", _("“%(question)s” expects yes or no.") % {"question": q})
        if kind == "integer" and not (_is_number(value) and float(value).is_integer()):
            return Problem(item.link_id, "type", _("“%(question)s” expects a whole number.") % {"question": q})
        if kind == "decimal" and not _is_number(value):
            return Problem(item.link_id, "type", _("“%(question)s” expects a number.") % {"question": q})
        if kind in ("string", "text"):
            if not isinstance(value, str):
                return Problem(item.link_id, "type", _("“%(question)s” expects a text.") % {"question": q})
            if item.max_length is not None and len(value) > item.max_length:
                return Problem(
                    item.link_id,
                    "length",
                    _("The answer to “%(question)s” is longer than %(max)s characters.")
                    % {"question": q, "max": item.max_length},
                )
            return None
        if kind == "date":
            try:
                day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
            except ValueError:
                day = None
            if day is None:
                return Problem(item.link_id, "type", _("“%(question)s” expects a date (YYYY-MM-DD).") % {"question": q})
            return None
        if kind in ("integer", "decimal"):
            low, high = item.min_value, item.max_value
            if (low is not None and value < low) or (high is not None and value > high):
                if low is not None and high is not None:
                    message = _("“%(question)s” must be between %(min)s and %(max)s.")
                elif low is not None:
                    message = _("“%(question)s” must be at least %(min)s.")
                else:
                    message = _("“%(question)s” must be at most %(max)s.")
                return Problem(item.link_id, "range", message % {"question": q, "min": _fmt(low), "max": _fmt(high)})
        return None

    # ---- scoring
    def item_score(self, answers: Mapping[str, Any], link_id: str) -> float:
        """What one answer adds to a sum: the option's score, the number, 1/0 for yes/no; 0 when unanswered."""
        item = self._by_id[link_id]
        value = answers.get(link_id)
        if not _answered(value):
            return 0.0
        if item.type == "choice":
            option = item.option(value)
            return option.score if option and option.score is not None else 0.0
        if item.type == "boolean":
            return 1.0 if value else 0.0
        if _is_number(value):
            return float(value)
        return 0.0

    def score(self, answers: Mapping[str, Any]) -> list[ScoreResult]:
        """Every score rule in order. Only meaningful on answers that ``validate(complete=True)`` accepts;
        answers to disabled questions count as not given."""
        enabled = self.enabled(answers)
        live = {k: v for k, v in answers.items() if k in enabled}
        names: dict[str, float] = {}
        calculated: dict[str, dict[str, tuple[float, str | None]] | None] = {}
        results: list[ScoreResult] = []
        for rule in self.rules:
            code_from_calculator = None
            if rule.method == "sum":
                value = float(sum(self.item_score(live, link_id) for link_id in rule.items))
            elif rule.method == "expression":
                assert rule.expression is not None
                try:
                    value = float(_evaluate(rule.expression, names, lambda link_id: self.item_score(live, link_id)))
                except ZeroDivisionError:
                    continue  # no result rather than a made-up one
            else:
                key = rule.calculator or ""
                if key not in calculated:
                    inputs = {name: live.get(link_id) for name, link_id in rule.inputs.items()}
                    calculated[key] = CALCULATORS[key](inputs)
                outputs = calculated[key]
                if outputs is None or rule.output not in outputs:
                    continue
                value, code_from_calculator = outputs[rule.output]
            names[rule.code.replace("-", "_")] = value
            band = self._band(rule, value, code_from_calculator)
            results.append(
                ScoreResult(
                    code=rule.code,
                    label=rule.label,
                    value=value,
                    unit=rule.unit,
                    interpretation_code=band.code if band else code_from_calculator,
                    interpretation=band.label if band else {},
                    positive=band.positive if band else False,
                    loinc=rule.loinc,
                )
            )
        return results

    @staticmethod
    def _band(rule: ScoreRule, value: float, code: str | None) -> Band | None:
        if code is not None:  # a calculator classified it; the bands only give the labels
            return next((b for b in rule.bands if b.code == code), None)
        return next((b for b in rule.bands if b.matches(value)), None)

    def is_positive(self, answers: Mapping[str, Any]) -> bool:
        """A positive screen: any score falls in a band marked positive."""
        return any(result.positive for result in self.score(answers))


def _follow_up_code(canonical: str | None) -> str | None:
    if not canonical:
        return None
    return canonical.split("|")[0].rstrip("/").rsplit("/", 1)[-1]


def _refuse_enable_when_cycles(code: str, by_id: Mapping[str, Item], parents: Mapping[str, str]) -> None:
    """An item enabled by a question that (through its parents or conditions) depends on the item itself."""
    depends = {
        link_id: [c.question for c in item.enable_when] + ([parents[link_id]] if link_id in parents else [])
        for link_id, item in by_id.items()
    }
    done: set[str] = set()

    def visit(link_id: str, path: tuple[str, ...]) -> None:
        if link_id in path:
            raise InstrumentError(f"{code}: enableWhen cycle {' -> '.join((*path, link_id))}")
        if link_id in done:
            return
        for other in depends[link_id]:
            visit(other, (*path, link_id))
        done.add(link_id)

    for link_id in by_id:
        visit(link_id, ())


def _instrument_recall(code: str, questionnaire: Mapping) -> int | None:
    recall = _read_recall(questionnaire, EXT_RECALL, code)
    return recall if isinstance(recall, int) else None


def load_definition(questionnaire: dict) -> Definition:
    """Read one Questionnaire; ``InstrumentError`` when the engine cannot run it."""
    if questionnaire.get("resourceType") != "Questionnaire":
        raise InstrumentError("not a Questionnaire")
    code = questionnaire.get("id")
    version = questionnaire.get("version")
    if not code or not version:
        raise InstrumentError("a Questionnaire needs an id (the instrument code) and a version")
    kind = _ext_value(questionnaire, EXT_KIND)
    if kind not in KINDS:
        raise InstrumentError(f"{code}: kind {kind!r} is not one of {KINDS}")
    items = tuple(_read_item(raw) for raw in questionnaire.get("item", []))
    by_id: dict[str, Item] = {}
    parents: dict[str, str] = {}

    def index(children: Iterable[Item], parent: str | None) -> None:
        for item in children:
            if item.link_id in by_id:
                raise InstrumentError(f"{code}: linkId {item.link_id} appears twice")
            by_id[item.link_id] = item
            if parent:
                parents[item.link_id] = parent
            index(item.items, item.link_id)

    index(items, None)
    rules = tuple(_read_score(e) for e in _ext(questionnaire, EXT_SCORE))
    for item in by_id.values():
        for cond in item.enable_when:
            if cond.question not in by_id:
                raise InstrumentError(f"{code}: {item.link_id} enableWhen refers to unknown {cond.question}")
    _refuse_enable_when_cycles(code, by_id, parents)
    seen_scores: set[str] = set()
    for rule in rules:
        for link_id in rule.items:
            if link_id not in by_id or by_id[link_id].type not in ANSWER_TYPES:
                raise InstrumentError(f"{code}: score {rule.code} sums unknown item {link_id}")
        if rule.method == "calculator" and (rule.calculator not in CALCULATORS or not rule.output):
            raise InstrumentError(f"{code}: score {rule.code} needs a known calculator and an output")
        for link_id in rule.inputs.values():
            if link_id not in by_id:
                raise InstrumentError(f"{code}: score {rule.code} reads unknown item {link_id}")
        if rule.expression is not None:
            functions = {id(n.func) for n in ast.walk(rule.expression) if isinstance(n, ast.Call)}
            for node in ast.walk(rule.expression):
                if isinstance(node, ast.Name) and id(node) not in functions and node.id not in seen_scores:
                    raise InstrumentError(f"{code}: score {rule.code} uses {node.id} before it is scored")
                if isinstance(node, ast.Call) and node.func.id == "item":  # type: ignore[attr-defined]
                    arg = node.args[0] if node.args else None
                    if not (isinstance(arg, ast.Constant) and arg.value in by_id):
                        raise InstrumentError(f"{code}: score {rule.code} reads an unknown item")
        seen_scores.add(rule.code.replace("-", "_"))
    return Definition(
        code=code,
        version=version,
        url=questionnaire.get("url") or QUESTIONNAIRE_BASE + code,
        kind=kind,
        medical=bool(_ext_value(questionnaire, EXT_MEDICAL, False)),
        private_to_author=bool(_ext_value(questionnaire, EXT_PRIVATE, False)),
        follow_up=_follow_up_code(_ext_value(questionnaire, EXT_FOLLOW_UP)),
        source=_ext_value(questionnaire, EXT_SOURCE, ""),
        licence=_ext_value(questionnaire, EXT_LICENCE, "") or questionnaire.get("copyright", ""),
        wording=_ext_value(questionnaire, EXT_WORDING, "modelled"),
        translations=_ext_value(questionnaire, EXT_TRANSLATIONS, "working"),
        questionnaire=questionnaire,
        items=items,
        rules=rules,
        recall_days=_instrument_recall(code, questionnaire),
        _titles=_translations(questionnaire.get("title"), questionnaire.get("_title")),
        _by_id=by_id,
        _parents=parents,
    )


# --------------------------------------------------------------------------- the shipped catalogue


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


@lru_cache(maxsize=1)
def all_definitions() -> tuple[Definition, ...]:
    """Every shipped instrument version (each ``instruments/*.json``), sorted by code and version."""
    found = []
    for path in sorted(INSTRUMENT_DIR.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            try:
                found.append(load_definition(json.load(fh)))
            except InstrumentError as exc:
                raise InstrumentError(f"{path.name}: {exc}") from exc
    keys = [(d.code, d.version) for d in found]
    if len(set(keys)) != len(keys):
        raise InstrumentError("two instrument files carry the same code and version")
    return tuple(sorted(found, key=lambda d: (d.code, _version_key(d.version))))


def catalogue() -> dict[str, Definition]:
    """Every shipped instrument, newest version per code."""
    newest: dict[str, Definition] = {}
    for d in all_definitions():
        newest[d.code] = d  # sorted ascending, so the last one wins
    return newest


def definition(code: str, version: str | None = None) -> Definition:
    """One instrument (newest version unless ``version``); ``KeyError`` when unknown."""
    if version is None:
        return catalogue()[code]
    for d in all_definitions():
        if d.code == code and d.version == version:
            return d
    raise KeyError(f"{code}|{version}")
