"""Reimbursement rules as data: GP required, at most N paid, informal carers never paid, validity by date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from web.scenario import _professional

from careweave.consultations import actions
from careweave.consultations.models import ReimbursementRule
from careweave.consultations.reimbursement import reimbursement
from careweave.people.models import Discipline

from .conftest import today_at


def _attend(cast, c, *who):  # noqa: ANN001, ANN002, ANN202
    present = [p for p in c.participants.all() if p.member_id and p.member.member in who]
    return actions.record_attendance(cast.coordinator.user, c, present)


def test_the_current_rule_is_seeded_from_the_seeds(db) -> None:  # noqa: ANN001
    rule = ReimbursementRule.valid_on(date.today())
    assert rule is not None
    assert (rule.gp_required, rule.max_paid_professionals, rule.informal_carers_paid) == (True, 4, False)
    assert "5218" in rule.source


def test_no_gp_present_is_not_reimbursable_and_says_why(cast, scheduled) -> None:  # noqa: ANN001
    c = _attend(cast, scheduled, cast.nurse, cast.social)
    with translation.override("en"):
        result = reimbursement(c)
    assert result.reimbursable is False and result.paid == []
    assert any("general practitioner" in r for r in result.reasons)


def test_five_professionals_four_paid_gp_first(cast, scheduled) -> None:  # noqa: ANN001
    from careweave.careplans import actions as plan_actions

    physio = _professional(None, "Aylin", "Kine", Discipline.PHYSIOTHERAPIST, cast.zone, 190)
    member = plan_actions.add_team_member(cast.maria.user, cast.team, professional=physio)
    actions.invite_to_mdo(cast.coordinator.user, scheduled, [member])
    c = _attend(cast, scheduled, cast.nurse, cast.social, cast.coordinator, physio, cast.gp, cast.jan)
    result = reimbursement(c)
    assert result.reimbursable is True
    assert len(result.paid) == 4 and result.paid[0] == cast.gp
    assert physio not in result.paid  # invited last of the five
    unpaid = {str(p) for p in result.unpaid}
    assert str(physio) in unpaid and str(cast.jan) in unpaid  # over the maximum, and the informal carer
    assert len(result.notes) == 2


def test_informal_carers_are_never_paid(cast, scheduled) -> None:  # noqa: ANN001
    c = _attend(cast, scheduled, cast.gp, cast.nurse, cast.jan)
    result = reimbursement(c)
    assert result.reimbursable is True and result.paid == [cast.gp, cast.nurse]
    assert [str(p) for p in result.unpaid] == [str(cast.jan)]


def test_the_gp_with_the_person_and_her_son_only_is_not_reimbursable_and_no_fee(cast, scheduled) -> None:  # noqa: ANN001
    """Issue 18 item 10: GP, Maria and her son was "reimbursable" and a RIZIV fee line was created."""
    from careweave.financing.models import Provision

    assert ReimbursementRule.valid_on(date.today()).min_other_professionals == 1
    present = [p for p in scheduled.participants.all() if p.is_person or (p.member_id and p.member.member in
                                                                          (cast.gp, cast.jan))]
    c = actions.record_attendance(cast.coordinator.user, scheduled, present)
    with translation.override("en"):
        result = reimbursement(c)
    assert result.reimbursable is False and result.paid == []
    assert any("Besides the general practitioner, at least 1 professional must attend" in r for r in result.reasons)
    actions.write_minutes(cast.coordinator.user, c, "Afspraken")
    actions.conclude_mdo(cast.coordinator.user, c)
    c.refresh_from_db()
    assert c.reimbursable is False and not Provision.objects.filter(external_id__startswith="mdo:").exists()


def test_the_pseudocode_reaches_the_fee_line_and_the_payer_csv(cast, scheduled) -> None:  # noqa: ANN001
    """Issue 18 item 10: the rule's pseudocode is "carried on the fee line of the export", as its help text says."""
    from careweave.financing import reports
    from careweave.financing.models import Provision

    ReimbursementRule.objects.update(pseudocode="773172")
    c = _attend(cast, scheduled, cast.gp, cast.nurse)
    actions.write_minutes(cast.coordinator.user, c, "Afspraken")
    actions.conclude_mdo(cast.coordinator.user, c)
    lines = list(Provision.objects.filter(external_id__startswith="mdo:"))
    assert len(lines) == 2 and {p.billing_code for p in lines} == {"773172"}
    rows = reports.payer_csv(lines).decode("utf-8-sig").splitlines()
    header = rows[0].split(";")
    assert all(row.split(";")[header.index("billing_code")] == "773172" for row in rows[1:])


