"""The demo is reproducible: the same seed gives the same zone."""

from __future__ import annotations

import pytest

from careweave.demo import load_demo
from careweave.people.models import Person

pytestmark = pytest.mark.django_db


def test_same_seed_same_demo() -> None:
    load_demo(persons=16, seed=7)
    first = list(Person.objects.order_by("ssin").values_list("ssin", "given_name", "family_name"))
    assert len(first) == 16
