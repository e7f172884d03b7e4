"""The domain tests' cast (a person, professionals, a zone and its staff), plus programme helpers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from domain.conftest import *  # noqa: F403 - the shared fixtures (person, gp, nurse, zone_staff, join...)

from careweave.programmes.actions import sync_shipped_pathways, usable_versions
from careweave.programmes.models import PathwayVersion


@pytest.fixture
def pathways(db) -> dict[str, PathwayVersion]:  # noqa: ANN001
    sync_shipped_pathways()
    return {v.pathway.code: v for v in usable_versions()}


@pytest.fixture
def today() -> date:
    return date.today()


def days(n: int) -> date:
    return date.today() + timedelta(days=n)
