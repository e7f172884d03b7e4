"""Financing actions: tariffs by date, registering provisions, care-unit budgets and transfers, MDO fees.

Rules (docs/financing.md):
- a tariff applies from ``valid_from`` to ``valid_to`` inclusive; two tariffs of one type and payer never overlap;
- a provision's amount is quantity × the tariff valid on its date for its type and payer;
- a person's care units never go below zero: a provision that does not fit the budget covering its date is
  refused, and so is a transfer of more units than the giving budget has left (001 l.3821-3827 asks for the
  flexibility between persons that P3 lacks, within the same zone and period);
- an import with an ``external_id`` is idempotent: the same id twice gives the same provision.

Who may do what is the permission table's ``financing.*`` rows (issue 17): a professional registers only
as provider, only a type their discipline may provide (``ProvisionType.disciplines``), only for a person
in their care; zone staff of the person's zone register on behalf of a fitting provider; a provision is
cancelled by its provider, the one who registered it, or zone staff. The MDO fee is never typed by hand:
the system registers it from a concluded MDO (:func:`register_mdo_fees`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import authorize, may
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.dates import check_date
from careweave.numbers import show_number
from careweave.people.models import Organisation, Person, Professional
from careweave.territory.models import Zone, ZoneStaff
from careweave.versioning import ChangedMeanwhile

from .catalogue import MDO
from .models import BudgetTransfer, CareUnitBudget, Payer, Provision, ProvisionType, Tariff

ZERO = Decimal("0")


# --- who may do what ----------------------------------------------------------------------------------------


def zones_of(actor) -> list[Zone]:  # noqa: ANN001
    """The zones whose aggregates this user sees (any zone role, policy makers included)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    if actor.is_superuser:
        return list(Zone.objects.exclude(kind=Zone.Kind.MUNICIPALITY))
    return list(Zone.objects.filter(staff__user=actor).distinct())


@dataclass(frozen=True)
class ProvisionRequest:
    """What the permission table judges when someone registers a provision: for whom, what, by whom."""

    person: Person
    provision_type: ProvisionType | None = None
    professional: Professional | None = None
    organisation: Organisation | None = None


def may_manage_budgets(actor, zone: Zone | None) -> bool:  # noqa: ANN001
    """Budgets, transfers and the payer export are a meso task (001 l.20371-20381): the zone's staff or
    contact point (the ``financing.allocate_budget`` row, asked about the zone)."""
    return zone is not None and may(actor, "financing.allocate_budget", zone)


def may_see_zone(actor, zone: Zone | None) -> bool:  # noqa: ANN001
    return bool(getattr(actor, "is_superuser", False)) or (
        zone is not None and ZoneStaff.objects.filter(user=actor, zone=zone).exists())


def registrable_types(actor, person: Person) -> list[ProvisionType]:  # noqa: ANN001
    """The types the actor may register by hand for this person (never the MDO fee): for a professional,
    those their discipline may provide; for zone staff, every type some discipline provides."""
    types = ProvisionType.objects.filter(active=True).exclude(code=MDO)
    own = getattr(actor, "professional", None)
    if own is not None and may(actor, "financing.register_provision", ProvisionRequest(person, None, own)):
        return [t for t in types if may(actor, "financing.register_provision", ProvisionRequest(person, t, own))]
    if may(actor, "financing.register_provision", ProvisionRequest(person)):
        return [t for t in types if t.disciplines]
    return []


def provider_choices(actor, person: Person) -> list[Professional]:  # noqa: ANN001
    """Whom the actor may name as provider: themselves (a professional in the person's care), or for zone
    staff the team's professionals (and the case manager) whose discipline provides some type."""
    own = getattr(actor, "professional", None)
    if own is not None and may(actor, "financing.register_provision", ProvisionRequest(person, None, own)):
        return [own]
    if not may(actor, "financing.register_provision", ProvisionRequest(person)):
        return []
    from careweave.careplans.models import CaseManagementEpisode, TeamMember

    fitting = {d for t in ProvisionType.objects.filter(active=True).exclude(code=MDO) for d in (t.disciplines or [])}
    ids = set(TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE,
                                        professional__isnull=False).values_list("professional_id", flat=True))
    ids |= set(CaseManagementEpisode.objects.filter(person=person, status=CaseManagementEpisode.Status.ACTIVE)
               .values_list("case_manager_id", flat=True))
    return list(Professional.objects.filter(pk__in=ids, active=True, discipline__in=fitting)
                .order_by("family_name", "given_name"))


