"""Sources belong in docs and code comments, not on pages: no seed line numbers ("000 l.378"), no
requirement ids ("SEED-REQUIREMENTS C9"), no issue numbers and no raw codes ("gmd_65") as labels.

Crawls the demo from each role's home through the links a user can follow, and reads every page's
visible text (and the attributes a screen reader reads out).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-16")]

INTERNAL = re.compile(
    r"\b\d{3} l\.\s?\d"  # a seed document's line: 001 l.19180
    r"|\bl\.\d{2,}"  # l.378
    r"|SEED-REQUIREMENTS|\bC\d{1,2}-R\d+\b|\bC\d{1,2} §"  # requirement ids
    r"|\bissue #\d+"
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b"  # a raw code as a label: gmd_65, flu_vaccination_65
)
ROLES = ("person", "carer", "gp", "socialworker", "coordinator", "casemanager", "zonestaff", "physio", "admin")
SKIP = ("/static/", "/media/", "/logout", "/admin/", "/fhir/", "/i18n/", "/accounts/", "/assessments/sw.js")
PAGES_PER_ROLE = 45
SPOKEN = ("title", "alt", "aria-label", "placeholder")


class _Text(HTMLParser):
    """The text a user sees or hears, and the links to follow."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        self.parts.extend(values[name] or "" for name in SPOKEN if values.get(name))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


DEMO = {"persons": 16, "seed": 42}


@pytest.fixture
def demo(demo_zone: dict) -> dict:
    return demo_zone


def internal_references(html: str) -> list[str]:
    """The source references and raw codes in what a user sees or hears of ``html``."""
    parser = _Text()
    parser.feed(html)
    return sorted(set(INTERNAL.findall(" ".join(parser.parts))))


def _crawl(client: Client) -> dict[str, list[str]]:
    """Every page reachable by links (up to a limit) -> the internal references it shows."""
    found: dict[str, list[str]] = {}
    queue, seen = deque(["/"]), {"/"}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        html = response.content.decode()
        hits = internal_references(html)
        if hits:
            found[url] = hits
        parser = _Text()
        parser.feed(html)
        for href in parser.links:
            link = href.split("#")[0]
            if link.startswith("/") and not link.startswith(SKIP) and link not in seen and not link.endswith(".pdf"):
                seen.add(link)
                queue.append(link)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_source_reference_or_a_raw_code(demo, role: str) -> None:  # noqa: ANN001
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.get(username=role))
    assert _crawl(client) == {}
