"""SQL on FHIR v2: ViewDefinitions compiled to SQL and run on DuckDB or Spark.

The contract others code against (keep it stable):

- ``run_view(view, source, engine="duckdb") -> pyarrow.Table``
- ``run_views(views, source, engine="duckdb") -> dict[str, pyarrow.Table]`` (by view ``name``,
  the source loaded once)
- ``compile_view(view, dialect) -> str``
- ``validate_view(view)`` raising ``ViewDefinitionError``

``source`` is a directory of Bulk-Data ndjson files (``<ResourceType>*.ndjson``, several per
type allowed) or a list of resource dicts. Pure domain: no door is imported here. See
``docs/decisions/0025-sql-on-fhir-views.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

from careweave.sof.errors import ViewDefinitionError

__all__ = ["ViewDefinitionError", "compile_view", "run_view", "run_views", "shipped_views", "validate_view"]

VIEWS_DIR = Path(__file__).parent / "views"


def compile_view(view: dict, dialect: str = "duckdb") -> str:
    """The SQL of ``view`` for ``dialect`` (``duckdb`` or ``spark``), reading a relation named after the
    resource type with one column ``resource`` (DuckDB ``JSON``, Spark ``VARIANT``)."""
    from careweave.sof.compiler import compile_view as _compile

    return _compile(view, dialect).sql


def validate_view(view) -> None:
    """Raise ``ViewDefinitionError`` with a clear message if ``view`` cannot be run."""
    from careweave.sof.compiler import compile_view as _compile

    _compile(view, "duckdb")


def run_view(view: dict, source, engine: str = "duckdb", **options):
    """Rows of one view over ``source`` as a ``pyarrow.Table`` (columns in the view's order)."""
    from careweave.sof.runner import open_source

    validate_view(view)
    runner = open_source(source, engine, **options)
    try:
        return runner.run(view)
    finally:
        runner.close()


def run_views(views: list[dict], source, engine: str = "duckdb", **options) -> dict:
    """Rows of several views over one source (loaded once), keyed by each view's ``name``."""
    from careweave.sof.runner import open_source

    names = []
    for n, view in enumerate(views):
        validate_view(view)
        name = view.get("name") or f"view_{n}"
        if name in names:
            raise ViewDefinitionError(f"two views are named {name!r}")
        names.append(name)
    runner = open_source(source, engine, **options)
    try:
        return {name: runner.run(view) for name, view in zip(names, views, strict=True)}
    finally:
        runner.close()


def shipped_views() -> dict[str, dict]:
    """The ViewDefinitions Careweave ships (``careweave/sof/views/*.json``), by id."""
    views = {}
    for path in sorted(VIEWS_DIR.glob("*.json")):
        view = json.loads(path.read_text(encoding="utf-8"))
        views[view.get("id") or path.stem] = view
    return views
