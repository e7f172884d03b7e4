"""The domain never imports a door (decision 0020): the FHIR app depends on the domain, not the reverse.

Walks every module of ``careweave`` with ``ast`` (module-level and function-level imports alike) and
fails when a module outside the doors imports ``careweave.fhir``. Before issue #17 the assessments,
territory and consultations actions imported the FHIR mappings (a circle of 17 files).
"""

from __future__ import annotations

import ast
from pathlib import Path

import careweave

ROOT = Path(careweave.__file__).parent
DOORS = ("fhir", "web", "cli", "demo")
# Wiring, not domain: the settings and URL table name every app; the benchmark runner names each benchmark.
# population/fhir_import.py reads FHIR bundles and the FHIR store into the population model's tables (a
# door of the population app that speaks FHIR); it is the one module left to move into the FHIR app.
WIRING = {"settings.py", "urls.py", "bench/__init__.py", "population/fhir_import.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    for node in ast.walk(tree):  # string references to modules (benchmarks, dotted paths in settings)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("careweave.fhir"):
            found.add(node.value)
    return found


def test_no_domain_module_imports_the_fhir_door() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in DOORS or relative in WIRING or "/migrations/" in relative:
            continue
        bad = sorted(m for m in imported_modules(path) if m == "careweave.fhir" or m.startswith("careweave.fhir."))
        if bad:
            offenders.append(f"{relative}: {', '.join(bad)}")
    assert offenders == []


def test_the_walk_finds_a_domain_import_of_the_door(tmp_path: Path) -> None:
    """The check itself can fail: a function-level import of a FHIR mapping is seen."""
    module = tmp_path / "actions.py"
    module.write_text("def publish():\n    from careweave.fhir.mapping.assessments import store_observations\n")
    assert "careweave.fhir.mapping.assessments" in imported_modules(module)
