"""Issue 17: the social map's and the referrals' rows in the permission table, for the ten demo roles, every
refusal audited (on the person's file for a referral); pages show only the controls the table allows."""

from __future__ import annotations

import pytest
from consultations.conftest import assert_row, roles  # noqa: F401 - fixtures
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - fixtures

from careweave.territory import actions
from careweave.territory.models import Referral, Service


@pytest.fixture
def physio_practice(roles) -> Service:  # noqa: ANN001, F811
    """The physiotherapist (no relationship to Maria) keeps an entry that accepts referrals."""
    physio = roles["physio"]
    return actions.register_service(
        physio, service={"name": "Kine Aylin", "discipline": "physio", "languages": "nl",
                         "professional": physio.professional, "accepts_referrals": True},
        location={"postal_code": "9400", "municipality": "Ninove", "latitude": 50.83, "longitude": 4.02})


@pytest.fixture
def referral(cast, physio_practice) -> Referral:  # noqa: ANN001, F811
    return actions.refer_to_service(cast.gp.user, cast.maria, physio_practice, reason="Valpreventie")


def test_the_rows_for_the_ten_roles(cast, roles, physio_practice, referral) -> None:  # noqa: ANN001, F811
    professionals = {"gp", "nurse", "socialworker", "coordinator", "casemanager", "physio"}
    assert_row("territory.register_service", None, professionals | {"admin"}, roles)
    assert_row("territory.update_service", physio_practice, {"physio"}, roles)
    assert_row("territory.add_keeper", physio_practice, {"physio"}, roles)
    team = {"person", "carer", "gp", "nurse", "socialworker", "coordinator"}
    assert_row("territory.refer_to_service", cast.maria, team, roles)
    for row in ("accept_referral", "refuse_referral", "complete_referral"):
        assert_row(f"territory.{row}", referral, {"physio"}, roles)
    assert_row("territory.see_referral", referral, team | {"physio"}, roles)


def test_only_the_receiver_sees_the_answer_buttons(cast, referral, client_for) -> None:  # noqa: ANN001, F811
    assert 'data-test="accept-referral"' in client_for("physio").get("/social-map/referrals/").content.decode()
    assert client_for("nurse").post(f"/social-map/referrals/{referral.fhir_id}/accept/",
                                    {"version": referral.version}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT  # the nurse may see it, but only the receiver answers


def test_the_refer_button_is_for_the_team(cast, client_for) -> None:  # noqa: ANN001, F811
    team_url = f"/persons/{cast.maria.fhir_id}/team/"
    assert 'data-test="refer"' in client_for("gp").get(team_url).content.decode()
