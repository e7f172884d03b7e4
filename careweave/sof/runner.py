"""Run compiled views on DuckDB or Spark over Bulk-Data ndjson files or resource dicts.

The resources are never parsed in Python on the fast path: DuckDB's JSON reader gives one
``JSON`` value per line (``read_ndjson_objects``), Spark reads the lines as text and
``parse_json``-s them into ``VARIANT``. Each resource type becomes one relation with one
column ``resource``, filtered on ``resourceType`` (``Observation*.ndjson`` would also match
``ObservationDefinition``).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from careweave.sof.compiler import RUNTIME_PREFIX, CompiledView, compile_view
from careweave.sof.errors import ViewDefinitionError

ENGINES = ("duckdb", "spark")
_SPARK_IDS = itertools.count()


def _files(directory: Path, resource_type: str) -> list[str]:
    found = [p for pattern in (f"{resource_type}*.ndjson", f"{resource_type}*.ndjson.gz")
             for p in directory.glob(pattern)]
    return sorted(str(p) for p in found)


def _group(resources: Iterable[dict]) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for resource in resources:
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise ViewDefinitionError("every resource must be a JSON object with a resourceType")
        by_type[resource["resourceType"]].append(json.dumps(resource, separators=(",", ":")))
    return by_type


def _runtime_error(exc: Exception) -> ViewDefinitionError | None:
    """The message a view raised on purpose (DuckDB ``error()``, Spark ``raise_error()``), if it is one."""
    match = re.search(r"(?:USER_RAISED_EXCEPTION\]|Invalid Input Error:)\s*" + re.escape(RUNTIME_PREFIX)
                      + r"(.*?)(?:\s+SQLSTATE|\n|$)", str(exc))
    return ViewDefinitionError(match.group(1).strip()) if match else None


class DuckDBSource:
    """Resources as DuckDB relations, one per type, created when a view first needs it."""

    engine = "duckdb"

    # A type whose files are at most this large is read once into a temporary table that all its views scan;
    # a larger one stays a view over the files (each view reads them again, in constant memory).
    KEEP_IN_MEMORY_BYTES = 256 * 1024 * 1024

    def __init__(self, source, con=None, memory_limit: str | None = None, threads: int | None = None):
        import duckdb

        self.con = con or duckdb.connect(config={"preserve_insertion_order": False})
        self.con.execute("SET enable_progress_bar = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.directory = Path(source) if isinstance(source, (str, Path)) else None
        self.inline = None if self.directory is not None else _group(source)
        if self.directory is not None and not self.directory.is_dir():
            raise ViewDefinitionError(f"{self.directory} is not a directory of ndjson files")
        self.relations: dict[str, str] = {}

    def relation(self, resource_type: str) -> str:
        if resource_type in self.relations:
            return self.relations[resource_type]
        name = f"sof_{resource_type}"
        kind = f"'{resource_type}'"
        if self.directory is not None:
            files = _files(self.directory, resource_type)
            if files:
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                size = sum(Path(f).stat().st_size for f in files)
                what = "TABLE" if size <= self.KEEP_IN_MEMORY_BYTES else "VIEW"
                self.con.execute(
                    f'CREATE OR REPLACE TEMP {what} "{name}" AS SELECT json AS resource FROM '
                    f"read_ndjson_objects([{listing}]) WHERE json_extract_string(json, '$.resourceType') = {kind}")
            else:
                self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT NULL::JSON AS resource WHERE FALSE')
        else:
            lines = pa.table({"line": pa.array((self.inline or {}).get(resource_type, []), pa.string())})
            self.con.register(f"{name}_lines", lines)
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT CAST(line AS JSON) AS resource '
                             f'FROM "{name}_lines"')
            self.con.unregister(f"{name}_lines")
        self.relations[resource_type] = name
        return name

    def run(self, view: dict) -> pa.Table:
        import duckdb

        compiled = compile_view(view, "duckdb", relation=self.relation(view["resource"]))
        try:
            table = self.con.sql(compiled.sql).to_arrow_table()
        except duckdb.Error as exc:
            raise (_runtime_error(exc) or exc) from None
        return finish(table, compiled)

    def close(self) -> None:
        self.con.close()


class SparkSource:
    """Resources as Spark temp views (text lines parsed to VARIANT), one per type."""

    engine = "spark"

    def __init__(self, source, spark=None):
        if spark is None:
            from careweave.population.engines import local_spark

            spark = local_spark("careweave-sof")
        self.spark = spark
        self.prefix = f"sof{next(_SPARK_IDS)}_"
        self.directory = Path(source) if isinstance(source, (str, Path)) else None
        self.inline = None if self.directory is not None else _group(source)
        if self.directory is not None and not self.directory.is_dir():
            raise ViewDefinitionError(f"{self.directory} is not a directory of ndjson files")
        self.relations: dict[str, str] = {}

    def relation(self, resource_type: str) -> str:
        if resource_type in self.relations:
            return self.relations[resource_type]
        name = self.prefix + resource_type
        if self.directory is not None:
            files = _files(self.directory, resource_type)
            lines = self.spark.read.text(files) if files else self.spark.createDataFrame([], "value string")
        else:
            rows = [(line,) for line in (self.inline or {}).get(resource_type, [])]
            lines = self.spark.createDataFrame(rows, "value string").coalesce(1)  # small: one task
        frame = (lines.where("trim(value) <> ''").selectExpr("parse_json(value) AS resource", "value AS raw")
                 .where(f"variant_get(resource, '$.resourceType', 'string') = '{resource_type}'"))
        frame.createOrReplaceTempView(name)
        self.relations[resource_type] = name
        return name

    def run(self, view: dict) -> pa.Table:
        compiled = compile_view(view, "spark", relation=self.relation(view["resource"]))
        try:
            table = self.spark.sql(compiled.sql).toArrow()
        except Exception as exc:  # py4j/pyspark errors carry the raise_error message
            raise (_runtime_error(exc) or exc) from None
        return finish(table, compiled)

    def close(self) -> None:
        for name in self.relations.values():
            self.spark.catalog.dropTempView(name)


def finish(table: pa.Table, compiled: CompiledView) -> pa.Table:
    """Give columns without a declared type the type their JSON values have."""
    columns = []
    for col, array in zip(compiled.columns, table.columns, strict=True):
        if col.inferred:
            values = array.to_pylist()
            if col.collection:
                parsed: list[Any] = [None if v is None else [_loads(x) for x in v] for v in values]
            else:
                parsed = [_loads(v) for v in values]
            try:
                array = pa.array(parsed)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                array = pa.array([None if v is None else json.dumps(v) for v in parsed], pa.string())
        columns.append(array)
    return pa.table(columns, names=[c.name for c in compiled.columns])


def _loads(value):
    return None if value is None else json.loads(value)


def open_source(source, engine: str = "duckdb", **options):
    if engine == "duckdb":
        return DuckDBSource(source, **options)
    if engine == "spark":
        return SparkSource(source, **options)
    raise ViewDefinitionError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
