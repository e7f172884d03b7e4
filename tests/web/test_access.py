"""Every page checks access the way the API does; a refusal is audited and explained (C5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careweave.access.models import AuditEvent, BreakGlass

pytestmark = pytest.mark.django_db

PERSON_PAGES = [
    "plan",
    "plan_edit",
    "plan_review",
    "agreement_add",
    "life_goal_add",
    "goal_add",
    "task_add",
    "journal",
    "team",
    "privacy",
    "print_plan",
    "plan_pdf",
    "ring_the_bell",
]


def _url(name: str, person) -> str:  # noqa: ANN001
    return reverse(f"web:{name}", args=[person.fhir_id])


@pytest.mark.parametrize("page", PERSON_PAGES)
def test_a_stranger_is_refused_with_an_explanation_and_the_refusal_is_audited(cast, client_for, page):
    response = client_for("stranger").get(_url(page, cast.maria))
    assert response.status_code == 403
    assert "care relationship" in response.content.decode()
    refusal = AuditEvent.objects.filter(person=cast.maria, user__username="stranger", outcome="denied")
    assert refusal.exists(), "the person must be able to see the refused attempt"


@pytest.mark.parametrize("page", PERSON_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(cast, client, page):
    response = client.get(_url(page, cast.maria))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_a_refused_write_changes_nothing_and_is_audited(cast, client_for):
    response = client_for("stranger").post(_url("journal", cast.maria), {"text": "Hello"})
    assert response.status_code == 403
    assert cast.plan.journal.count() == 1
    assert AuditEvent.objects.filter(user__username="stranger", outcome="denied", action="U").exists()


def test_a_care_professional_without_relationship_is_offered_emergency_access(cast, client_for):
    body = client_for("stranger").get(_url("plan", cast.maria)).content.decode()
    assert reverse("web:break_glass", args=[cast.maria.fhir_id]) in body


def test_a_welfare_professional_outside_the_team_is_not_offered_emergency_access(cast, client_for):
    body = client_for("socialworker").get(_url("plan", cast.godelieve)).content.decode()
    assert "break-glass-link" not in body


def test_team_members_open_the_plan_and_the_read_is_audited(cast, client_for):
    response = client_for("gp").get(_url("plan", cast.maria))
    assert response.status_code == 200
    assert "Dagelijks 20 minuten wandelen" in response.content.decode()
    read = AuditEvent.objects.filter(person=cast.maria, user=cast.gp.user, action="R", outcome="success")
    assert read.filter(basis="care_relationship", channel="web").exists()


def test_welfare_professionals_do_not_see_medical_detail(cast, client_for):
    body = client_for("socialworker").get(_url("plan", cast.maria)).content.decode()
    assert "Dagelijks 20 minuten wandelen" in body
    assert "HbA1c" not in body
    assert 'data-test="hidden-medical"' in body


def test_opening_a_medical_goal_without_full_access_is_refused_and_audited(cast, client_for):
    url = reverse("web:goal_edit", args=[cast.maria.fhir_id, cast.medical_goal.pk])
    response = client_for("socialworker").get(url)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(user=cast.social.user, resource_type="Goal", outcome="denied").exists()


def test_the_informal_carer_does_not_see_medical_detail_but_the_representative_does(cast, client_for):
    carer = client_for("carer")
    assert "HbA1c" not in carer.get(_url("plan", cast.maria)).content.decode()
    cast.gp.user.refresh_from_db()
    from careweave.careplans import actions

    mother_plan = cast.godelieve.care_plans.get()
    actions.add_goal(cast.gp.user, mother_plan, "Bloeddruk opvolgen", is_medical=True)
    assert "Bloeddruk opvolgen" in carer.get(_url("plan", cast.godelieve)).content.decode()


def test_only_the_person_or_representative_sees_the_privacy_page(cast, client_for):
    assert client_for("person").get(_url("privacy", cast.maria)).status_code == 200
    assert client_for("carer").get(_url("privacy", cast.godelieve)).status_code == 200
    refused = client_for("gp").get(_url("privacy", cast.maria))
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(user=cast.gp.user, resource_type="Consent", outcome="denied").exists()


def test_the_case_manager_reads_the_plan_without_being_a_team_member(cast, client_for):
    body = client_for("casemanager").get(_url("plan", cast.godelieve)).content.decode()
    assert "Thuis wonen met dementie" in body
    assert "case manager" in body
    assert AuditEvent.objects.filter(user=cast.case_manager.user, basis="case_management", action="R").exists()
    assert client_for("casemanager").get(_url("plan", cast.maria)).status_code == 403


def test_emergency_access_needs_a_reason_lasts_and_is_shown_to_the_person(cast, client_for):
    stranger = client_for("stranger")
    url = reverse("web:break_glass", args=[cast.maria.fhir_id])
    short = stranger.post(url, {"reason": "urgent"})
    assert short.status_code == 200
    assert not BreakGlass.objects.exists()
    response = stranger.post(url, {"reason": "Found unconscious at home, need medication list"})
    assert response.status_code == 302
    plan_page = stranger.get(_url("plan", cast.maria)).content.decode()
    assert 'data-test="break-glass-banner"' in plan_page
    person_view = client_for("person")
    assert "Found unconscious at home" in person_view.get(_url("plan", cast.maria)).content.decode()
    privacy = person_view.get(_url("privacy", cast.maria)).content.decode()
    assert 'data-test="break-glass-list"' in privacy
    assert "Bart Vreemd" in privacy


def test_emergency_access_is_refused_to_a_welfare_professional(cast, client_for):
    response = client_for("socialworker").post(
        reverse("web:break_glass", args=[cast.godelieve.fhir_id]), {"reason": "I really need to see this file"}
    )
    assert response.status_code == 403
    assert not BreakGlass.objects.exists()
    assert AuditEvent.objects.filter(user=cast.social.user, person=cast.godelieve, outcome="denied").exists()


def test_the_ssin_lookup_is_audited_for_the_person(cast, client_for):
    response = client_for("stranger").get(reverse("web:emergency"), {"ssin": cast.maria.ssin})
    assert 'data-test="found"' in response.content.decode()
    assert AuditEvent.objects.filter(user__username="stranger", person=cast.maria, action="E").exists()


def test_zone_pages_are_for_zone_staff_only(cast, client_for):
    assert client_for("zonestaff").get(reverse("web:zone")).status_code == 200
    assert client_for("gp").get(reverse("web:zone")).status_code == 403
    assert client_for("gp").get(reverse("web:zone_registry")).status_code == 403
    assert client_for("gp").get(reverse("web:admin_home")).status_code == 403
