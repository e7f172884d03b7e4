"""A zone with its staff, persons, professionals with and without plan access, for the financing tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from population.conftest import spark  # noqa: F401 - the shared local Spark session

from careweave.careplans.actions import add_team_member, team_for
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional
from careweave.territory.models import Zone, ZoneStaff

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def zone(db) -> Zone:  # noqa: ANN001
    return Zone.objects.create(code="ELZ-WEST", name="ELZ Westhoek", region=Zone.Region.FLANDERS)


@pytest.fixture
def other_zone(db) -> Zone:  # noqa: ANN001
    return Zone.objects.create(code="ELZ-OOST", name="ELZ Oostkust", region=Zone.Region.FLANDERS)


@pytest.fixture
def make_user(db) -> Callable[..., User]:  # noqa: ANN001
    def make(username: str | None = None, **extra) -> User:  # noqa: ANN003
        return User.objects.create_user(username or f"user{next(_serial)}", **extra)

    return make


@pytest.fixture
def make_person(make_user, zone) -> Callable[..., Person]:  # noqa: ANN001
    def make(given: str = "Maria", **extra) -> Person:  # noqa: ANN003
        n = next(_serial)
        extra.setdefault("zone", zone)
        return Person.objects.create(given_name=given, family_name=f"Peeters{n}",
                                     ssin=make_ssin(date(1940, 1, 1 + n % 28), 1 + n % 998),
                                     user=make_user(f"person{n}"), **extra)

    return make


@pytest.fixture
def make_professional(make_user, zone) -> Callable[..., Professional]:  # noqa: ANN001
    def make(discipline: str = Discipline.GP, given: str = "Jan", **extra) -> Professional:  # noqa: ANN003
        n = next(_serial)
        extra.setdefault("zone", zone)
        return Professional.objects.create(given_name=given, family_name=f"{discipline.title()}{n}",
                                           discipline=discipline, nihdi=make_nihdi(1, n, 3),
                                           user=make_user(f"pro{n}"), **extra)

    return make


@pytest.fixture
def person(make_person) -> Person:  # noqa: ANN001
    return make_person("Maria")


@pytest.fixture
def gp(make_professional, person) -> Professional:  # noqa: ANN001
    """Maria's GP: in her care team, so with plan access."""
    professional = make_professional(Discipline.GP, given="Griet")
    add_team_member(person.user, team_for(person), professional=professional)
    return professional


@pytest.fixture
def outsider(make_professional) -> Professional:
    """A GP with no relationship to Maria."""
    return make_professional(Discipline.GP, given="Otto")


@pytest.fixture
def zone_staff(make_user, zone) -> User:  # noqa: ANN001
    user = make_user("meldpunt")
    ZoneStaff.objects.create(user=user, zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    return user


@pytest.fixture
def policy_maker(make_user, zone) -> User:  # noqa: ANN001
    user = make_user("beleid")
    ZoneStaff.objects.create(user=user, zone=zone, role=ZoneStaff.Role.POLICY)
    return user


@pytest.fixture
def admin(make_user) -> User:  # noqa: ANN001
    return make_user("boss", is_staff=True, is_superuser=True)


@pytest.fixture(scope="session")
def small_pop(tmp_path_factory) -> Path:
    """1,200 persons over all zones (simulator; engine comparison)."""
    from careweave.population.generator import generate

    out = tmp_path_factory.mktemp("fin-pop")
    generate(1200, 7, out)
    return out
