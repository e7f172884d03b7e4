"""Linking (issue #20): every person_id is a keyed pseudonym, and Careweave's demo persons are part of the
zone's population set under theirs, so the zone's care work and the claims-like set speak of the same people."""

from __future__ import annotations

import pandas as pd
import pytest

from careweave.population import pseudonyms
from careweave.population.api import careweave_persons, ensure_demo_population
from careweave.population.generator import LinkedPerson, generate

pytestmark = pytest.mark.xdist_group("demo-60")
DEMO = {"persons": 60, "seed": 42}


def _persons(path) -> pd.DataFrame:
    return pd.read_parquet(path / "persons")


def test_person_ids_are_pseudonyms_of_synthetic_ssins_and_linked_persons_keep_their_demographics(tmp_path) -> None:
    maria = LinkedPerson("59021512345", 1959, "F", 41048)
    generate(300, 4, tmp_path, zone="ZORA", linked=[maria])
    persons = _persons(tmp_path)
    assert len(persons) == 300 and persons["person_id"].is_unique
    expected = pseudonyms.pseudonym_ids(pseudonyms.synthetic_ssins(2, 299), "ZORA")
    assert set(persons["person_id"]) == {pseudonyms.pseudonym_id(maria.ssin, "ZORA"), *expected}
    row = persons[persons["person_id"] == pseudonyms.pseudonym_id(maria.ssin, "ZORA")].iloc[0]
    assert (int(row["birth_year"]), row["sex"], int(row["nis"])) == (1959, "F", 41048)
    # nothing of the SSIN in the files
    assert not any("59021512345" in str(v) for v in persons.astype(str).to_numpy().ravel())


def test_synthetic_ssins_never_look_like_real_ones() -> None:
    for ssin in pseudonyms.synthetic_ssins(1, 50) + pseudonyms.synthetic_ssins(119_999_990, 20):
        assert len(ssin) == 11 and 61 <= int(ssin[2:4]) <= 72


def test_the_demo_zones_persons_are_in_its_population_set(demo_zone, tmp_path) -> None:  # noqa: ANN001
    from careweave.people.models import Person

    linked = careweave_persons("ZORA")
    assert len(linked) >= 30
    manifest = ensure_demo_population(tmp_path, persons=800, seed=2)
    assert manifest["linked_persons"] == len(linked)
    ids = set(_persons(tmp_path)["person_id"])
    maria = Person.objects.get(given_name="Maria", family_name="Peeters")
    assert pseudonyms.pseudonym_id(maria.ssin, "ZORA") in ids
    # a changed demo person regenerates the set; the same one does not
    again = ensure_demo_population(tmp_path, persons=800, seed=2)
    assert again["generated_at"] == manifest["generated_at"]
    Person.objects.filter(pk=maria.pk).update(birth_date=maria.birth_date.replace(year=maria.birth_date.year - 1))
    assert ensure_demo_population(tmp_path, persons=800, seed=2)["linked_fingerprint"] != manifest["linked_fingerprint"]
