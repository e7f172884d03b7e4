"""Issue 17, defect 7: the MDO is its convener's; each invitee answers for themselves; the table's
``consultations.*`` rows for the ten demo roles, every refusal audited on the person's file."""

from __future__ import annotations

import pytest
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - fixtures

from careweave.access.models import AuditEvent
from careweave.careplans import actions as plan_actions
from careweave.careplans.errors import RuleViolation
from careweave.consultations import actions
from careweave.consultations.models import Consultation, Participant
from consultations.conftest import assert_row, roles, today_at  # noqa: F401 - fixtures


@pytest.fixture
def nurses_mdo(cast) -> Consultation:  # noqa: ANN001, F811
    """The defect's MDO: convened by Maria's nurse today, her team and Maria invited."""
    c = actions.schedule_mdo(cast.nurse.user, cast.maria, mode="in_person", start=today_at(0), end=today_at(1),
                             location="Thuis", reason="Na de ziekenhuisopname")
    actions.invite_to_mdo(cast.nurse.user, c, cast.team.active_members(), include_person=True)
    c.refresh_from_db()
    return c


def _refused(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


def _denied(user, person, row: str) -> bool:  # noqa: ANN001
    return AuditEvent.objects.filter(user=user, person=person, outcome="denied", reason__startswith=row).exists()


def _participant(c: Consultation, **lookup) -> Participant:  # noqa: ANN003
    return c.participants.get(**lookup)


def test_the_gp_cannot_run_the_meeting_the_nurse_convened(cast, nurses_mdo) -> None:  # noqa: ANN001, F811
    gp = cast.gp.user
    everyone = list(nurses_mdo.participants.all())
    refused = _refused(actions.record_attendance, gp, nurses_mdo, everyone)
    assert refused.rule == "not_allowed"
    assert _denied(gp, cast.maria, "consultations.record_attendance")
    assert _refused(actions.schedule_mdo, gp, consultation=nurses_mdo, mode="in_person", start=today_at(2),
                    end=today_at(3), location="Elders").rule == "not_allowed"
    assert _refused(actions.cancel_mdo, gp, nurses_mdo, "Geen tijd").rule == "not_allowed"
    nurses_mdo.refresh_from_db()
    assert nurses_mdo.status == "scheduled" and nurses_mdo.location == "Thuis"
    assert all(p.attended is None for p in nurses_mdo.participants.all())
    actions.record_attendance(cast.nurse.user, nurses_mdo, everyone)
    nurses_mdo.refresh_from_db()
    actions.write_minutes(cast.nurse.user, nurses_mdo, "Afspraken over de thuiszorg")
    assert _refused(actions.conclude_mdo, gp, nurses_mdo).rule == "not_allowed"
    assert _refused(actions.record_decision, gp, nurses_mdo, "Bloedname", to_person=True).rule == "not_allowed"
    assert _denied(gp, cast.maria, "consultations.conclude_mdo")
    nurses_mdo.refresh_from_db()
    assert nurses_mdo.status == "held"


def test_an_attending_professional_may_write_the_minutes_others_not(cast, nurses_mdo) -> None:  # noqa: ANN001, F811
    gp_invite = _participant(nurses_mdo, member__professional=cast.gp)
    actions.record_attendance(cast.nurse.user, nurses_mdo, [gp_invite])
    nurses_mdo.refresh_from_db()
    actions.write_minutes(cast.gp.user, nurses_mdo, "Verslag door de huisarts")
    assert _refused(actions.write_minutes, cast.social.user, nurses_mdo, "Verslag").rule == "not_allowed"


def test_when_the_convener_left_the_coordinator_takes_over(cast, nurses_mdo) -> None:  # noqa: ANN001, F811
    assert _refused(actions.cancel_mdo, cast.coordinator.user, nurses_mdo, "Overbodig").rule == "not_allowed"
    plan_actions.remove_team_member(cast.maria.user, cast.member(professional=cast.nurse), "verhuisd")
    actions.cancel_mdo(cast.coordinator.user, nurses_mdo, "De verpleegkundige is weg")
    nurses_mdo.refresh_from_db()
    assert nurses_mdo.status == "cancelled"


def test_only_the_invitee_answers(cast, nurses_mdo) -> None:  # noqa: ANN001, F811
    jans = _participant(nurses_mdo, member__related_person=cast.jan)
    marias = _participant(nurses_mdo, member__isnull=True)
    for who in (cast.gp.user, cast.nurse.user):  # a team professional, even the convener, answers for nobody else
        assert _refused(actions.respond_to_invitation, who, jans, "declined").rule == "not_allowed"
        assert _refused(actions.respond_to_invitation, who, marias, "declined").rule == "not_allowed"
    assert _refused(actions.respond_to_invitation, cast.jan.user, marias, "accepted").rule == "not_allowed"
    assert _denied(cast.gp.user, cast.maria, "consultations.respond_to_invitation")
    actions.respond_to_invitation(cast.jan.user, jans, "accepted")
    actions.respond_to_invitation(cast.maria.user, marias, "declined")
    jans.refresh_from_db()
    marias.refresh_from_db()
    assert (jans.response, marias.response) == ("accepted", "declined")


def test_the_page_shows_the_meeting_controls_to_the_convener_only(cast, nurses_mdo, client_for) -> None:  # noqa: ANN001, F811
    url = f"/consultations/{nurses_mdo.fhir_id}/"
    nurse_page = client_for("nurse").get(url).content.decode()
    gp_page = client_for("gp").get(url).content.decode()
    assert 'data-test="mdo-schedule"' in nurse_page and 'id="attendance"' in nurse_page
    assert 'data-test="mdo-schedule"' not in gp_page and 'id="attendance"' not in gp_page
    assert 'id="cancel-title"' not in gp_page
    assert 'data-test="mdo-accept"' in gp_page  # the GP answers their own invitation


def test_the_rows_for_the_ten_roles(cast, roles, nurses_mdo) -> None:  # noqa: ANN001, F811
    team_professionals = {"gp", "nurse", "socialworker", "coordinator"}
    assert_row("consultations.propose_mdo", cast.maria, team_professionals, roles)
    assert_row("consultations.schedule_mdo", cast.maria, team_professionals, roles)
    for row in ("schedule_mdo", "invite_to_mdo", "record_attendance", "record_decision", "conclude_mdo",
                "cancel_mdo"):
        assert_row(f"consultations.{row}", nurses_mdo, {"nurse"}, roles)
    assert_row("consultations.respond_to_invitation", _participant(nurses_mdo, member__related_person=cast.jan),
               {"carer"}, roles)
    assert_row("consultations.respond_to_invitation", _participant(nurses_mdo, member__isnull=True), {"person"},
               roles)
    gp_invite = _participant(nurses_mdo, member__professional=cast.gp)
    assert_row("consultations.respond_to_invitation", gp_invite, {"gp"}, roles)
    actions.record_attendance(cast.nurse.user, nurses_mdo, [gp_invite])
    nurses_mdo.refresh_from_db()
    assert_row("consultations.write_minutes", nurses_mdo, {"nurse", "gp"}, roles)
