"""Real-browser tests: Playwright driving Debian's Chromium against Django's live server.

Skipped with a reason when ``/usr/bin/chromium`` is missing, except on CI (``CI=true``), where a
missing browser is a failure. axe-core comes from npm (``make assets``) and is injected into the
page to check accessibility; screenshots of the main screens go to ``docs/screenshots/``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def demo(transactional_db, settings) -> dict:  # noqa: ANN001
    """The demo zone (the lead's loader), with the demo accounts listed on the login page."""
    settings.CAREWEAVE_DEMO = True
    from careweave.demo import DEMO_PASSWORD
    from tests.conftest import demo_zone_in_database

    demo_zone_in_database(persons=200, seed=42)
    return {"password": DEMO_PASSWORD}


def _signed_in(context, site: str, username: str | None, password: str, *, timeout: int) -> object:  # noqa: ANN001
    """A new page of ``context`` on the login form, signed in as ``username`` (left there when None), with the
    Content-Security-Policy errors of its console collected on ``page.csp_errors``."""
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.csp_errors = []
    page.on("console", lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{site}/login/")
    if username:
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("[data-test=login-submit]")
        page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def open_page(browser, live_server, demo) -> Iterator[Callable[..., object]]:  # noqa: ANN001
    """A fresh browser context per user, logged in through the login form; CSP violations are collected."""
    contexts = []

    def open_(username: str | None, *, viewport: tuple[int, int] = (1280, 900), axe: bool = False) -> object:
        # axe-core is injected as an inline script, which the CSP rightly forbids: only those contexts bypass it.
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=axe, locale="en-GB"
        )
        contexts.append(context)
        return _signed_in(context, live_server.url, username, demo["password"], timeout=15_000)

    yield open_
    for context in contexts:
        context.close()


LOCALES = {"nl": "nl-BE", "fr": "fr-BE", "de": "de-BE", "en": "en-GB"}


@pytest.fixture
def login(browser, live_server, demo) -> Iterator[Callable[..., object]]:  # noqa: ANN001
    """A page logged in as a demo user who chose ``language``, in a Chromium of that locale (nl-BE, fr-BE...).

    ``bypass_csp`` for pages axe-core checks (it is injected inline, which the CSP forbids); CSP errors are
    collected on ``page.csp_errors`` otherwise."""
    from django.contrib.auth.models import User

    from careweave.web.models import UserPreference

    contexts = []

    def open_(username: str, language: str, width: int = 1280, *, bypass_csp: bool = False,
              accept_downloads: bool = False, timeout: int = 15_000) -> object:
        UserPreference.objects.update_or_create(user=User.objects.get(username=username),
                                                defaults={"language": language})
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=LOCALES[language],
                                      bypass_csp=bypass_csp, accept_downloads=accept_downloads)
        contexts.append(context)
        return _signed_in(context, live_server.url, username, demo["password"], timeout=timeout)

    yield open_
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:  # noqa: ANN001
    """Serious and critical axe-core violations of the page (WCAG 2.x A/AA rules)."""
    if not AXE.exists():
        _missing(f"{AXE} is missing: run `make assets` (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, name: str) -> None:  # noqa: ANN001
    violations = axe_violations(page)
    assert not violations, f"{name}: " + json.dumps(violations, indent=1)


def screenshot(page, name: str, *, full_page: bool = False) -> None:  # noqa: ANN001
    """Save a screenshot where ``screenshot_dir`` says (docs/screenshots with CAREWEAVE_SCREENSHOTS=1)."""
    target = REPO / ("docs" if os.environ.get("CAREWEAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=full_page)
