"""Cast for the FHIR API tests: a GP with an API token, a person in her care team with a shared plan.

Set-up goes through the models and actions directly; the behaviour under test goes through HTTP
(the Django test client) with ``Authorization: Bearer`` tokens from ``ApiToken.issue``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from careweave.access.models import ApiToken
from careweave.careplans.actions import (
    add_goal,
    add_team_member,
    assign_task,
    enrol_registering_professional,
    start_care_plan,
    team_for,
)
from careweave.careplans.models import CarePlan
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional, Sector

FHIR_JSON = "application/fhir+json"
BASE = "/fhir/R4"
_serial = itertools.count(1)


class Api:
    """A FHIR client speaking as one user (bearer token), in a chosen language."""

    def __init__(self, client: Client, token: str | None, language: str = "en") -> None:
        self.client = client
        self.headers: dict[str, str] = {"HTTP_ACCEPT_LANGUAGE": language}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(BASE + path, **self.headers, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(BASE + path, data=data, content_type=FHIR_JSON, **self.headers, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.put(BASE + path, data=data, content_type=FHIR_JSON, **self.headers, **headers)


def make_professional_user(discipline: str = Discipline.GP, sector: str = Sector.CARE,
                           given: str = "Jan") -> Professional:
    n = next(_serial)
    user = User.objects.create_user(f"pro{n}-{discipline}", first_name=given, last_name=f"Pro{n}")
    return Professional.objects.create(
        user=user, given_name=given, family_name=f"Pro{n}", discipline=discipline, sector=sector,
        nihdi=make_nihdi(1, 500 + n, 3) if sector == Sector.CARE else "",
    )


@pytest.fixture
def make_api(client: Client) -> Callable[..., Api]:
    def make(user: User | None, language: str = "en") -> Api:
        return Api(client, ApiToken.issue(user) if user is not None else None, language)

    return make


@pytest.fixture
def gp(db) -> Professional:  # noqa: ANN001
    return make_professional_user(Discipline.GP, given="Griet")


@pytest.fixture
def stranger(db) -> Professional:  # noqa: ANN001
    """A GP with no relationship with anyone."""
    return make_professional_user(Discipline.GP, given="Stan")


@pytest.fixture
def social_worker(db) -> Professional:  # noqa: ANN001
    return make_professional_user(Discipline.SOCIAL_WORKER, Sector.WELFARE, given="Sofie")


@pytest.fixture
def api(make_api, gp) -> Api:  # noqa: ANN001
    return make_api(gp.user)


@pytest.fixture
def person(db, gp) -> Person:  # noqa: ANN001
    """Maria, with her own login, whose care team the GP started when registering her."""
    user = User.objects.create_user("maria", first_name="Maria", last_name="Peeters")
    maria = Person.objects.create(given_name="Maria", family_name="Peeters", ssin=make_ssin(date(1941, 3, 2), 17),
                                  birth_date=date(1941, 3, 2), sex="female", user=user)
    enrol_registering_professional(gp.user, maria)
    return maria


@pytest.fixture
def plan(person, gp) -> CarePlan:  # noqa: ANN001
    """Maria's shared plan with two goals (one medical) and two tasks assigned to the GP."""
    plan = start_care_plan(gp.user, person, "Keep living at home")
    walk = add_goal(gp.user, plan, "Walk to the market twice a week", domain="daily_living")
    add_goal(gp.user, plan, "HbA1c below 7%", is_medical=True)
    member = team_for(person).members.get(professional=gp)
    assign_task(gp.user, plan, "Order a walking frame", assignee=member, goal=walk, due_date=date(2026, 12, 15))
    assign_task(gp.user, plan, "Adjust insulin dose", assignee=member, is_medical=True)
    return plan


@pytest.fixture
def welfare_member(person, social_worker) -> Professional:  # noqa: ANN001
    """A social worker in Maria's team, added by Maria herself (so active at once)."""
    add_team_member(person.user, team_for(person), professional=social_worker)
    return social_worker


@pytest.fixture
def validate_r4b() -> Callable[[dict[str, Any]], None]:
    """Fail when a resource does not parse as FHIR R4B with fhir.resources."""
    from fhir.resources.R4B import get_fhir_model_class

    def check(resource: dict[str, Any]) -> None:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)

    return check
