"""The demo zone has MDOs in every state the coordinator meets, made through the actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from careweave.consultations.models import Consultation
from careweave.consultations.reimbursement import reimbursement

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]
DEMO = {"persons": 60, "seed": 42}


def test_demo_mdos(demo_zone) -> None:  # noqa: ANN001
    result = demo_zone["consultations"]
    # One proposal of its own (a care-setting change); the programme enrolments propose more.
    assert result["concluded"] == 2 and result["scheduled"] == 2 and result["proposed"] >= 1
    assert result["decision_tasks"] >= 4
    concluded = Consultation.objects.filter(status="concluded").order_by("start")
    assert [c.reimbursable for c in concluded] == [True, False]
    assert all(c.minutes.text for c in concluded)
    with translation.override("en"):
        assert any("general practitioner" in r for r in reimbursement(concluded[1]).reasons)
    hybrid = Consultation.objects.get(mode="hybrid")
    assert hybrid.person.user.username == "person"
    assert hybrid.participants.filter(member__isnull=True).exists()
    coordinator = User.objects.get(username="coordinator")
    proposal = Consultation.objects.get(status="proposed", transition_kind="care_setting")
    assert proposal.transition_kind == "care_setting"
    assert proposal.person.care_teams.filter(
        coordination_episodes__coordinator__professional__user=coordinator).exists()
