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
    is_administrator,
    is_any_zone_staff,
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

# =========================================================================== consultations (MDO)

# =========================================================================== financing

# =========================================================================== territory (social map, referrals)

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
