"""The role × action matrix: every row of the permission table for each of the ten demo roles (issue 17).

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

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-matrix")]

EXPECTED = yaml.safe_load((Path(__file__).parent / "permission_matrix.yaml").read_text())
ROLES = ["person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff", "physio",
         "admin"]


@pytest.fixture
def demo() -> dict:
    from careweave.demo import load_demo

    return load_demo(persons=60, seed=42)


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


def _target_kind(name: str) -> str:
    """The kind of target: the action's second parameter (``actor, goal, ...``), or the row's own word."""
    explicit = EXPECTED.get(name, {}).get("target") if isinstance(EXPECTED.get(name), dict) else None
    if explicit:
        return explicit
    action = _action(name)
    if action is None:
        return "person"
    params = list(inspect.signature(inspect.unwrap(action)).parameters)
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
