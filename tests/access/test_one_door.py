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


ASKS = {"authorize", "check", "may"}  # the table's questions
# Reads that only resolve what the question is about (which instrument), allowed before it.
RESOLVERS = {"_instrument"}


def _called(node: ast.AST) -> set[str]:
    return {getattr(n.func, "id", getattr(n.func, "attr", "")) for n in ast.walk(node) if isinstance(n, ast.Call)}


def _asking_helpers(tree: ast.Module, asks: set[str] = ASKS) -> set[str]:
    """Functions of the module that ask the table (directly or through another such function)."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    asking = {name for name, f in functions.items() if _called(f) & asks}
    grown = True
    while grown:
        more = {name for name, f in functions.items() if name not in asking and _called(f) & asking}
        grown = bool(more)
        asking |= more
    return asking


def _actions() -> list[tuple[Path, ast.FunctionDef, frozenset[str]]]:
    found = []
    for path in ACTION_MODULES:
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        asking = frozenset(_asking_helpers(tree) | ASKS)
        authorizing = _asking_helpers(tree, {"authorize"}) | {"authorize"}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = [a.arg for a in node.args.args]
            if not params or params[0] != "actor":
                continue
            decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in node.decorator_list}
            writes = bool(decorators & {"atomic_action", "atomic"})
            # Read helpers that only filter with may()/check() are not actions; writes and authorize() are.
            if writes or _called(node) & authorizing:
                found.append((path, node, asking))
    return found


def _body(node: ast.FunctionDef) -> list[ast.stmt]:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return body


def _is_guard(statement: ast.stmt) -> bool:
    """``if <bad input>: raise ...`` or resolving what is asked about: nothing written, nothing shown."""
    if isinstance(statement, ast.If) and all(isinstance(s, ast.Raise) for s in statement.body) \
            and not statement.orelse:
        return True
    value = getattr(statement, "value", None)
    return isinstance(statement, ast.Assign) and isinstance(value, ast.Call) and _called(value) <= RESOLVERS


ACTIONS = _actions()


def test_there_are_actions_to_check() -> None:
    assert len(ACTIONS) > 60


@pytest.mark.parametrize(("path", "node", "asking"), ACTIONS, ids=[f"{p.parent.name}.{n.name}" for p, n, _a in ACTIONS])
def test_every_action_asks_the_table_before_anything_else(path: Path, node: ast.FunctionDef,
                                                          asking: frozenset[str]) -> None:
    where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
    for statement in _body(node):
        if _called(statement) & asking:
            break
        assert _is_guard(statement), f"{where} does something before asking the permission table"
    else:
        pytest.fail(f"{where} never asks the permission table")
    tree = ast.parse(path.read_text())
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in asking}
    scope = [node, *(helpers[name] for name in _called(node) if name in helpers)]
    names = {c.value for part in scope for c in ast.walk(part) if isinstance(c, ast.Constant)
             and isinstance(c.value, str)}
    assert names & set(TABLE), f"{where} asks for no row of the permission table"


def test_every_row_names_an_action_or_a_declared_read() -> None:
    functions = {(p.parent.name if p.parent.name != "actions" else p.parent.parent.name, n.name)
                 for p, n, _a in ACTIONS}
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
# ``fhir_import`` reads FHIR bundles into the population model, ``offline`` serves the offline assessment page,
# ``mail`` sends e-mail in the reader's language: doors of their app.
DOOR_MODULES = {"views", "urls", "forms", "cli", "fhir_views", "admin", "apps", "panel", "fhir_import", "offline",
                "mail"}
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
