"""The twelve dimensions of the SCIROCCO Exchange maturity model, as data (``dimensions.json``).

Names follow the public model (001 l.7647-7669 names the B3 model; the seeds give the Dutch names of
dimension 1 "Bereidheid tot verandering" l.7842 and 8 "zelfregie en empowerment" l.4773); questions and
level texts are Careweave's own short wording in nl/fr/de/en, kept structurally identical (C13-R12).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).with_name("dimensions.json")
SCORES = range(0, 6)  # 0-5, the public model's scale (C13-R15: 0 exists)


def _pick(texts: dict[str, str]) -> str:
    language = (get_language() or "en").split("-")[0]
    return texts.get(language) or texts["en"]


@dataclass(frozen=True)
class Dimension:
    code: str
    number: int
    names: dict
    questions: dict
    level_texts: tuple

    @property
    def name(self) -> str:
        return _pick(self.names)

    @property
    def question(self) -> str:
        return _pick(self.questions)

    def levels(self) -> list[tuple[int, str]]:
        return [(score, _pick(texts)) for score, texts in enumerate(self.level_texts)]


@cache
def raw() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def dimensions() -> tuple[Dimension, ...]:
    return tuple(
        Dimension(d["code"], d["number"], d["name"], d["question"], tuple(level["text"] for level in d["levels"]))
        for d in raw()["dimensions"]
    )


@cache
def codes() -> tuple[str, ...]:
    return tuple(d.code for d in dimensions())


def by_code(code: str) -> Dimension | None:
    return next((d for d in dimensions() if d.code == code), None)
