"""C13-R11, second half: the workshop is open to those who did not submit, and submitting does not oblige
anyone to attend (001 l.7834-7836: "deel te nemen aan de workshop zonder de vragenlijst in te dienen en omgekeerd").

A workshop records how many attended, not who, so nothing ties attendance to a submitted questionnaire.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import ConsensusWorkshop

from .conftest import fill

pytestmark = pytest.mark.django_db
C = codes()


def test_more_attendees_than_submitted_questionnaires_is_allowed(round_, staff, invite) -> None:  # noqa: ANN001
    fill(invite("an"), [2] * 12)
    invite("bert")  # did not submit, comes to the workshop anyway
    workshop = actions.plan_workshop(staff, round_, date(2026, 11, 5), C[:3], attendees=8)
    actions.record_consensus(staff, workshop, {C[0]: (3, "Samen besproken")}, "", workshop.version)
    assert workshop.attendees == 8 and workshop.dimensions.get(dimension=C[0]).consensus_score == 3


def test_a_workshop_without_any_submitted_questionnaire_works_on_the_pages(round_, staff, invite) -> None:  # noqa: ANN001
    invite("an")  # halfway, never submitted
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    url = reverse("maturity:new_workshop", args=[round_.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"held_on": "2026-11-05", "attendees": "6", "chosen": C[:3]})
    workshop = ConsensusWorkshop.objects.get()
    page = reverse("maturity:workshop", args=[workshop.pk])
    assert client.get(page).status_code == 200
    client.post(page, {"version": "1", f"score-{C[0]}": "2", f"argument-{C[0]}": "Consensus in de zaal"})
    assert workshop.dimensions.get(dimension=C[0]).consensus_score == 2
    assert client.get(reverse("maturity:report", args=[round_.pk])).status_code == 200


def test_submitted_participants_need_not_attend(round_, staff, invite) -> None:  # noqa: ANN001
    for name in ("an", "bert", "carla"):
        fill(invite(name), [3] * 12)
    workshop = actions.plan_workshop(staff, round_, date(2026, 11, 5), C[:3], attendees=1)
    assert workshop.attendees == 1 and len(actions.submitted_scores(round_)) == 3  # their scores still count
    assert actions.plan_workshop(staff, round_, date(2026, 11, 6), C[3:6]).attendees == 0