def visible_provisions(actor, person: Person):  # noqa: ANN001, ANN201
    """The person's provisions the actor may see: medical types only with full access (issue 17)."""
    provisions = person.provisions.all()
    if not may(actor, "financing.see_medical_provisions", person):
        provisions = provisions.exclude(provision_type__medical=True)
    return provisions


# --- tariffs -------------------------------------------------------------------------------------------------


def _overlapping(ptype: ProvisionType, payer: str, start: date, end: date | None):  # noqa: ANN202
    qs = Tariff.objects.filter(provision_type=ptype, payer=payer).filter(Q(valid_to__isnull=True) |
                                                                         Q(valid_to__gte=start))
    return qs.filter(valid_from__lte=end) if end else qs


def tariff_on(ptype: ProvisionType, payer: str, on: date) -> Tariff:
    """The tariff valid on that day, or a rule error naming the type, payer and day."""
    tariff = _overlapping(ptype, payer, on, on).first()
    if tariff is None:
        raise RuleViolation("no_tariff", _("There is no tariff for %(type)s paid by %(payer)s on %(day)s.") % {
            "type": ptype.name, "payer": Payer(payer).label, "day": on.isoformat()})
    return tariff


@atomic_action
def add_tariff(actor, ptype: ProvisionType, payer: str, amount: Decimal, unit: str, valid_from: date,  # noqa: ANN001
               valid_to: date | None = None, *, is_example: bool = False, source: str = "",
               close_previous: bool = True) -> Tariff:
    """A new tariff. An open-ended tariff that started earlier is closed the day before (a tariff change);
    any other overlap is refused."""
    authorize(actor, "financing.add_tariff", ptype)
    if amount is None or amount < 0:
        raise RuleViolation("bad_amount", _("A tariff cannot be negative."))
    if valid_to and valid_to < valid_from:
        raise RuleViolation("bad_period", _("A tariff cannot end before it starts."))
    overlaps = list(_overlapping(ptype, payer, valid_from, valid_to).select_for_update())
    if close_previous and len(overlaps) == 1 and overlaps[0].valid_to is None and overlaps[0].valid_from < valid_from:
        previous = overlaps[0]
        if previous.provisions.filter(date__gte=valid_from).exists():
            raise RuleViolation("tariff_in_use", _("Provisions after %(day)s already use the current tariff.")
                                % {"day": valid_from.isoformat()})
        previous.valid_to = valid_from - timedelta(days=1)
        previous.save(update_fields=["valid_to"])
        overlaps = []
    if overlaps:
        raise RuleViolation("tariff_overlap", _("This period overlaps the tariff valid from %(start)s.")
                            % {"start": overlaps[0].valid_from.isoformat()})
    return Tariff.objects.create(provision_type=ptype, payer=payer, amount=amount, unit=unit, valid_from=valid_from,
                                 valid_to=valid_to, is_example=is_example, source=source)


# --- budgets -------------------------------------------------------------------------------------------------


class Consumption:
    """What is left of ``available`` after ``used``, for a budget or a zone's budgets together."""

    available: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.available - self.used

    @property
    def used_percent(self) -> float | None:
        return float(self.used / self.available * 100) if self.available else None


@dataclass(frozen=True)
class BudgetStatus(Consumption):
    budget: CareUnitBudget
    allocated: Decimal
    received: Decimal
    given: Decimal
    used: Decimal

    @property
    def available(self) -> Decimal:  # type: ignore[override]
        return self.allocated + self.received - self.given


def _sum(qs, field: str) -> Decimal:  # noqa: ANN001
    return qs.aggregate(s=Sum(field))["s"] or ZERO


def budget_status(budget: CareUnitBudget) -> BudgetStatus:
    used = _sum(Provision.objects.filter(person_id=budget.person_id, date__gte=budget.period_start,
                                         date__lte=budget.period_end).exclude(status=Provision.Status.CANCELLED),
                "care_units")
    return BudgetStatus(budget, budget.allocated, _sum(budget.transfers_in.all(), "units"),
                        _sum(budget.transfers_out.all(), "units"), used)


def budget_on(person: Person, on: date, *, lock: bool = False) -> CareUnitBudget | None:
    qs = CareUnitBudget.objects.filter(person=person, period_start__lte=on, period_end__gte=on)
    return (qs.select_for_update() if lock else qs).first()


