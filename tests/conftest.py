"""Shared test fixtures.

``../shared`` (seeds, FHIR profiles, Synthea bundles) sits beside the repository on developer
machines and in CI, never on a user's machine: tests that need it skip with a reason when it
is absent, and fail instead when ``CI=true``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


# --- real-browser tests -----------------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("CAREWEAVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run (Playwright's sync API allows one per thread)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``docs/screenshots`` (the README's pictures) with CAREWEAVE_SCREENSHOTS=1, else ``var/screenshots``.

    So an ordinary ``make test`` leaves the working tree clean; ``make screenshots`` refreshes the docs.
    """
    target = REPO / ("docs" if os.environ.get("CAREWEAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline() -> Iterator[None]:
    """Background jobs run inline in tests (ImmediateBackend); a test that wants the real database queue sets
    ``settings.TASKS`` itself (tests/jobs/test_worker.py). Settings are read before this file, hence an override."""
    from django.test import override_settings

    inline = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    with override_settings(TASKS=inline):
        yield
