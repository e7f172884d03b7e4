"""The plan's "from other systems" box: only what other systems sent, numbers in the reader's language (issue 18.14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from careweave.records.models import StoredResource

pytestmark = pytest.mark.django_db


def _observation(person, source_id: str, text: str, value: float, unit: str) -> None:  # noqa: ANN001
    StoredResource.objects.create(
        resource_type="Observation", source_id=source_id, patient=person,
        clinical_date=datetime(2026, 11, 2, 9, tzinfo=UTC),
        data={"resourceType": "Observation", "status": "final", "code": {"text": text},
              "valueQuantity": {"value": value, "unit": unit}})


def test_the_box_shows_other_systems_only_with_local_numbers(cast, client_for) -> None:  # noqa: ANN001
    maria = cast.maria
    _observation(maria, "careweave-assessment/abc/total", "PHQ-9 total score", 5.0, "{score}")
    _observation(maria, "urn:uuid:0f3c2a4e-1111-4222-8333-444455556666", "Body weight", 81.5, "kg")
    _observation(maria, "urn:uuid:0f3c2a4e-1111-4222-8333-444455556667", "Pain severity", 5.0, "{score}")
    html = client_for("gp", "nl").get(reverse("web:plan", args=[maria.fhir_id])).content.decode()
    box = html.split('data-test="other-systems"', 1)[1].split("</section>", 1)[0]
    assert "Body weight: 81,5 kg" in box
    assert "Pain severity: 5<" in box or "Pain severity: 5 " in box
    assert "PHQ-9 total score" not in box, "Careweave's own scores are not from other systems"
    assert "{score}" not in box and "5.0" not in box and "81.5" not in box