def test_before_the_meeting_the_answers_forecast(cast, scheduled) -> None:  # noqa: ANN001
    assert reimbursement(scheduled).reimbursable is False  # nobody accepted yet
    gp = scheduled.participants.get(member__professional=cast.gp)
    actions.respond_to_invitation(cast.gp.user, gp, "accepted")
    assert reimbursement(scheduled).reimbursable is False  # the GP alone is no multidisciplinary consultation
    nurse = scheduled.participants.get(member__professional=cast.nurse)
    actions.respond_to_invitation(cast.nurse.user, nurse, "accepted")
    result = reimbursement(scheduled)
    assert result.forecast and result.reimbursable and result.paid == [cast.gp, cast.nurse]


def test_the_rule_valid_on_the_day_applies(cast) -> None:  # noqa: ANN001
    """Two versions: the seeded frame until next week, then a relaxed one (no GP needed, 6 paid)."""
    switch = timezone.localdate() + timedelta(days=7)
    current = ReimbursementRule.valid_on(date.today())
    current.valid_until = switch
    current.full_clean()
    current.save()
    relaxed = ReimbursementRule(name="Herziening", valid_from=switch, gp_required=False, max_paid_professionals=6)
    relaxed.full_clean()
    relaxed.save()

    def mdo(days: int):  # noqa: ANN202
        c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person", start=today_at(10, days),
                                 end=today_at(11, days), location="WGC", reason="Overleg")
        actions.invite_to_mdo(cast.coordinator.user, c, [cast.member(professional=cast.nurse)])
        actions.respond_to_invitation(cast.nurse.user, c.participants.get(), "accepted")
        return c

    before, after = mdo(6), mdo(7)
    assert reimbursement(before).rule == current and reimbursement(before).reimbursable is False
    assert reimbursement(after).rule == relaxed and reimbursement(after).reimbursable is True


def test_rule_periods_may_not_overlap(db) -> None:  # noqa: ANN001
    overlapping = ReimbursementRule(name="Overlap", valid_from=date.today(), max_paid_professionals=3)
    with pytest.raises(ValidationError):
        overlapping.full_clean()
    backwards = ReimbursementRule(name="Backwards", valid_from=date(1990, 1, 1), valid_until=date(1989, 1, 1))
    with pytest.raises(ValidationError):
        backwards.full_clean()


def test_no_valid_rule_means_not_reimbursable(cast, scheduled) -> None:  # noqa: ANN001
    ReimbursementRule.objects.all().delete()
    c = _attend(cast, scheduled, cast.gp)
    result = reimbursement(c)
    assert result.reimbursable is False and result.rule is None and result.reasons


def test_the_rule_applied_is_described_in_the_readers_language_not_its_stored_name(cast, client_for, scheduled
                                                                                   ) -> None:  # noqa: ANN001
    """Issue 18 item 25: the MDO rule's English name was shown on the German page."""
    from django.urls import reverse

    rule = ReimbursementRule.valid_on(date.today())
    page = client_for("coordinator", "de").get(reverse("consultations:detail", args=[scheduled.fhir_id]))
    html = page.content.decode()
    with translation.override("de"):
        described = rule.description()
    assert rule.name not in html and described in html
    with translation.override("en"):
        assert "informal carers get no fee" in rule.description()  # rendered per language, from the data
