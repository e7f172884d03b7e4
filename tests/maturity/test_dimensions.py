"""The model as data: the twelve public SCIROCCO Exchange dimensions, identical in nl/fr/de/en."""

from __future__ import annotations

from django.utils import translation

from careweave.maturity.dimensions import by_code, dimensions, raw

# Public SCIROCCO Exchange Maturity Model for Integrated Care (sciroccoexchange.com; IJIC doi 10.5334/ijic.7747).
PUBLIC_NAMES = [
    "Readiness to change", "Structure & governance", "Digital infrastructure", "Process coordination", "Funding",
    "Removal of inhibitors", "Population approach", "Citizen empowerment", "Evaluation methods",
    "Breadth of ambition", "Innovation management", "Capacity building",
]


def test_the_twelve_dimensions_of_the_public_model_in_its_order() -> None:
    assert [d.names["en"] for d in dimensions()] == PUBLIC_NAMES
    assert [d.number for d in dimensions()] == list(range(1, 13))
    assert len({d.code for d in dimensions()}) == 12


def test_dutch_names_from_the_seeds() -> None:
    assert dimensions()[0].names["nl"] == "Bereidheid tot verandering"  # 001 l.7842
    assert dimensions()[7].names["nl"].lower() == "zelfregie en empowerment"  # 001 l.4773


def test_every_text_exists_in_every_language_with_six_levels_0_to_5() -> None:
    languages = raw()["languages"]
    assert set(languages) == {"nl", "fr", "de", "en"}
    for d in raw()["dimensions"]:
        assert [level["score"] for level in d["levels"]] == [0, 1, 2, 3, 4, 5]
        texts = [d["name"], d["question"], *(level["text"] for level in d["levels"])]
        for text in texts:
            assert set(text) == set(languages), d["code"]
            assert all(text[lang].strip() for lang in languages), d["code"]


def test_nl_and_fr_versions_are_structurally_identical_and_really_translated() -> None:
    for d in raw()["dimensions"]:
        nl = [d["name"]["nl"], d["question"]["nl"], *(lv["text"]["nl"] for lv in d["levels"])]
        fr = [d["name"]["fr"], d["question"]["fr"], *(lv["text"]["fr"] for lv in d["levels"])]
        assert len(nl) == len(fr) == 8
        # the Dutch and French texts are different texts (no copy of one language in the other)
        assert all(a != b for a, b in zip(nl[1:], fr[1:], strict=True)), d["code"]
        # levels of one dimension say different things
        assert len(set(nl[2:])) == 6 and len(set(fr[2:])) == 6


def test_the_reader_gets_their_own_language() -> None:
    with translation.override("fr"):
        assert by_code("funding").name == "Financement"
        assert by_code("funding").levels()[0] == (0, "Aucun moyen pour l'intégration.")
    with translation.override("de"):
        assert by_code("capacity_building").name == "Kompetenzaufbau"
    assert by_code("nonsense") is None
