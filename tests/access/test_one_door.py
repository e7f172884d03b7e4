"""Every action asks the permission table first, and the table names only actions that exist (issue 17).

Read from the source (ast), so a new action without its row, or a check moved below a write, fails
here before any user finds the hole.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from careweave.access.permissions import TABLE

ROOT = Path(__file__).resolve().parents[2] / "careweave"

# Modules whose public functions taking ``actor`` first are actions.
ACTION_MODULES = sorted(
    [*ROOT.glob("*/actions.py"), *ROOT.glob("*/actions/*.py"), ROOT / "programmes" / "registry.py",
     ROOT / "people" / "registration.py"]
)


def _actions() -> list[tuple[Path, ast.FunctionDef]]:
    found = []
    for path in ACTION_MODULES:
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = [a.arg for a in node.args.args]
            if not params or params[0] != "actor":
                continue
            decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in node.decorator_list}
            writes = "atomic_action" in decorators or "atomic" in decorators
            found.append((path, node)) if writes or _calls_authorize(node) else None
    return found


def _authorize_call(statement: ast.stmt) -> ast.Call | None:
    value = getattr(statement, "value", None)
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.Expr) and isinstance(value, ast.Call):
        func = value.func
        name = getattr(func, "id", getattr(func, "attr", ""))
        if name == "authorize":
            return value
    return None


def _calls_authorize(node: ast.FunctionDef) -> bool:
    return any(_authorize_call(s) is not None for s in ast.walk(node) if isinstance(s, ast.stmt))


def _first_statement(node: ast.FunctionDef) -> ast.stmt:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return body[0]


ACTIONS = _actions()


def test_there_are_actions_to_check() -> None:
    assert len(ACTIONS) > 60


@pytest.mark.parametrize(("path", "node"), ACTIONS, ids=[f"{p.parent.name}.{n.name}" for p, n in ACTIONS])
def test_every_action_asks_the_table_before_anything_else(path: Path, node: ast.FunctionDef) -> None:
    call = _authorize_call(_first_statement(node))
    assert call is not None, f"{path.relative_to(ROOT)}:{node.lineno} {node.name} does not start with authorize()"
    name = call.args[1].value if len(call.args) > 1 and isinstance(call.args[1], ast.Constant) else None
    assert name in TABLE, f"{node.name} asks for {name!r}, which the permission table does not name"


def test_every_row_names_an_action_or_a_declared_read() -> None:
    functions = {(p.parent.name if p.parent.name != "actions" else p.parent.parent.name, n.name)
                 for p, n in ACTIONS}
    for row in TABLE.values():
        app, _sep, action = row.name.partition(".")
        if (app, action) in functions:
            continue
        # Reads and page permissions (population.view_zone_dashboard...) are rows without an action function;
        # they must be used somewhere in the code base.
        used = any(f'"{row.name}"' in path.read_text() for path in ROOT.rglob("*.py") if path.name != "permissions.py")
        used = used or any(f'"{row.name}"' in path.read_text() for path in ROOT.rglob("*.html"))
        assert used, f"{row.name} is in the table but nothing asks for it"


# An app's own door modules (pages, its FHIR handlers, its commands) may use the doors' helpers.
DOOR_MODULES = {"views", "urls", "forms", "cli", "fhir_views", "admin", "apps", "panel"}
DOOR_PARTS = {"migrations", "management", "templatetags", "views"}


def test_the_domain_never_imports_a_door() -> None:
    doors = ("careweave.web", "careweave.fhir", "careweave.cli")
    domain = [p for p in ROOT.glob("*/") if p.is_dir() and p.name not in {"web", "fhir", "cli", "demo", "locale",
                                                                            "formats", "__pycache__"}]
    offenders = []
    for app in domain:
        for path in app.rglob("*.py"):
            if DOOR_PARTS & set(path.parts) or path.stem in DOOR_MODULES:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
                if any(n.startswith(doors) for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {names}")
    assert not offenders, "\n".join(offenders)


def test_the_table_is_importable_and_documented() -> None:
    module = importlib.import_module("careweave.access.permissions")
    docs = (ROOT.parent / "docs" / "security.md").read_text()
    assert module.as_markdown() in docs, "docs/security.md is out of date: run `manage.py permission_table`"