@atomic_action
def allocate_budget(actor, person: Person, period_start: date, period_end: date,  # noqa: ANN001
                    units: Decimal) -> CareUnitBudget:
    """Allocate care units to a person for a period (one budget per person and period, no overlap)."""
    authorize(actor, "financing.allocate_budget", person)
    if person.zone is None:
        raise RuleViolation("no_zone", _("The person has no zone, so no zone can allocate a budget."))
    if units is None or units < 0:
        raise RuleViolation("bad_units", _("Care units cannot be negative."))
    if period_end < period_start:
        raise RuleViolation("bad_period", _("The period cannot end before it starts."))
    if CareUnitBudget.objects.filter(person=person, period_start__lte=period_end,
                                     period_end__gte=period_start).exists():
        raise RuleViolation("budget_overlap", _("The person already has a budget in this period."))
    budget = CareUnitBudget.objects.create(person=person, zone=person.zone, period_start=period_start,
                                           period_end=period_end, allocated=units)
    audit_write(actor, "create", "Account", budget, person)
    return budget


@atomic_action
def transfer_units(actor, source: CareUnitBudget, target: CareUnitBudget, units: Decimal,  # noqa: ANN001
                   reason: str) -> BudgetTransfer:
    """Move unused care units to a person who needs more: same zone, same period, never below zero."""
    authorize(actor, "financing.transfer_units", source)
    if not reason or not reason.strip():
        raise RuleViolation("no_reason", _("Say why the care units are transferred."))
    if units is None or units <= 0:
        raise RuleViolation("bad_units", _("Transfer a positive number of care units."))
    # Lock both rows in a fixed order so that two simultaneous transfers cannot both spend the same units.
    locked = {b.pk: b for b in CareUnitBudget.objects.select_for_update().filter(
        pk__in=[source.pk, target.pk]).order_by("pk")}
    source, target = locked[source.pk], locked.get(target.pk)
    if target is None or source.pk == target.pk:
        raise RuleViolation("same_budget", _("Choose another person's budget to transfer to."))
    if source.zone_id != target.zone_id:
        raise RuleViolation("other_zone", _("Care units can only be transferred within one zone."))
    if (source.period_start, source.period_end) != (target.period_start, target.period_end):
        raise RuleViolation("other_period", _("Care units can only be transferred between budgets of the same period."))
    left = budget_status(source).remaining
    if units > left:
        raise RuleViolation("not_enough_units", _("Only %(left)s care units are left to transfer.")
                            % {"left": show_number(left)})
    transfer = BudgetTransfer.objects.create(source=source, target=target, units=units, reason=reason.strip(),
                                             transferred_by=actor if getattr(actor, "pk", None) else None)
    audit_write(actor, "update", "Account", source, source.person, reason=reason)
    audit_write(actor, "update", "Account", target, target.person, reason=reason)
    return transfer


# --- provisions ----------------------------------------------------------------------------------------------


def _same_line(p: Provision, person: Person, ptype: ProvisionType, on: date, quantity: Decimal) -> bool:
    return (p.person_id, p.provision_type_id, p.date, p.quantity) == (person.pk, ptype.pk, on, quantity)


