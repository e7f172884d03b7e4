"""The SSIN look-up before emergency access is for active care professionals only (security issue 17, item 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careweave.access.decisions import may_break_glass
from careweave.access.models import AuditEvent

REFUSAL = "Only an active care professional can use emergency access."


@pytest.mark.parametrize("username", ["person", "carer", "zonestaff", "admin", "socialworker"])
def test_who_may_not_break_the_glass_cannot_look_anyone_up(cast, client_for, username):  # noqa: ANN001
    client = client_for(username)
    page = client.get(reverse("web:emergency"))
    assert page.status_code == 403
    assert REFUSAL in page.content.decode()
    lookup = client.get(reverse("web:emergency"), {"ssin": cast.godelieve.ssin})
    body = lookup.content.decode()
    assert lookup.status_code == 403
    assert REFUSAL in body
    assert "Godelieve" not in body
    refused = AuditEvent.objects.filter(user__username=username, outcome="denied", resource_type="Patient")
    assert refused.filter(person__isnull=True).exists()  # opening the page
    assert refused.filter(person=cast.godelieve, action="E").exists()  # the look-up, on her file


def test_the_refused_look_up_is_shown_to_the_person(cast, client_for):  # noqa: ANN001
    client_for("socialworker").get(reverse("web:emergency"), {"ssin": cast.maria.ssin})
    body = client_for("person").get(reverse("web:privacy", args=[cast.maria.fhir_id])).content.decode()
    assert "Karim El Amrani" in body
    assert "refused" in body


def test_a_care_professional_looks_up_and_the_look_up_is_on_the_found_persons_file(cast, client_for):  # noqa: ANN001
    response = client_for("stranger").get(reverse("web:emergency"), {"ssin": cast.godelieve.ssin})
    assert response.status_code == 200
    assert 'data-test="found"' in response.content.decode()
    assert 'data-test="break-glass-link"' in response.content.decode()
    assert AuditEvent.objects.filter(
        user__username="stranger", person=cast.godelieve, action="E", outcome="success"
    ).exists()


def test_a_deactivated_care_professional_may_not_look_up(cast, client_for):  # noqa: ANN001
    cast.stranger.active = False
    cast.stranger.save()
    assert client_for("stranger").get(reverse("web:emergency"), {"ssin": cast.maria.ssin}).status_code == 403


def test_only_care_professionals_are_offered_the_emergency_menu_link(cast, client_for):  # noqa: ANN001
    assert 'data-test="nav-emergency"' in client_for("stranger").get(reverse("web:caseload")).content.decode()
    for username in ("socialworker", "person", "carer", "zonestaff"):
        home = client_for(username).get(reverse("web:home"), follow=True).content.decode()
        assert reverse("web:emergency") not in home, username


def test_may_break_glass_names_the_rule(cast):  # noqa: ANN001
    assert may_break_glass(cast.stranger.user)
    assert may_break_glass(cast.gp.user)
    assert not may_break_glass(cast.social.user)
    assert not may_break_glass(cast.maria.user)
    assert not may_break_glass(cast.zone_staff)
    assert not may_break_glass(cast.admin)
