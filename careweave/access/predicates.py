"""Relationships between an actor and a person (or a zone), as django-rules predicates.

The permission table (:mod:`careweave.access.permissions`) combines these with ``&``, ``|`` and
``~``; nothing else in the code base asks "who is this actor to this person?" on its own. Each
predicate takes ``(actor, person)``: the table resolves the action's target to the person first
(:func:`careweave.access.permissions.person_of`). Predicates on other targets (an MDO's convener,
a referral's receiver) live in the table's sections, beside the rows that use them.

Relationship facts are cheap indexed queries, looked up through
:func:`careweave.access.decisions.relationship` so that a page asks each fact once for all the persons
it shows (issue 19); ``decide`` is the one function that turns them into an access level (decision
0004), and these predicates reuse it where the level's basis says it.
"""

from __future__ import annotations

from typing import Any

import rules

from careweave.access.decisions import _active_professional, decide, relationship
from careweave.people.models import Person, Sector


def _person(target: Any) -> Person | None:
    from careweave.access.permissions import person_of

    return person_of(target)


def _authenticated(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


@rules.predicate
def is_authenticated(actor: Any) -> bool:
    return _authenticated(actor)


@rules.predicate
def is_person_themselves(actor: Any, target: Any) -> bool:
    person = _person(target)
    return _authenticated(actor) and person is not None and person.user_id == actor.pk


@rules.predicate
def speaks_for_person(actor: Any, target: Any) -> bool:
    """The person, their representative or someone with proxy access: those who decide (decision 0006)."""
    person = _person(target)
    return _authenticated(actor) and person is not None and decide(actor, person).basis in ("self", "proxy")


@rules.predicate
def is_professional(actor: Any) -> bool:
    """An active professional (a deactivated one keeps no rights)."""
    return _authenticated(actor) and _active_professional(actor) is not None


@rules.predicate
def is_care_professional(actor: Any) -> bool:
    professional = _active_professional(actor) if _authenticated(actor) else None
    return professional is not None and professional.sector == Sector.CARE


@rules.predicate
def is_welfare_professional(actor: Any) -> bool:
    professional = _active_professional(actor) if _authenticated(actor) else None
    return professional is not None and professional.sector == Sector.WELFARE


def has_discipline(*disciplines: str) -> rules.Predicate:
    """A professional of one of these disciplines (``people.Discipline`` values)."""

    def check(actor: Any) -> bool:
        professional = _active_professional(actor) if _authenticated(actor) else None
        return professional is not None and professional.discipline in disciplines

    return rules.Predicate(check, name="discipline in " + "/".join(disciplines))


@rules.predicate
def is_team_professional(actor: Any, target: Any) -> bool:
    """An active professional who is an active member of the person's care team."""
    person = _person(target)
    professional = _active_professional(actor) if _authenticated(actor) else None
    return person is not None and professional is not None and relationship(actor, person, "team_professional")


@rules.predicate
def is_team_informal_carer(actor: Any, target: Any) -> bool:
    """Someone of the person's informal network who is an active member of the care team."""
    person = _person(target)
    return person is not None and _authenticated(actor) and relationship(actor, person, "team_informal")


@rules.predicate
def is_case_manager(actor: Any, target: Any) -> bool:
    """The person's appointed case manager (external to the team, 001 l.19280-19300)."""
    person = _person(target)
    professional = _active_professional(actor) if _authenticated(actor) else None
    return person is not None and professional is not None and relationship(actor, person, "case_manager")


@rules.predicate
def is_coordinator(actor: Any, target: Any) -> bool:
    """The professional who holds the person's active coordination."""
    person = _person(target)
    professional = _active_professional(actor) if _authenticated(actor) else None
    return person is not None and professional is not None and relationship(actor, person, "coordinator")


@rules.predicate
def person_coordinates_own_care(actor: Any, target: Any) -> bool:
    """The person (or whoever speaks for them) holds the coordination themselves."""
    person = _person(target)
    return (
        person is not None
        and speaks_for_person(actor, target)
        and relationship(actor, person, "own_coordination")
    )


@rules.predicate
def has_break_glass(actor: Any, target: Any) -> bool:
    person = _person(target)
    return person is not None and _authenticated(actor) and relationship(actor, person, "break_glass")


@rules.predicate
def has_file_access(actor: Any, target: Any) -> bool:
    """Whoever the person's access decision lets in at the row's level (the level check decides).

    The rule of the plan's everyday writes before the table (``require_level``): team members,
    the case manager, consent, break-the-glass and the person; their choices narrow it. Only
    for rows with a level: on its own it says nothing.
    """
    return _authenticated(actor) and _person(target) is not None


def _zone_of(target: Any) -> Any:
    from careweave.territory.models import Zone

    if isinstance(target, Zone):
        return target
    zone = getattr(target, "zone", None)
    if zone is not None:
        return zone
    person = _person(target)
    return person.zone if person is not None else None


@rules.predicate
def is_zone_staff(actor: Any, target: Any) -> bool:
    """Staff (any zone role) of the target's zone: the zone itself, or the person's zone."""
    from careweave.territory.models import ZoneStaff

    zone = _zone_of(target)
    return zone is not None and _authenticated(actor) and ZoneStaff.objects.filter(user=actor, zone=zone).exists()


def zone_role(*roles: str) -> rules.Predicate:
    """Staff of the target's zone in one of these roles (``territory.ZoneStaff.Role`` values)."""

    def check(actor: Any, target: Any) -> bool:
        from careweave.territory.models import ZoneStaff

        zone = _zone_of(target)
        return (
            zone is not None
            and _authenticated(actor)
            and ZoneStaff.objects.filter(user=actor, zone=zone, role__in=roles).exists()
        )

    return rules.Predicate(check, name="zone role " + "/".join(roles))


@rules.predicate
def is_any_zone_staff(actor: Any) -> bool:
    from careweave.territory.models import ZoneStaff

    return _authenticated(actor) and ZoneStaff.objects.filter(user=actor).exists()


@rules.predicate
def is_administrator(actor: Any) -> bool:
    """Platform staff: manages reference data (tariffs), never personal files (decision 0011)."""
    return _authenticated(actor) and bool(actor.is_staff)


def has_level(level: int) -> rules.Predicate:
    """At least this access level on the person's file (for rows whose ``level`` is None because
    another relationship, e.g. zone staff, may act without access to the file)."""

    def check(actor: Any, target: Any) -> bool:
        person = _person(target)
        return person is not None and _authenticated(actor) and decide(actor, person).allows(level)

    return rules.Predicate(check, name={1: "plan access", 2: "full access"}.get(level, f"access level {level}"))
