"""Security issue 17 item 13: HSTS behind the TLS proxy, and no cached copy of anything personal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.test import Client, override_settings
from django.urls import reverse

from careweave.access.models import ApiToken

ONE_YEAR = 365 * 24 * 60 * 60


def _no_store(response) -> bool:  # noqa: ANN001
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_personal_pages_and_the_pdf_are_not_stored(cast, client_for):  # noqa: ANN001
    gp = client_for("gp")
    for url in (
        reverse("web:caseload"),
        reverse("web:plan", args=[cast.maria.fhir_id]),
        reverse("web:plan_pdf", args=[cast.maria.fhir_id]),
    ):
        response = gp.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_csv_exports_and_refusals_are_not_stored(cast, client_for):  # noqa: ANN001
    export = client_for("zonestaff").get("/financing/reports/export.csv", {"payer": "riziv", "year": "2025"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert _no_store(export)
    refusal = client_for("socialworker").get(reverse("web:plan", args=[cast.godelieve.fhir_id]))
    assert refusal.status_code == 403 and _no_store(refusal)  # it names whose file it was


def test_fhir_reads_are_not_stored(cast):  # noqa: ANN001
    client = Client()
    token = ApiToken.issue(cast.gp.user)
    response = client.get(f"/fhir/R4/Patient/{cast.maria.fhir_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert _no_store(response)
    assert _no_store(client.get("/fhir/R4/metadata"))  # every /fhir/ answer, token or not


@override_settings(SECURE_HSTS_SECONDS=ONE_YEAR, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_although_the_proxy_speaks_plain_http_to_django(db):  # noqa: ANN001
    response = Client().get(reverse("web:login"))  # the test client is plain HTTP, like the proxy
    assert response["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains"


def test_no_hsts_without_https(db):  # noqa: ANN001
    assert not Client().get(reverse("web:login")).has_header("Strict-Transport-Security")


def _settings_with(environment: dict[str, str]) -> dict:
    code = (
        "import json, careweave.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))"
    )
    env = {**os.environ, "CAREWEAVE_SECRET_KEY": "test-only", **environment}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_careweave_https_turns_on_hsts_and_secure_cookies():
    on = _settings_with({"CAREWEAVE_HTTPS": "1"})
    assert on == {
        "SECURE_HSTS_SECONDS": ONE_YEAR,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    assert not _settings_with({"CAREWEAVE_HTTPS": "0"})["SECURE_HSTS_SECONDS"]
