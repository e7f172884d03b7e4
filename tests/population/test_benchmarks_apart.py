"""The benchmarks live in ``benchmarks/`` beside ``tests/``; the product's packages hold only the product."""

from __future__ import annotations

import ast
from pathlib import Path

PRODUCT = Path(__file__).resolve().parents[2] / "careweave"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_product_module_imports_or_is_a_benchmark():
    offenders = [str(p.relative_to(PRODUCT)) for p in PRODUCT.rglob("*.py")
                 if "bench" in p.stem or any(n.split(".")[0] == "benchmarks" or ".bench" in n for n in _imports(p))]
    assert offenders == []


def test_every_section_of_make_bench_is_importable():
    import importlib

    import benchmarks

    for _title, module in benchmarks.SECTIONS:
        assert callable(importlib.import_module(module).run), module
