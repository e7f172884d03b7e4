"""Login, lockout, security headers and the rules the templates keep (no inline script or style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import careweave.web
from web.scenario import PASSWORD

pytestmark = pytest.mark.django_db

TEMPLATES = Path(careweave.web.__file__).parent / "templates"


def test_login_lists_the_demo_accounts_only_in_the_demo(cast, settings):
    settings.CAREWEAVE_DEMO = False
    assert 'data-test="demo-person"' not in Client().get(reverse("web:login")).content.decode()
    settings.CAREWEAVE_DEMO = True
    body = Client().get(reverse("web:login")).content.decode()
    for username in ("person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff"):
        assert f'data-test="demo-{username}"' in body


def test_login_and_logout(cast):
    client = Client()
    response = client.post(reverse("web:login"), {"username": "person", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:plan", args=[cast.maria.fhir_id])
    assert client.get(reverse("web:logout")).status_code == 405, "logging out needs a POST (CSRF-protected)"
    client.post(reverse("web:logout"))
    assert client.get(reverse("web:caseload")).status_code == 302


def test_a_wrong_password_is_explained_next_to_the_form(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    body = client.post(reverse("web:login"), {"username": "person", "password": "nope"}).content.decode()
    assert "Please enter a correct username and password" in body


def test_five_failures_make_that_address_wait_with_an_explanation(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        client.post(reverse("web:login"), {"username": "gp", "password": "wrong"})
    response = client.post(reverse("web:login"), {"username": "gp", "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please wait before you try again" in body
    assert "You can try again at" in body and "in 1 minute." in body
    assert 0 < int(response["Retry-After"]) <= 60
    for _ in range(15):  # twenty failures in all
        client.post(reverse("web:login"), {"username": "gp", "password": "wrong"})
    # The doctor herself, at her practice, is not locked out by whoever tried from 203.0.113.7.
    own = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.44")
    assert own.post(reverse("web:login"), {"username": "gp", "password": PASSWORD}).status_code == 302


def test_pages_send_a_strict_content_security_policy(cast, client_for):
    response = client_for("person").get(reverse("web:plan", args=[cast.maria.fhir_id]))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style():
    offenders = []
    # Every app's templates: the CSP applies to all pages (web, population, admin overrides).
    for path in sorted(TEMPLATES.parents[1].glob("*/templates/**/*.html")):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style", text):
            offenders.append(f"{path.name}: inline script/style")
        if re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path.name}: inline style or event handler attribute")
    assert not offenders, offenders


def test_every_form_that_posts_carries_a_csrf_token():
    missing = []
    # Every app's templates: the CSP applies to all pages (web, population, admin overrides).
    for path in sorted(TEMPLATES.parents[1].glob("*/templates/**/*.html")):
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", path.read_text(), re.S):
            if "csrf_token" not in form:
                missing.append(path.name)
    assert not missing, missing


def test_pages_work_without_htmx(cast, client_for, monkeypatch):
    """htmx is an enhancement: without the vendored file the page has no script tag for it and still works."""
    from careweave.web.templatetags import careweave as tags

    monkeypatch.setattr(tags.finders, "find", lambda path: None)
    body = client_for("person").get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    assert "htmx.min.js" not in body
    assert '<form novalidate method="post" action="' + reverse("web:journal", args=[cast.maria.fhir_id]) in body


def test_the_plan_page_needs_a_bounded_number_of_queries(cast, client_for):
    """A guard against N+1 queries: more goals and tasks must not mean more queries."""
    from careweave.careplans import actions

    client = client_for("gp")
    url = reverse("web:plan", args=[cast.maria.fhir_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        goal = actions.add_goal(cast.gp.user, cast.plan, f"Extra goal {i}")
        actions.assign_task(
            cast.gp.user, cast.plan, f"Extra task {i}", goal=goal, assignee=cast.member(professional=cast.nurse)
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) <= len(small) + 2, f"{len(small)} queries grew to {len(large)}"
    assert len(small) < 60


def test_unknown_pages_get_a_friendly_404(cast, client_for):
    response = client_for("person").get("/persons/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
