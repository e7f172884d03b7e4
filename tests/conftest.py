"""Shared test fixtures.

``../shared`` (seeds, FHIR profiles, Synthea bundles) sits beside the repository on developer
machines and in CI, never on a user's machine: tests that need it skip with a reason when it
is absent, and fail instead when ``CI=true``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CAREWEAVE_SHARED", REPO.parent / "shared"))


def require_shared(*parts: str) -> Path:
    """Return a path under ../shared, skipping (or failing on CI) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is not present: it lives beside the repository on developer machines and in CI"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture
def synthea_dir() -> Path:
    return require_shared("data", "synthea-r4")
