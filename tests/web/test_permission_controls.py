"""Issue 17: a page shows a control only when the permission table lets the viewer use it."""

from __future__ import annotations

from django.urls import reverse

from careweave.access.actions import break_the_glass


def test_emergency_access_opens_the_team_page_but_offers_no_team_changes(cast, client_for):
    """Emergency access reads the file; adding members and proposing a coordinator stay with the team."""
    break_the_glass(cast.stranger.user, cast.maria, "Found unconscious at home, need the medication list")
    page = client_for("stranger").get(reverse("web:team", args=[cast.maria.fhir_id]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-test="add-network"' not in content
    assert "Propose a team member as coordinator" not in content
    assert 'data-test="remove-member"' not in content


def test_a_team_member_is_offered_the_team_changes_the_table_allows(cast, client_for):
    content = client_for("nurse").get(reverse("web:team", args=[cast.maria.fhir_id])).content.decode()
    assert 'data-test="add-network"' in content
    assert "Propose a team member as coordinator" in content
    assert 'data-test="remove-member"' not in content, "only the person removes others"


def test_the_privacy_link_is_the_persons_own(cast, client_for):
    url = reverse("web:plan", args=[cast.maria.fhir_id])
    privacy = reverse("web:privacy", args=[cast.maria.fhir_id])
    assert privacy in client_for("person").get(url).content.decode()
    assert privacy not in client_for("gp").get(url).content.decode()
