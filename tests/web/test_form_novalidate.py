"""Every form lets the server speak: no browser bubbles in English on a Dutch page (issue 11.5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "careweave"
FORM_TAG = re.compile(r"<form\b[^>]*>", re.DOTALL)


def _form_tags() -> list[tuple[str, str]]:
    tags = []
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for tag in FORM_TAG.findall(template.read_text()):
            tags.append((str(template.relative_to(TEMPLATES)), tag))
    return tags


def test_the_templates_have_forms_to_check() -> None:
    assert len(_form_tags()) > 20


@pytest.mark.parametrize(("template", "tag"), _form_tags())
def test_every_form_in_every_template_has_novalidate(template: str, tag: str) -> None:
    assert re.search(r"\snovalidate\b", tag), f"{template}: {tag}"


@pytest.mark.django_db
def test_a_dutch_user_gets_the_servers_dutch_message_for_an_empty_required_field(client_for, cast) -> None:  # noqa: ANN001
    """With novalidate the browser submits; the page then shows the server's (translated) message."""
    client = client_for("gp", language="nl")
    url = reverse("web:life_goal_add", args=[cast.maria.fhir_id])
    page = client.get(url).content.decode()
    assert "novalidate" in page.split('id="main"', 1)[1].split("</form>", 1)[0]
    response = client.post(url, {"text": ""})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
