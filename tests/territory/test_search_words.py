"""Typed words on the social map: disciplines and languages by their names in four languages (issue 18.29)."""

from __future__ import annotations

import pytest

from careweave.territory import actions
from careweave.territory.query import interpret

pytestmark = pytest.mark.django_db

NINOVE = (50.8283, 4.0247)


def names(hits: list[actions.Hit]) -> list[str]:
    return [h.service.name for h in hits]


@pytest.mark.parametrize("typed", ["kinesitherapeut", "kinésithérapeute", "Physiotherapeut", "physiotherapist",
                                   "fysiotherapeut", "kiné"])
def test_a_discipline_typed_in_any_language_finds_its_services(physios: dict, typed: str) -> None:
    found = names(actions.search_services(text=typed, near=NINOVE))
    assert set(found) == {"Kiné Denderleeuw", "Kiné Bruxelles", "Kine Ninove"}, typed


def test_a_question_in_words_filters_like_the_form(physios: dict) -> None:
    found = names(actions.search_services(text="nearest physiotherapist who speaks French", near=NINOVE))
    assert found == ["Kiné Denderleeuw", "Kiné Bruxelles"]
    assert names(actions.search_services(text="kiné qui parle français", near=NINOVE)) == found
    assert names(actions.search_services(text="diëtist", near=NINOVE)) == ["Diëtist Ninove"]


def test_other_words_still_search_names_and_places(physios: dict) -> None:
    assert names(actions.search_services(text="Bruxelles")) == ["Kiné Bruxelles"]
    assert names(actions.search_services(text="kinesitherapeut Denderleeuw")) == ["Kiné Denderleeuw"]


def test_the_reading_keeps_what_it_does_not_know() -> None:
    reading = interpret("Hausarzt der Französisch spricht in Eupen")
    assert (reading.discipline, reading.language, reading.words) == ("gp", "fr", ["eupen"])
    assert interpret("médecin généraliste").discipline == "gp"
    assert interpret("sage-femme").discipline == "midwife"
