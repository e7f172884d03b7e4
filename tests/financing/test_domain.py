"""Financing rules: tariffs by date, amounts, budgets that never go negative, atomic transfers, idempotent
imports and the MDO fee registered from the consultations signal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.consultations.signals import mdo_concluded
from careweave.financing import actions
from careweave.financing.models import BudgetTransfer, CareUnitBudget, Payer, Provision, ProvisionType, Tariff
from careweave.people.models import Discipline

D = Decimal


def refused(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001, ANN002, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert str(caught.value).strip()
    return caught.value


@pytest.fixture
def education(db) -> ProvisionType:  # noqa: ANN001
    """Care education: a type the GP may provide (ProvisionType.disciplines, issue 17)."""
    return ProvisionType.objects.get(code="ZORGEDUCATIE")


def test_the_protocol_3_set_and_mdo_are_seeded_with_example_tariffs(db):  # noqa: ANN001
    codes = list(ProvisionType.objects.values_list("code", flat=True))
    assert codes == ["CASEMANAGEMENT", "ERGO", "PSY", "ERGO GROEP", "PSY GROEP", "NACHTBEZOEK", "ZORGEDUCATIE",
                     "MANTELZORGERS", "MDO"]
    assert Tariff.objects.count() == 9 and not Tariff.objects.filter(is_example=False).exists()
    with translation.override("en"):  # the name is translated; the default language is Dutch
        assert str(ProvisionType.objects.get(code="NACHTBEZOEK").name) == "Night visit"


def test_a_tariff_change_closes_the_previous_one_and_applies_by_date_with_inclusive_edges(admin, education):
    old = education.tariffs.get()
    new = actions.add_tariff(admin, education, Payer.RIZIV, D("60.00"), "session", date(2025, 1, 1), source="test")
    old.refresh_from_db()
    assert old.valid_to == date(2024, 12, 31)
    assert actions.tariff_on(education, Payer.RIZIV, date(2024, 12, 31)) == old
    assert actions.tariff_on(education, Payer.RIZIV, date(2025, 1, 1)) == new
    assert actions.tariff_on(education, Payer.RIZIV, date(2019, 1, 1)) == old
    assert refused(actions.tariff_on, education, Payer.RIZIV, date(2018, 12, 31)).rule == "no_tariff"
    assert refused(actions.tariff_on, education, Payer.PERSON, date(2025, 6, 1)).rule == "no_tariff"


def test_an_overlapping_tariff_is_refused_and_nothing_changes(admin, education):
    actions.add_tariff(admin, education, Payer.FLEMISH, D("10"), "hour", date(2025, 1, 1), date(2025, 6, 30))
    before = list(Tariff.objects.values_list("pk", "valid_from", "valid_to"))
    for start, end in ((date(2025, 6, 30), date(2025, 12, 31)), (date(2024, 1, 1), date(2025, 1, 1)),
                       (date(2025, 3, 1), None)):
        assert refused(actions.add_tariff, admin, education, Payer.FLEMISH, D("11"), "hour", start, end).rule == \
            "tariff_overlap"
    assert refused(actions.add_tariff, admin, education, Payer.FLEMISH, D("11"), "hour", date(2026, 2, 1),
                   date(2026, 1, 1)).rule == "bad_period"
    assert list(Tariff.objects.values_list("pk", "valid_from", "valid_to")) == before
    actions.add_tariff(admin, education, Payer.FLEMISH, D("11"), "hour", date(2025, 7, 1), None)  # the day after fits


def test_only_an_administrator_changes_tariffs(zone_staff, education):
    assert refused(actions.add_tariff, zone_staff, education, Payer.RIZIV, D("1"), "session",
                   date(2030, 1, 1)).rule == "not_allowed"


def test_the_amount_is_quantity_times_the_tariff_of_the_day_and_the_write_is_audited(admin, gp, person, education):
    actions.add_tariff(admin, education, Payer.RIZIV, D("60.00"), "session", date(2025, 1, 1))
    p_old = actions.register_provision(gp.user, person, education, date(2024, 12, 31), D("2.5"), professional=gp)
    p_new = actions.register_provision(gp.user, person, education, date(2025, 1, 1), D("2.5"), professional=gp)
    assert (p_old.amount, p_new.amount) == (D("100.00"), D("150.00"))  # the example tariff 40.00, then 60.00
    assert p_new.care_units == D("2.5") and p_new.status == Provision.Status.REGISTERED
    assert AuditEvent.objects.filter(person=person, resource_type="Claim", action="C", user=gp.user).count() == 2


def test_registering_needs_plan_access_or_the_zone(outsider, zone_staff, person, education, make_professional):
    assert refused(actions.register_provision, outsider.user, person, education, date(2025, 3, 1),
                   professional=outsider).rule == "not_allowed"
    assert not Provision.objects.exists()
    assert AuditEvent.objects.filter(person=person, outcome="denied").exists()
    nurse = make_professional(Discipline.HOME_NURSE)
    provision = actions.register_provision(zone_staff, person, education, date(2025, 3, 1), professional=nurse)
    assert provision.professional == nurse


def test_bad_input_is_refused_with_a_reason(gp, person, education):
    assert refused(actions.register_provision, gp.user, person, education, date(2025, 3, 1), D("0"),
                   professional=gp).rule == "bad_quantity"
    # a professional registers as the provider themselves (issue 17)
    assert refused(actions.register_provision, gp.user, person, education, date(2025, 3, 1)).rule == "not_allowed"
    assert refused(actions.register_provision, gp.user, person, education, date(2025, 3, 1), professional=gp,
                   payer=Payer.PERSON).rule == "no_tariff"
    assert not Provision.objects.exists()


def test_care_units_never_go_negative(zone_staff, gp, person, education, make_professional):
    budget = actions.allocate_budget(zone_staff, person, date(2025, 1, 1), date(2025, 12, 31), D("10"))
    actions.register_provision(gp.user, person, education, date(2025, 2, 1), D("8"), professional=gp)
    error = refused(actions.register_provision, gp.user, person, education, date(2025, 2, 2), D("3"), professional=gp)
    assert error.rule == "over_budget" and "2" in str(error)
    assert Provision.objects.count() == 1
    group = ProvisionType.objects.get(code="PSY GROEP")  # half a unit per session
    psychologist = make_professional(Discipline.PSYCHOLOGIST)
    actions.register_provision(zone_staff, person, group, date(2025, 2, 3), D("4"), professional=psychologist)
    assert actions.budget_status(budget).remaining == D("0")
    mdo = ProvisionType.objects.get(code="MDO")  # registered from a concluded MDO only, never by hand (issue 17)
    assert refused(actions.register_provision, zone_staff, person, mdo, date(2025, 2, 4),
                   professional=gp).rule == "mdo_fee_by_hand"
    # outside the budget's period, nothing is checked against it
    actions.register_provision(gp.user, person, education, date(2026, 1, 1), D("5"), professional=gp)
    assert actions.budget_status(budget).used == D("10")


def test_cancelling_gives_the_units_back_and_refuses_a_stale_version(zone_staff, gp, person, education):
    budget = actions.allocate_budget(zone_staff, person, date(2025, 1, 1), date(2025, 12, 31), D("10"))
    provision = actions.register_provision(gp.user, person, education, date(2025, 2, 1), D("6"), professional=gp)
    from careweave.versioning import ChangedMeanwhile

    with pytest.raises(ChangedMeanwhile):
        actions.cancel_provision(gp.user, provision, provision.version + 1, "wrong person")
    actions.cancel_provision(gp.user, provision, provision.version, "wrong person")
    provision.refresh_from_db()
    assert provision.status == Provision.Status.CANCELLED
    assert actions.budget_status(budget).remaining == D("10")
    assert refused(actions.cancel_provision, gp.user, provision, provision.version, "again").rule == \
        "already_cancelled"


def test_a_budget_is_allocated_by_the_zone_once_per_period(zone_staff, gp, person):
    assert refused(actions.allocate_budget, gp.user, person, date(2025, 1, 1), date(2025, 12, 31), D("5")).rule == \
        "not_allowed"
    actions.allocate_budget(zone_staff, person, date(2025, 1, 1), date(2025, 12, 31), D("5"))
    assert refused(actions.allocate_budget, zone_staff, person, date(2025, 6, 1), date(2026, 5, 31),
                   D("5")).rule == "budget_overlap"
    assert CareUnitBudget.objects.count() == 1


def test_a_transfer_moves_units_within_the_zone_and_period_never_below_zero(zone_staff, gp, person, make_person,
                                                                              other_zone, education):
    year = (date(2025, 1, 1), date(2025, 12, 31))
    giver = actions.allocate_budget(zone_staff, person, *year, D("10"))
    other = make_person("Jef")
    taker = actions.allocate_budget(zone_staff, other, *year, D("2"))
    actions.register_provision(gp.user, person, education, date(2025, 3, 1), D("7"), professional=gp)
    assert refused(actions.transfer_units, zone_staff, giver, taker, D("4"), "more night care").rule == \
        "not_enough_units"
    assert refused(actions.transfer_units, zone_staff, giver, taker, D("3"), " ").rule == "no_reason"
    assert refused(actions.transfer_units, gp.user, giver, taker, D("3"), "x").rule == "not_allowed"
    assert not BudgetTransfer.objects.exists()
    actions.transfer_units(zone_staff, giver, taker, D("3"), "more night care")
    assert actions.budget_status(giver).remaining == D("0")
    assert actions.budget_status(taker).available == D("5")
    assert refused(actions.transfer_units, zone_staff, giver, taker, D("0.5"), "again").rule == "not_enough_units"
    # another period, another zone
    next_year = actions.allocate_budget(zone_staff, other, date(2026, 1, 1), date(2026, 12, 31), D("2"))
    assert refused(actions.transfer_units, zone_staff, taker, next_year, D("1"), "x").rule in ("same_budget",
                                                                                                "other_period")
    stranger = make_person("Lien", zone=other_zone)
    far = CareUnitBudget.objects.create(person=stranger, zone=other_zone, period_start=year[0], period_end=year[1],
                                        allocated=D("1"))
    assert refused(actions.transfer_units, zone_staff, taker, far, D("1"), "x").rule == "other_zone"
    assert BudgetTransfer.objects.count() == 1


def test_an_import_with_an_external_id_is_idempotent(gp, person, education):
    first = actions.register_provision(gp.user, person, education, date(2025, 3, 1), D("2"), professional=gp,
                                       external_id="ext-1")
    again = actions.register_provision(gp.user, person, education, date(2025, 3, 1), D("2"), professional=gp,
                                       external_id="ext-1")
    assert again.pk == first.pk and Provision.objects.count() == 1
    assert refused(actions.register_provision, gp.user, person, education, date(2025, 3, 2), D("2"), professional=gp,
                   external_id="ext-1").rule == "external_id_reused"
    assert Provision.objects.count() == 1


def _conclude(consultation, person, paid, reimbursable=True, actor=None):  # noqa: ANN001, ANN202
    mdo_concluded.send(sender=None, consultation=consultation, person=person, held_on=date(2025, 5, 6),
                       reimbursable=reimbursable, paid_professionals=paid, actor=actor)


def test_a_concluded_reimbursable_mdo_registers_one_fee_per_paid_professional_once(gp, person, make_professional,
                                                                                   zone_staff):
    others = [make_professional(Discipline.HOME_NURSE), make_professional(Discipline.SOCIAL_WORKER)]
    meeting = SimpleNamespace(pk=41)
    _conclude(meeting, person, [gp, *others], actor=zone_staff)
    _conclude(meeting, person, [gp, *others], actor=zone_staff)  # sent twice: still one fee each
    fees = Provision.objects.filter(provision_type__code="MDO")
    assert sorted(fees.values_list("professional", flat=True)) == sorted(p.pk for p in [gp, *others])
    assert {f.amount for f in fees} == {D("40.00")} and {f.care_units for f in fees} == {D("0")}
    assert {f.external_id for f in fees} == {f"mdo:41:{p.pk}" for p in [gp, *others]}
    _conclude(SimpleNamespace(pk=42), person, [gp], reimbursable=False)
    assert fees.count() == 3


def test_a_tariff_change_is_refused_when_later_provisions_use_the_current_tariff(admin, gp, person, education):
    actions.register_provision(gp.user, person, education, date(2025, 3, 1), professional=gp)
    assert refused(actions.add_tariff, admin, education, Payer.RIZIV, D("70"), "session", date(2025, 1, 1)).rule == \
        "tariff_in_use"
    assert education.tariffs.get().valid_to is None
    actions.add_tariff(admin, education, Payer.RIZIV, D("70"), "session", date(2025, 3, 2))
    assert actions.tariff_on(education, Payer.RIZIV, date(2025, 3, 2)).amount == D("70")
