"""The permission table: every action of every app, and who may do it (issue 17, decision 0020).

Before this table each app and each door decided "may this actor do this?" on its own, and the
newer doors (received records, imports, programmes, billing, MDO) reopened holes. Now:

* every action is a row here: a dotted name (``app.action``), the access level it needs on the
  person's file (decided by :func:`careweave.access.decisions.decide`, decision 0004) and a
  predicate on the actor's relationship (team member, representative, appointed case manager,
  zone staff of the person's zone, convener, provider, author), discipline and sector, built from
  :mod:`careweave.access.predicates` with django-rules;
* every action calls :func:`authorize` before anything else; a refusal is audited on the
  person's file and raised as a ``RuleViolation`` the doors render (a message, a 403/422);
* pages derive their links and buttons from :func:`may` (the ``{% may %}`` tag), so nobody sees
  a control they may not use;
* ``docs/security.md`` is generated from this table (``careweave permissions --markdown``) and
  ``tests/access/test_permission_matrix.py`` runs every row for every demo role.

The rows are grouped in one section per app; an app's rows and the predicates only its rows use
sit in that section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careweave.access.decisions import Decision, decide
from careweave.access.models import Level
from careweave.access.predicates import (
    has_break_glass,
    has_level,
    is_administrator,
    is_any_zone_staff,
    is_authenticated,
    is_care_professional,
    is_case_manager,
    is_coordinator,
    is_person_themselves,
    is_professional,
    is_team_informal_carer,
    is_team_professional,
    is_welfare_professional,
    is_zone_staff,
    person_coordinates_own_care,
    speaks_for_person,
    zone_role,
)
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person


@dataclass(frozen=True)
class Permission:
    """One row: an action, the level it needs on the person's file, and who may do it."""

    name: str
    label: Promise | str
    predicate: rules.Predicate
    level: int | Callable[[Any], int] | None = Level.PLAN
    resource_type: str = ""
    refusal: Promise | str = ""

    def level_for(self, target: Any) -> int | None:
        """The level needed on this target: fixed, or by the target's label (a medical goal needs full)."""
        return self.level(target) if callable(self.level) else self.level

    @property
    def app(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def who(self) -> str:
        """The predicate as written, for docs/security.md."""
        return self.predicate.name.replace("_", " ")


TABLE: dict[str, Permission] = {}

NOT_ALLOWED = _("You may not do this: %(action)s.")


def permission(
    name: str,
    predicate: rules.Predicate,
    *,
    label: Promise | str,
    level: int | Callable[[Any], int] | None = Level.PLAN,
    resource_type: str = "",
    refusal: Promise | str = "",
) -> Permission:
    """Add a row to the table (once per name)."""
    if name in TABLE:
        raise ValueError(f"permission {name} is declared twice")
    row = Permission(name, label, predicate, level, resource_type, refusal)
    TABLE[name] = row
    return row


# --------------------------------------------------------------------------- resolving a target

# Attributes followed, in order, from an action's target to the person it concerns.
_PATHS = ("person", "team", "plan", "care_plan", "goal", "task", "consultation", "enrolment", "episode",
          "assessment", "referral", "owner")


def person_of(target: Any, depth: int = 0) -> Person | None:
    """The person an action's target concerns (a Person, or a record that leads to one)."""
    if target is None or depth > 4:
        return None
    if isinstance(target, Person):
        return target
    for attribute in _PATHS:
        if attribute in ("person", "owner") or hasattr(type(target), attribute) or hasattr(target, attribute):
            try:
                value = getattr(target, attribute, None)
            except Exception:  # noqa: BLE001 - a missing related row leads to nobody
                value = None
            if value is not None and value is not target:
                found = person_of(value, depth + 1)
                if found is not None:
                    return found
    return None


def _resource_id(target: Any) -> str:
    return str(getattr(target, "fhir_id", None) or getattr(target, "pk", "") or "")


# --------------------------------------------------------------------------- asking the table


def _refuse(actor: Any, row: Permission, target: Any, person: Person | None, code: str, message: str,
            basis: str) -> RuleViolation:
    from careweave.access.audit import record_access

    event = record_access(
        actor,
        "execute",
        row.resource_type or type(target).__name__,
        _resource_id(target),
        person=person,
        outcome="denied",
        reason=f"{row.name}: {message}",
        basis=basis,
    )
    error = RuleViolation(code, message)
    error.denied_audit = event  # kept after the action's rollback (careplans.actions._common.atomic_action)
    error.permission = row.name
    return error


def _not_allowed(row: Permission) -> str:
    message = str(row.refusal or NOT_ALLOWED)
    return message % {"action": str(row.label)} if "%(action)s" in message else message


def check(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> tuple[bool, str, str]:
    """``(allowed, code, message)`` for ``actor`` doing ``name`` on ``target``, without auditing."""
    row = TABLE[name]
    person = person if person is not None else person_of(target)
    needed = row.level_for(target)
    if needed is not None and person is not None:
        decision = decide(actor, person)
        if not decision.allows(needed):
            return False, "no_access", decision.refusal
    if not row.predicate.test(actor, target if target is not None else person):
        return False, "not_allowed", _not_allowed(row)
    return True, "", ""


def authorize(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> Decision | None:
    """Refuse (audited, as a ``RuleViolation``) unless the table lets ``actor`` do ``name`` on ``target``.

    The first call of every action. Returns the actor's access decision on the person, if any.
    """
    row = TABLE[name]
    person = person if person is not None else person_of(target)
    decision = decide(actor, person) if person is not None else None
    needed = row.level_for(target)
    if needed is not None and decision is not None and not decision.allows(needed):
        raise _refuse(actor, row, target if target is not None else person, person, "no_access",
                      decision.refusal, decision.basis)
    if not row.predicate.test(actor, target if target is not None else person):
        raise _refuse(actor, row, target if target is not None else person, person, "not_allowed", _not_allowed(row),
                      decision.basis if decision is not None else "")
    return decision


def may(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> bool:
    """Whether ``actor`` may do ``name`` on ``target`` (for links and buttons; not audited)."""
    return check(actor, name, target, person=person)[0]


def allowed(actor: Any, names: Iterable[str], target: Any = None) -> dict[str, bool]:
    """Several answers at once, for a page's controls."""
    return {name: may(actor, name, target) for name in names}


# --------------------------------------------------------------------------- the table's documentation


def as_markdown() -> str:
    """docs/security.md's table, generated from the rows (English, for developers and auditors)."""
    from django.utils import translation

    levels = {None: "—", Level.PLAN: "plan", Level.FULL: "full"}

    def level(row: Permission) -> str:
        return "by the item's label" if callable(row.level) else levels.get(row.level, str(row.level))

    lines = ["| action | what | level on the file | who may |", "|---|---|---|---|"]
    with translation.override("en"):
        for row in sorted(TABLE.values(), key=lambda r: r.name):
            lines.append(f"| `{row.name}` | {row.label} | {level(row)} | {row.who} |")
    return "\n".join(lines) + "\n"


def by_label(target: Any) -> int:
    """Medical items (``is_medical``) need the full file; the rest the shared plan (decision 0004)."""
    return Level.FULL if getattr(target, "is_medical", False) else Level.PLAN


# Predicates shared by several sections.
team_professional_or_case_manager = is_team_professional | is_case_manager
care_team = team_professional_or_case_manager | speaks_for_person | is_team_informal_carer
professional_in_care = (is_team_professional & is_care_professional) | is_case_manager


# =========================================================================== access (consent, emergency)

# =========================================================================== people (network, registration)

# =========================================================================== careplans (team, plan, coordination)

# Example of a row; an action calls ``authorize(actor, "careplans.start_care_plan", person)`` first.
permission("careplans.start_care_plan", team_professional_or_case_manager | speaks_for_person,
           label=_("start the shared plan"), resource_type="CarePlan")

# =========================================================================== assessments

# =========================================================================== programmes and pathways

# Who enrols (issue 17, defect 5): a professional of the team or the appointed case manager, with the
# person's agreement (recorded on the enrolment), or the person / their representative themselves.
# The case manager is "de referentiepersoon" and "alle beslissingen worden genomen in overleg met de
# rechthebbende" (001 l.19658-19664); an informal carer in the team does not enrol (he is not the
# person's representative).
decides_programmes = team_professional_or_case_manager | speaks_for_person


@rules.predicate
def keeps_pathway(actor: Any, target: Any) -> bool:
    """The pathway's owner account or the staff of the zone keeping it (001 l.19163); a pathway
    without zone: its owner or a platform administrator."""
    from careweave.programmes.models import PathwayVersion
    from careweave.territory.models import ZoneStaff

    pathway = target.pathway if isinstance(target, PathwayVersion) else target
    if pathway is None or not is_authenticated(actor):
        return False
    if pathway.owner_user_id is not None and pathway.owner_user_id == actor.pk:
        return True
    if pathway.zone_id is None:
        return bool(actor.is_staff)
    return ZoneStaff.objects.filter(user=actor, zone_id=pathway.zone_id, role__in=PATHWAY_REGISTRY_ROLES).exists()


PATHWAY_REGISTRY_ROLES = ("staff", "contact_point", "policy")
keeps_zone_inventory = zone_role(*PATHWAY_REGISTRY_ROLES)

permission("programmes.enrol_in_programme", decides_programmes, label=_("enrol the person in a programme"),
           resource_type="CarePlan")
permission("programmes.update_enrolment", decides_programmes,
           label=_("record the birth or change the reference person of a programme"), resource_type="CarePlan")
permission("programmes.leave_programme", decides_programmes, label=_("end the person's programme"),
           resource_type="CarePlan")
# Bringing the current phase's items into the plan: whoever works on the plan (on opening it).
permission("programmes.sync_enrolment", care_team, label=_("bring a programme's phase into the plan"),
           resource_type="CarePlan")
permission("programmes.request_pathway", keeps_zone_inventory, level=None,
           label=_("record a pathway request in the zone's inventory"), resource_type="PlanDefinition")
permission("programmes.move_pathway_step", keeps_pathway, level=None,
           label=_("move a pathway through the steps of its lifecycle"), resource_type="PlanDefinition")

# =========================================================================== consultations (MDO)

# Who convenes (decision 0016): a professional of the team, the appointed case manager, or the
# person/representative when they coordinate their own care (001 l.19370-19376, l.19600-19602).
may_convene = is_team_professional | is_case_manager | person_coordinates_own_care


@rules.predicate
def runs_mdo(actor: Any, target: Any) -> bool:
    """The MDO's convener; when the convener left the team, the person's coordinator or case manager
    (or the person coordinating their own care) takes over. A proposal nobody convened yet is
    anyone's who may convene (issue 17, defect 7)."""
    from careweave.consultations.models import Consultation

    if not may_convene.test(actor, target):
        return False
    if not isinstance(target, Consultation) or target.convened_by_id is None:
        return True
    if target.convened_by_id == actor.pk:
        return True
    if may_convene.test(target.convened_by, target):
        return False  # the convener is still there: the meeting is theirs
    return (is_coordinator | is_case_manager | person_coordinates_own_care).test(actor, target)


@rules.predicate
def attended_as_professional(actor: Any, target: Any) -> bool:
    """A professional who attended the MDO (minutes are often written by a participant)."""
    from careweave.consultations.models import Consultation

    return (isinstance(target, Consultation) and is_professional(actor)
            and target.participants.filter(attended=True, member__professional__user=actor).exists())


@rules.predicate
def is_invitee(actor: Any, target: Any) -> bool:
    """The invitee themselves; for the person: the person or their representative/proxy."""
    from careweave.consultations.models import Participant

    if not isinstance(target, Participant) or not is_authenticated(actor):
        return False
    if target.is_person:
        return speaks_for_person(actor, target.consultation.person)
    member = target.member
    return member.user is not None and member.user.pk == actor.pk


permission("consultations.propose_mdo", may_convene, label=_("propose an MDO"), resource_type="Appointment")
permission("consultations.schedule_mdo", runs_mdo, label=_("schedule or move an MDO"),
           resource_type="Appointment")
permission("consultations.invite_to_mdo", runs_mdo, label=_("invite to an MDO"), resource_type="Appointment")
permission("consultations.respond_to_invitation", is_invitee, label=_("answer an invitation to an MDO"),
           resource_type="Appointment")
permission("consultations.record_attendance", runs_mdo, label=_("record who attended an MDO"),
           resource_type="Appointment")
permission("consultations.write_minutes", runs_mdo | attended_as_professional, label=_("write the minutes of an MDO"),
           resource_type="Appointment")
permission("consultations.record_decision", runs_mdo, label=_("record a decision of an MDO"),
           resource_type="Appointment")
permission("consultations.conclude_mdo", runs_mdo, label=_("conclude an MDO"), resource_type="Appointment")
permission("consultations.cancel_mdo", runs_mdo, label=_("cancel an MDO"), resource_type="Appointment")

# =========================================================================== financing

# Zone staff of the person's zone (staff or contact point; policy makers see aggregates only).
zone_office = zone_role("staff", "contact_point")


def provision_fits(ptype: Any, professional: Any, organisation: Any = None) -> bool:
    """The provider's discipline may provide this type (``ProvisionType.disciplines``, data); an
    organisation has no discipline. No type: the question is about the page, not one type."""
    if ptype is None:
        return True
    if professional is None:
        return organisation is not None
    return professional.discipline in (ptype.disciplines or [])


@rules.predicate
def registers_own_provision(actor: Any, target: Any) -> bool:
    """A professional in a care relationship with the person, registering themselves as provider of a
    type their discipline may provide; a medical type needs full access (issue 17, defect 6)."""
    ptype = getattr(target, "provision_type", None)
    named = getattr(target, "professional", None)
    if not is_professional(actor) or not team_professional_or_case_manager.test(actor, target):
        return False
    if named is not None and named.user_id != actor.pk:
        return False
    if ptype is not None and named is None:
        return False  # a professional registers with themselves as provider
    needed = Level.FULL if ptype is not None and ptype.medical else Level.PLAN
    return has_level(needed).test(actor, target) and provision_fits(ptype, actor.professional)


@rules.predicate
def zone_office_for_fitting_provider(actor: Any, target: Any) -> bool:
    """Zone staff of the person's zone, on behalf of a named provider whose discipline fits."""
    return zone_office.test(actor, target) and provision_fits(
        getattr(target, "provision_type", None), getattr(target, "professional", None),
        getattr(target, "organisation", None))


@rules.predicate
def provided_or_registered(actor: Any, target: Any) -> bool:
    """The provision's provider or the one who registered it."""
    if not is_authenticated(actor):
        return False
    professional = getattr(target, "professional", None)
    return (professional is not None and professional.user_id == actor.pk) or \
        getattr(target, "registered_by_id", None) == actor.pk


permission("financing.add_tariff", is_administrator, level=None, label=_("add a tariff"), resource_type="ChargeItem",
           refusal=_("Only an administrator can change tariffs."))
permission("financing.allocate_budget", zone_office, level=None, label=_("allocate care units"),
           resource_type="Account", refusal=_("Only the staff of the person's zone can allocate care units."))
permission("financing.transfer_units", zone_office, level=None, label=_("transfer care units"),
           resource_type="Account", refusal=_("Only the staff of the zone can transfer care units."))
permission("financing.register_provision", registers_own_provision | zone_office_for_fitting_provider, level=None,
           label=_("register a provision"), resource_type="Claim")
permission("financing.cancel_provision", zone_office | (provided_or_registered & has_level(Level.PLAN)), level=None,
           label=_("cancel a provision"), resource_type="Claim",
           refusal=_("Only the provider, the one who registered it or the staff of the person's zone can cancel a "
                     "provision."))
# Reads: the person's provisions and budget page; provisions of a medical type need full access.
permission("financing.see_provisions", has_level(Level.PLAN) | zone_office, level=None,
           label=_("see the person's provisions and budget"), resource_type="Claim")
permission("financing.see_medical_provisions", has_level(Level.FULL) | zone_office, level=None,
           label=_("see provisions of a medical type"), resource_type="Claim")
# The MDO fee has no row: the system registers it from a concluded MDO (financing.actions.register_mdo_fees,
# the receiver of consultations.signals.mdo_concluded); consultations.conclude_mdo decides who concludes.

# =========================================================================== territory (social map, referrals)


@rules.predicate
def keeps_service(actor: Any, target: Any) -> bool:
    """The provider keeps its entry: its managers, or the professional it describes."""
    if not is_authenticated(actor):
        return False
    if target.professional_id and target.professional.user_id == actor.pk:
        return True
    return target.managed_by.filter(pk=actor.pk).exists()


@rules.predicate
def receives_referral(actor: Any, target: Any) -> bool:
    """The provider who receives the referral: the service's managers or the professional it describes."""
    from careweave.territory.actions import receivers_of

    return is_authenticated(actor) and actor in receivers_of(target.service)


@rules.predicate
def made_referral(actor: Any, target: Any) -> bool:
    return is_authenticated(actor) and target.requested_by_id == actor.pk


permission("territory.register_service", is_professional | is_administrator, level=None,
           label=_("put an entry on the social map"), resource_type="HealthcareService",
           refusal=_("Only a care or welfare provider can put an entry on the social map."))
permission("territory.update_service", keeps_service, level=None, label=_("change an entry of the social map"),
           resource_type="HealthcareService", refusal=_("Only the provider who keeps this entry can change it."))
permission("territory.add_keeper", keeps_service, level=None, label=_("share the keeping of an entry"),
           resource_type="HealthcareService", refusal=_("Only the provider who keeps this entry can change it."))
permission("territory.refer_to_service", care_team, label=_("refer the person to a service"),
           resource_type="ServiceRequest")
permission("territory.accept_referral", receives_referral, level=None, label=_("accept a referral"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.refuse_referral", receives_referral, level=None, label=_("refuse a referral"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.complete_referral", receives_referral, level=None, label=_("mark a referral as done"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.see_referral", made_referral | receives_referral | has_level(Level.PLAN), level=None,
           label=_("see a referral"), resource_type="ServiceRequest")

# =========================================================================== maturity

# =========================================================================== population

# =========================================================================== records (received data)

__all__ = [
    "TABLE",
    "Permission",
    "allowed",
    "as_markdown",
    "authorize",
    "care_team",
    "check",
    "has_break_glass",
    "is_administrator",
    "is_any_zone_staff",
    "is_coordinator",
    "is_person_themselves",
    "is_professional",
    "is_welfare_professional",
    "is_zone_staff",
    "may",
    "permission",
    "person_coordinates_own_care",
    "person_of",
    "professional_in_care",
    "team_professional_or_case_manager",
    "zone_role",
]
