"""Keyed pseudonyms: stable per zone and key, different across zones and keys, no SSIN in them."""

from __future__ import annotations

import pytest

from careweave.population import pseudonyms

SSIN = "85.07.30-033.28"


@pytest.fixture(autouse=True)
def key(monkeypatch) -> None:
    monkeypatch.setenv("CAREWEAVE_PSEUDONYM_KEY", "test-master-key")
    pseudonyms.zone_key.cache_clear()
    yield
    pseudonyms.zone_key.cache_clear()


def test_the_same_person_has_the_same_pseudonym_in_every_data_set_of_a_zone() -> None:
    assert pseudonyms.pseudonym_id(SSIN, "ZORA") == pseudonyms.pseudonym_id("85073003328", "ZORA")
    assert pseudonyms.pseudonym_text(SSIN, "ZORA") == f"{pseudonyms.pseudonym_id(SSIN, 'ZORA'):016x}"
    assert 0 < pseudonyms.pseudonym_id(SSIN, "ZORA") < 2 ** 63


def test_another_zone_or_another_secret_gives_another_pseudonym(monkeypatch) -> None:
    zora = pseudonyms.pseudonym_id(SSIN, "ZORA")
    assert pseudonyms.pseudonym_id(SSIN, "OTHER") != zora
    monkeypatch.setenv("CAREWEAVE_PSEUDONYM_KEY", "another-key")
    pseudonyms.zone_key.cache_clear()
    assert pseudonyms.pseudonym_id(SSIN, "ZORA") != zora


def test_a_pseudonym_does_not_contain_the_ssin_and_bad_input_is_refused() -> None:
    assert "85073003328" not in pseudonyms.pseudonym_text(SSIN, "ZORA")
    with pytest.raises(ValueError):
        pseudonyms.pseudonym_id("123", "ZORA")
