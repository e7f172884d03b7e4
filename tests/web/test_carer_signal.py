"""A carer's "it is too much, I need help" reaches the coordinator's home and the caseload (issue 11.7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careweave.access.models import AccessRule, Level
from careweave.careplans.models import JournalEntry

pytestmark = pytest.mark.django_db


def _check_in(client_for, cast, feeling: str, text: str = "", language: str = "en") -> None:  # noqa: ANN001
    response = client_for("carer", language).post(
        reverse("web:carer_checkin", args=[cast.maria.fhir_id]), {"feeling": feeling, "text": text}
    )
    assert response.status_code == 302


def test_too_much_shows_on_the_coordinators_home_and_the_caseload(cast, client_for) -> None:  # noqa: ANN001
    coordinator = client_for("coordinator")
    assert 'data-test="carers-need-help"' not in coordinator.get(reverse("web:coordination")).content.decode()
    _check_in(client_for, cast, "too_much", "Ik slaap slecht")
    assert JournalEntry.objects.get(is_carer_checkin=True).carer_feeling == "too_much"

    home = coordinator.get(reverse("web:home"), follow=True).content.decode()
    signal = home.split('data-test="carers-need-help"', 1)[1].split("</section>", 1)[0]
    assert "Jan Peeters" in signal and "Maria Peeters" in signal and "Ik slaap slecht" in signal

    caseload = client_for("gp").get(reverse("web:caseload")).content.decode()
    row = next(r for r in caseload.split('data-test="caseload-row"')[1:] if "Maria Peeters" in r)
    assert 'data-test="carer-help"' in row and "carer needs help" in row
    only = client_for("gp").get(reverse("web:caseload"), {"show": "carer_help"}).content.decode()
    assert only.count('data-test="caseload-row"') == 1


def test_the_signal_ends_when_the_carer_is_managing_again(cast, client_for) -> None:  # noqa: ANN001
    coordination = reverse("web:coordination")
    _check_in(client_for, cast, "too_much")
    assert 'data-test="carers-need-help"' in client_for("coordinator").get(coordination).content.decode()
    _check_in(client_for, cast, "good", "Beter nu de thuisverpleging vaker komt")
    assert 'data-test="carers-need-help"' not in client_for("coordinator").get(coordination).content.decode()
    assert 'data-test="carer-help"' not in client_for("gp").get(reverse("web:caseload")).content.decode()


def test_someone_the_person_refused_does_not_see_the_signal(cast, client_for) -> None:  # noqa: ANN001
    AccessRule.objects.create(person=cast.maria, professional=cast.gp, level=Level.NONE)
    _check_in(client_for, cast, "too_much")
    caseload = client_for("gp").get(reverse("web:caseload")).content.decode()
    assert 'data-test="carer-help"' not in caseload and "Maria Peeters" not in caseload


def test_the_answer_is_shown_in_the_readers_language(cast, client_for) -> None:  # noqa: ANN001
    _check_in(client_for, cast, "too_much", language="fr")
    journal = client_for("coordinator", "nl").get(
        reverse("web:journal", args=[cast.maria.fhir_id]), {"kind": "checkin"}
    ).content.decode()
    feeling = journal.split('data-test="carer-feeling">', 1)[1].split("<", 1)[0]
    assert feeling == "Het is te veel, ik heb hulp nodig"
