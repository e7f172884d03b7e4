"""Shared cast for the domain tests: a person, their network, professionals, a zone and its staff.

Every fixture goes through the models directly (that is set-up, not behaviour under test); all
behaviour under test goes through the domain actions. Users get no usable password, so no slow
Argon2 hashing happens outside the login-security tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User

from careweave.careplans.actions import add_team_member, team_for
from careweave.careplans.models import CareTeam, TeamMember, TrainingRecord
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional, RelatedPerson, Sector
from careweave.territory.models import Zone, ZoneStaff

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


@pytest.fixture
def make_user(db) -> Callable[..., User]:  # noqa: ANN001
    def make(username: str | None = None, **extra) -> User:  # noqa: ANN003
        n = _next()
        return User.objects.create_user(username or f"user{n}", **extra)

    return make


@pytest.fixture
def zone(db) -> Zone:  # noqa: ANN001
    return Zone.objects.create(code="ELZ-WEST", name="ELZ Westhoek", region=Zone.Region.FLANDERS)


@pytest.fixture
def other_zone(db) -> Zone:  # noqa: ANN001
    return Zone.objects.create(code="ELZ-OOST", name="ELZ Oostkust", region=Zone.Region.FLANDERS)


@pytest.fixture
def make_person(make_user, zone) -> Callable[..., Person]:  # noqa: ANN001
    def make(given: str = "Maria", family: str | None = None, *, with_user: bool = True, **extra) -> Person:  # noqa: ANN003
        n = _next()
        extra.setdefault("zone", zone)
        return Person.objects.create(
            given_name=given,
            family_name=family or f"Peeters{n}",
            ssin=make_ssin(date(1940, 1, 1 + n % 28), 1 + n % 998),
            user=make_user(f"person{n}") if with_user else None,
            **extra,
        )

    return make


@pytest.fixture
def make_professional(make_user, zone) -> Callable[..., Professional]:  # noqa: ANN001
    def make(
        discipline: str = Discipline.GP,
        sector: str = Sector.CARE,
        *,
        given: str = "Jan",
        with_user: bool = True,
        **extra,  # noqa: ANN003
    ) -> Professional:
        n = _next()
        extra.setdefault("zone", zone)
        return Professional.objects.create(
            given_name=given,
            family_name=f"{discipline.title()}{n}",
            discipline=discipline,
            sector=sector,
            nihdi=make_nihdi(1, n, 3) if sector == Sector.CARE else "",
            user=make_user(f"pro{n}") if with_user else None,
            **extra,
        )

    return make


@pytest.fixture
def make_related(make_user) -> Callable[..., RelatedPerson]:  # noqa: ANN001
    def make(person: Person, relationship: str = RelatedPerson.Relationship.CHILD, **extra) -> RelatedPerson:  # noqa: ANN003
        n = _next()
        with_user = extra.pop("with_user", True)
        return RelatedPerson.objects.create(
            person=person,
            given_name=extra.pop("given", "Els"),
            family_name=f"Carer{n}",
            relationship=relationship,
            user=make_user(f"carer{n}") if with_user else None,
            **extra,
        )

    return make


@pytest.fixture
def person(make_person) -> Person:  # noqa: ANN001
    return make_person("Maria", "Peeters")


@pytest.fixture
def team(person) -> CareTeam:  # noqa: ANN001
    return team_for(person)


@pytest.fixture
def representative(make_related, person) -> RelatedPerson:  # noqa: ANN001
    """The daughter, who represents her mother and has proxy access."""
    return make_related(person, given="Els", is_representative=True, has_proxy_access=True)


@pytest.fixture
def carer(make_related, person) -> RelatedPerson:  # noqa: ANN001
    """A neighbour who helps: an informal carer without representation."""
    return make_related(person, RelatedPerson.Relationship.NEIGHBOUR, given="Rik")


@pytest.fixture
def gp(make_professional) -> Professional:  # noqa: ANN001
    return make_professional(Discipline.GP, given="Griet")


@pytest.fixture
def nurse(make_professional) -> Professional:  # noqa: ANN001
    return make_professional(Discipline.HOME_NURSE, given="Nora")


@pytest.fixture
def social_worker(make_professional) -> Professional:  # noqa: ANN001
    return make_professional(Discipline.SOCIAL_WORKER, Sector.WELFARE, given="Sofie")


@pytest.fixture
def outsider(make_professional) -> Professional:
    """A care professional with no relationship to the person."""
    return make_professional(Discipline.GP, given="Otto")


@pytest.fixture
def make_case_manager(make_professional, zone) -> Callable[..., Professional]:  # noqa: ANN001
    def make(capacity: int = 5, in_zone: Zone | None = None) -> Professional:
        professional = make_professional(Discipline.CASE_MANAGER, Sector.WELFARE, given="Karel")
        TrainingRecord.objects.create(
            professional=professional,
            function=TrainingRecord.Function.CASE_MANAGER,
            zone=in_zone or zone,
            trained_on=date(2025, 3, 1),
            capacity=capacity,
        )
        return professional

    return make


@pytest.fixture
def case_manager(make_case_manager) -> Professional:  # noqa: ANN001
    return make_case_manager()


@pytest.fixture
def zone_staff(make_user, zone) -> User:  # noqa: ANN001
    user = make_user("meldpunt")
    ZoneStaff.objects.create(user=user, zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    return user


@pytest.fixture
def join(db) -> Callable[..., TeamMember]:  # noqa: ANN001
    """The person adds someone to their own team (active at once)."""

    def add(team: CareTeam, who: Professional | RelatedPerson, **extra) -> TeamMember:  # noqa: ANN003
        key = "professional" if isinstance(who, Professional) else "related_person"
        return add_team_member(team.person.user, team, **{key: who}, **extra)

    return add


@pytest.fixture
def members(team, gp, nurse, social_worker, carer, join) -> dict:  # noqa: ANN001
    return {
        "gp": join(team, gp),
        "nurse": join(team, nurse),
        "social_worker": join(team, social_worker),
        "carer": join(team, carer),
    }