def _record(actor, person: Person, ptype: ProvisionType, on: date, quantity: Decimal, *,  # noqa: ANN001
            professional: Professional | None, organisation: Organisation | None, payer: str,
            care_units: Decimal | None, external_id: str, note: str,
            status: str = Provision.Status.REGISTERED, billing_code: str = "") -> Provision:
    """The rules shared by every way in (form, import, MDO fee); the caller has checked the actor."""
    if external_id:
        existing = Provision.objects.filter(external_id=external_id).first()
        if existing is not None:
            if not _same_line(existing, person, ptype, on, quantity):
                raise RuleViolation("external_id_reused", _("The external id %(id)s is already used for another "
                                                            "provision.") % {"id": external_id})
            return existing
    check_date("provision", on)
    if quantity is None or quantity <= 0:
        raise RuleViolation("bad_quantity", _("The quantity must be more than zero."))
    if professional is None and organisation is None:
        raise RuleViolation("no_provider", _("Say which professional or organisation provided it."))
    if not ptype.active:
        raise RuleViolation("inactive_type", _("This provision type is no longer in use."))
    if person.deceased_on and on > person.deceased_on:
        raise RuleViolation("after_death", _("The date is after the person's death."))
    tariff = tariff_on(ptype, payer, on)
    units = quantity * ptype.care_units if care_units is None else care_units
    if units < 0:
        raise RuleViolation("bad_units", _("Care units cannot be negative."))
    if units > 0:
        budget = budget_on(person, on, lock=True)
        if budget is not None:
            left = budget_status(budget).remaining
            if units > left:
                raise RuleViolation("over_budget", _("Only %(left)s care units are left in this period; this "
                                                     "provision needs %(units)s.")
                                    % {"left": show_number(left), "units": show_number(units)})
    try:
        with transaction.atomic():
            provision = Provision.objects.create(
                person=person, professional=professional, organisation=organisation, provision_type=ptype, date=on,
                quantity=quantity, care_units=units, payer=payer, tariff=tariff,
                amount=(quantity * tariff.amount).quantize(Decimal("0.01")), status=status,
                external_id=external_id, billing_code=billing_code, note=note,
                registered_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:  # the same external id registered at the same moment: the first one stands
        existing = Provision.objects.filter(external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return existing
    audit_write(actor, "create", "Claim", provision, person)
    return provision


@atomic_action
def register_provision(actor, person: Person, ptype: ProvisionType, on: date, quantity: Decimal = Decimal(1), *,  # noqa: ANN001
                       professional: Professional | None = None, organisation: Organisation | None = None,
                       payer: str = Payer.RIZIV, care_units: Decimal | None = None, external_id: str = "",
                       note: str = "") -> Provision:
    """Register what was provided to a person; refused without a tariff on that day or beyond the budget."""
    authorize(actor, "financing.register_provision",
              ProvisionRequest(person, ptype, professional=professional, organisation=organisation), person=person)
    if ptype.code == MDO:
        raise RuleViolation("mdo_fee_by_hand", _("The MDO fee is registered from the concluded MDO, not by hand."))
    return _record(actor, person, ptype, on, quantity, professional=professional, organisation=organisation,
                   payer=payer, care_units=care_units, external_id=external_id, note=note)


@atomic_action
def cancel_provision(actor, provision: Provision, expected_version: int, reason: str) -> Provision:  # noqa: ANN001
    """Cancel a registered provision (a billed one too: the payer's export shows it as cancelled)."""
    authorize(actor, "financing.cancel_provision", provision)
    if not reason or not reason.strip():
        raise RuleViolation("no_reason", _("Say why the provision is cancelled."))
    if provision.status == Provision.Status.CANCELLED:
        raise RuleViolation("already_cancelled", _("This provision is already cancelled."))
    if provision.version != expected_version:
        raise ChangedMeanwhile(provision, expected_version)
    provision.status = Provision.Status.CANCELLED
    provision.note = reason.strip()[:300]
    provision.save_versioned(expected_version, update_fields=["status", "note"])
    audit_write(actor, "update", "Claim", provision, provision.person, reason=reason)
    return provision


def mdo_type() -> ProvisionType:
    return ProvisionType.objects.get(code=MDO)


@atomic_action
def register_mdo_fees(consultation, person: Person, held_on: date, reimbursable: bool,  # noqa: ANN001
                      paid_professionals: list[Professional], actor=None,  # noqa: ANN001
                      billing_code: str = "") -> list[Provision]:
    """The MDO fee for each paid professional, once per consultation (external id ``mdo:<id>:<professional>``).

    The system acts here, not a door: no permission row; called by the ``mdo_concluded`` receiver once
    ``consultations.conclude_mdo`` let the convener conclude (``actor`` is named in the audit only), and by
    the demo's seeding. The consultations app has applied its reimbursement rules (C8: GP present, at most 4
    paid); an MDO that is not reimbursable gives no fee. ``billing_code`` is the pseudocode of the rule that
    was applied: it is carried on every fee line and in the payer's CSV.
    """
    if not reimbursable:
        return []
    ptype = mdo_type()
    key = getattr(consultation, "fhir_id", None) or consultation.pk
    out = []
    for professional in paid_professionals:
        out.append(_record(actor, person, ptype, held_on, Decimal(1), professional=professional, organisation=None,
                           payer=Payer.RIZIV, care_units=ZERO, external_id=f"mdo:{key}:{professional.pk}",
                           note="", billing_code=billing_code or ""))  # the MDO type says it, in any language
    return out


def on_mdo_concluded(sender, consultation, person, held_on, reimbursable, paid_professionals, actor=None,  # noqa: ANN001
                     billing_code: str = "", **kwargs) -> None:
    """Receiver of ``consultations.signals.mdo_concluded``."""
    register_mdo_fees(consultation, person, held_on, reimbursable, list(paid_professionals or []), actor=actor,
                      billing_code=billing_code)


def audit_list(actor, person: Person, request=None) -> None:  # noqa: ANN001
    """A person's provisions and budget were looked at (personal data)."""
    record_access(actor, "read", "Claim", str(person.fhir_id), person=person, request=request)
