""""Who looked at my file" says what was looked at in words, never a raw FHIR type name (issue 18.28)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from careweave.access.audit import record_access
from careweave.web.templatetags.careweave import RESOURCES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "careweave"
AUDIT_CALLS = {"record_access", "audit_event", "audit_write", "require_access", "require_full",
               "get_person_or_refuse", "person_view"}


def _audited_types() -> set[str]:
    """Every resource type written literally into an audit call anywhere in the code."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in AUDIT_CALLS:
                continue
            values = [k.value for k in node.keywords if k.arg == "resource_type"]
            if name in {"record_access", "audit_event", "audit_write"} and len(node.args) >= 3:
                values.append(node.args[2])
            found.update(v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return found


def test_every_audited_type_has_words_for_the_person() -> None:
    missing = sorted(t for t in _audited_types() if t not in RESOURCES and not t.startswith("Population")
                     and t != "MaturityReport")
    assert not missing, f"add these to RESOURCES in careweave/web/templatetags/careweave.py: {missing}"


def test_the_person_reads_what_was_looked_at_in_her_language(cast, client_for) -> None:  # noqa: ANN001
    from careweave.territory.models import Location, Referral, Service

    maria = cast.maria
    location = Location.objects.create(name="Praktijk", postal_code="9400", municipality="Ninove",
                                       latitude=50.83, longitude=4.02)
    service = Service.objects.create(name="Kiné Ninove", discipline="physio", location=location)
    referral = Referral.objects.create(person=maria, service=service, requested_by=cast.gp.user, reason="rug")
    for resource_type in ("QuestionnaireResponse", "Appointment", "Claim", "Condition"):
        record_access(cast.gp.user, "read", resource_type, "1", person=maria)
    record_access(cast.gp.user, "create", "ServiceRequest", str(referral.fhir_id), person=maria)
    page = client_for("person", "nl").get(reverse("web:privacy", args=[maria.fhir_id]))
    text = re.sub(r"<[^>]+>", " ", page.content.decode())  # what the person reads, not the markup's data-* codes
    assert page.status_code == 200
    for raw in ("QuestionnaireResponse", "Appointment", "Claim data", "Condition"):
        assert raw not in text, raw
    assert "doorverwijzing" in text
    assert "casemanagement" not in text
