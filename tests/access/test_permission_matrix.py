"""The role × action matrix: every row of the permission table for each of the eleven demo roles (issue 17).

The expected answers are written by hand in ``permission_matrix.yaml`` (who may, on Maria's file and the
demo zone); the test asks the table through :func:`authorize` — the call every action starts with — and
checks that each refusal leaves a refused audit entry on the person's file. ``test_one_door`` proves
every action starts with that call; the door tests below send a refused and an allowed request through
the web and the FHIR API and find the same answer and the same audit entry.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User

from careweave.access.models import AuditEvent
from careweave.access.permissions import TABLE, authorize
from careweave.careplans.errors import RuleViolation

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-60")]

EXPECTED = yaml.safe_load((Path(__file__).parent / "permission_matrix.yaml").read_text())
ROLES = ["person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff", "physio",
         "admin", "policy"]


DEMO = {"persons": 60, "seed": 42}


@pytest.fixture
def demo(demo_zone: dict) -> dict:
    return demo_zone


def _action(name: str) -> Any:
    """The action function a row names (None for reads without one)."""
    import importlib

    app, _sep, function = name.partition(".")
    for module in (f"careweave.{app}.actions", f"careweave.{app}.registry", f"careweave.{app}.registration"):
        try:
            found = getattr(importlib.import_module(module), function, None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


# Where the action's parameter name does not say which record it takes.
TARGET_OF = {
    "careplans.end_case_management": "case_episode",
    "careplans.update_life_goal": "life_goal",
    "territory.see_referral": "referral",
    "access.emergency_lookup": "none",
    "access.revoke_all_api_tokens": "gp_user",
    "fhir.manage_subscription": "subscription",
    # registrations and directory entries received from another system: about nobody's file yet
    "people.receive_person": "none",
    "people.record_professional": "none",
    "people.record_organisation": "none",
    "fhir.see_bulk_export": "export",  # issue 20: the status and files of one export
}


def _target_kind(name: str) -> str:
    """The kind of target: the action's second parameter (``actor, goal, ...``), or the row's own word."""
    if name in TARGET_OF:
        return TARGET_OF[name]
    action = _action(name)
    if action is None:
        return "person"
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p.name for p in inspect.signature(inspect.unwrap(action)).parameters.values() if p.kind in positional]
    return params[1] if len(params) > 1 else "none"


def _expected(name: str) -> set[str]:
    row = EXPECTED.get(name)
    if isinstance(row, dict):
        row = row.get("allowed", [])
    assert row is not None, f"{name}: add the roles that may do it to tests/access/permission_matrix.yaml"
    return set(row)


def test_the_expected_grid_names_every_row_and_nothing_else() -> None:
    assert set(EXPECTED) == set(TABLE), {
        "rows without an expected line": sorted(set(TABLE) - set(EXPECTED)),
        "expected lines without a row": sorted(set(EXPECTED) - set(TABLE)),
    }


def test_every_row_for_every_demo_role(demo: dict) -> None:
    from .matrix_targets import build_targets

    targets = build_targets()
    users = {role: User.objects.get(username=role) for role in ROLES}
    wrong = []
    for name in sorted(TABLE):
        kind = _target_kind(name)
        kind = f"{name.split('.')[0]}.{kind}" if f"{name.split('.')[0]}.{kind}" in targets else kind
        if kind not in targets:
            wrong.append(f"{name}: no demo target of kind {kind!r}")
            continue
        target = targets[kind]
        expected = _expected(name)
        for role, user in users.items():
            before = AuditEvent.objects.filter(outcome="denied").count()
            try:
                authorize(user, name, target)
                allowed = True
            except RuleViolation:
                allowed = False
                audited = AuditEvent.objects.filter(outcome="denied").count() == before + 1
                if not audited:
                    wrong.append(f"{name} / {role}: refused without a refused audit entry")
            if allowed != (role in expected):
                wrong.append(f"{name} / {role}: {'allowed' if allowed else 'refused'}, expected "
                             f"{'allowed' if role in expected else 'refused'}")
    assert not wrong, "\n".join(wrong)


def test_the_web_and_the_fhir_api_give_the_tables_answer_for_every_role(demo: dict, client) -> None:  # noqa: ANN001
    """The same row through two doors: a goal added on Maria's plan by FHIR ``POST Goal`` and the plan page's
    "add a goal" form, for each demo role; allowed exactly where the table allows, refused with an audit entry."""
    import json

    from careweave.access.models import ApiToken
    from careweave.access.permissions import may
    from careweave.careplans.models import Goal
    from careweave.people.models import Person

    maria = Person.objects.get(user__username="person")
    plan = maria.care_plans.order_by("-created_at").first()
    wrong = []
    for role in ROLES:
        user = User.objects.get(username=role)
        allowed = may(user, "careplans.add_goal", plan)
        # FHIR
        token = ApiToken.issue(user, name="matrix")
        body = {"resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": f"Goal by {role}"},
                "subject": {"reference": f"Patient/{maria.fhir_id}"}}
        denied_before = AuditEvent.objects.filter(outcome="denied", person=maria).count()
        response = client.post("/fhir/R4/Goal", data=json.dumps(body), content_type="application/fhir+json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        created = Goal.objects.filter(plan=plan, description=f"Goal by {role}").exists()
        if allowed != (response.status_code == 201) or allowed != created:
            wrong.append(f"FHIR POST Goal / {role}: {response.status_code}, table says {allowed}")
        if not allowed and AuditEvent.objects.filter(outcome="denied", person=maria).count() <= denied_before:
            wrong.append(f"FHIR POST Goal / {role}: refused without an audit entry on Maria's file")
        # Web: the plan page shows the form only to those the table allows.
        client.force_login(user)
        page = client.get(f"/persons/{maria.fhir_id}/")
        shows_form = 'data-test="add-goal"' in page.content.decode()
        if page.status_code == 200 and shows_form != allowed:
            wrong.append(f"web plan page / {role}: add-goal form {'shown' if shows_form else 'hidden'}, "
                         f"table says {allowed}")
        client.logout()
    assert not wrong, "\n".join(wrong)
