"""Reading what someone types in the social map's search box (issue 18.29).

"kinesitherapeut", "kinésithérapeute" or "nearest physiotherapist who speaks French" name a discipline
and a language rather than words in a service's name. The words are data (``search_words.json``,
plus every discipline's label in the four languages); what is left after taking them out is searched
in names and descriptions as before.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

from careweave.people.models import Discipline

WORDS = Path(__file__).with_name("search_words.json")
MIN_STEM = 5


def normalise(text: str) -> str:
    """Lower case without accents, so "Kinésithérapeute" and "kinesitherapeute" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Reading:
    discipline: str = ""
    language: str = ""
    words: list[str] = field(default_factory=list)


@cache
def _vocabulary() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    data = json.loads(WORDS.read_text(encoding="utf-8"))
    disciplines = {normalise(w): code for code, words in data["disciplines"].items() for w in words}
    for code, _label in Discipline.choices:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                disciplines.setdefault(normalise(str(Discipline(code).label)), code)
    languages = {normalise(w): code for code, words in data["languages"].items() for w in words}
    return disciplines, languages, frozenset(normalise(w) for w in data["fillers"])


def _match(word: str, vocabulary: dict[str, str]) -> str:
    if word in vocabulary:
        return vocabulary[word]
    for entry, code in vocabulary.items():
        if " " not in entry and len(entry) >= MIN_STEM and (word.startswith(entry) or entry.startswith(word)
                                                               and len(word) >= MIN_STEM + 2):
            return code
    return ""


def interpret(text: str) -> Reading:
    """Take the discipline, the language and filler words out of ``text``; keep the other words."""
    disciplines, languages, fillers = _vocabulary()
    rest = " " + normalise(text) + " "
    reading = Reading()
    # Phrases of several words first ("médecin généraliste", "sage femme").
    for phrase in sorted((p for p in disciplines if " " in p), key=len, reverse=True):
        if f" {phrase} " in rest and not reading.discipline:
            reading.discipline = disciplines[phrase]
            rest = rest.replace(f" {phrase} ", " ")
    for word in re.findall(r"[\w'-]+", rest):
        if not reading.discipline and (code := _match(word, disciplines)):
            reading.discipline = code
        elif not reading.language and (code := _match(word, languages)):
            reading.language = code
        elif word not in fillers and len(word) > 1:
            reading.words.append(word)
    return reading
