"""Two engines, one definition: SQL written once (DuckDB dialect), run on DuckDB or Spark.

Why: a zone runs the analytics embedded on one laptop (DuckDB over Parquet); Belgium-wide
runs belong on a distributed engine (Spark). Every computation in ``stratify`` and
``indicators`` is a sequence of SQL statements over named tables; this module hides the
engine behind four calls (``register``, ``materialize``, ``query``, ``close``) and transpiles
the SQL for Spark with sqlglot. See ``docs/decisions/0002-one-definition-two-engines.md``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Protocol

import pandas as pd

DATA_TABLES = (
    "persons", "claims", "medication", "stays", "diagnoses", "assessments", "vaccinations", "deaths",
    "surveys", "professionals",
)


class DataDirError(FileNotFoundError):
    """The population data directory is missing or incomplete."""


def check_data_dir(data_dir: str | Path) -> Path:
    """Return the directory if it holds a population dataset, else raise ``DataDirError``."""
    path = Path(data_dir)
    if not path.is_dir():
        raise DataDirError(f"population data directory {path} does not exist "
                           "(create one with: careweave population generate --out DIR)")
    missing = [t for t in ("persons", "claims", "medication", "stays", "diagnoses")
               if not any((path / t).glob("*.parquet"))]
    if missing:
        raise DataDirError(f"{path} is not a population dataset: no Parquet files for {', '.join(missing)}")
    return path


class Engine(Protocol):
    name: str

    def register(self, name: str, frame: pd.DataFrame) -> None: ...

    def materialize(self, name: str, sql: str) -> None: ...

    def view(self, name: str, sql: str) -> None: ...

    def query(self, sql: str) -> pd.DataFrame: ...

    def close(self) -> None: ...


class DuckDBEngine:
    """Embedded default: views over the Parquet files, temporary tables for intermediate steps."""

    name = "duckdb"

    def __init__(self, data_dir: str | Path, threads: int | None = None, memory_limit: str | None = None,
                 temp_directory: str | Path | None = None):
        """``memory_limit`` (e.g. ``"8GB"``) and ``temp_directory``: beyond the limit DuckDB spills
        to that directory instead of failing. Defaults: ``CAREWEAVE_DUCKDB_MEMORY_LIMIT`` and
        ``CAREWEAVE_DUCKDB_TEMP_DIR`` from the environment, else DuckDB's own (80% of RAM, ``.tmp``).
        """
        import duckdb

        self.data_dir = check_data_dir(data_dir)
        self.con = duckdb.connect(config={"preserve_insertion_order": False})
        self.timings: dict[str, float] = {}
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        memory_limit = memory_limit or os.environ.get("CAREWEAVE_DUCKDB_MEMORY_LIMIT")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{_literal(memory_limit)}'")
        temp_directory = temp_directory or os.environ.get("CAREWEAVE_DUCKDB_TEMP_DIR")
        if temp_directory:
            self.con.execute(f"SET temp_directory = '{_literal(temp_directory)}'")
        for table in DATA_TABLES:
            if any((self.data_dir / table).glob("*.parquet")):
                glob = str(self.data_dir / table / "*.parquet").replace("'", "''")
                self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}')")

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(f"{name}__df", frame)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}__df")
        self.con.unregister(f"{name}__df")

    def materialize(self, name: str, sql: str) -> None:
        t = time.perf_counter()
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        self.timings[name] = time.perf_counter() - t

    def view(self, name: str, sql: str) -> None:
        """A step that is read once: no copy (wide person-year tables cost memory)."""
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).fetch_df()

    def close(self) -> None:
        self.con.close()


def _literal(value: str | Path) -> str:
    return str(value).replace("'", "''")


def to_spark_sql(sql: str) -> str:
    """Transpile one DuckDB statement to Spark SQL (sqlglot imported here: only Spark needs it)."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def local_spark(app: str = "careweave-population", cores: int | None = None):
    """A local-mode SparkSession sized for this machine (tests and benchmarks)."""
    from pyspark.sql import SparkSession

    cores = cores or os.cpu_count() or 2
    builder = SparkSession.builder
    # Extra JVM flags for the driver (which is the whole of local mode); the test suite sets a quick JIT for its
    # short-lived sessions (tests/conftest.py).
    java_options = os.environ.get("CAREWEAVE_SPARK_JAVA_OPTIONS")
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    return (
        builder.master(f"local[{cores}]").appName(app)
        .config("spark.sql.shuffle.partitions", os.environ.get("CAREWEAVE_SPARK_SHUFFLE_PARTITIONS",
                                                                str(max(2, cores * 2))))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("CAREWEAVE_SPARK_MEMORY", "4g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def _spark_schema(frame: pd.DataFrame):  # noqa: ANN202 - a pyspark StructType
    """The frame's schema from its dtypes (text for object columns): Spark cannot infer one from no values."""
    from pyspark.sql import types as T

    def kind(dtype) -> T.DataType:  # noqa: ANN001
        if dtype.kind == "b" or str(dtype) == "boolean":
            return T.BooleanType()
        if dtype.kind in "iu" or str(dtype).startswith("Int"):
            return T.LongType()
        if dtype.kind == "f":
            return T.DoubleType()
        return T.StringType()

    return T.StructType([T.StructField(str(c), kind(frame[c].dtype), True) for c in frame.columns])


class SparkEngine:
    """Apache Spark: temp views over the Parquet directories, cached intermediate views."""

    name = "spark"

    def __init__(self, data_dir: str | Path, spark=None):
        self.data_dir = check_data_dir(data_dir)
        self.spark = spark or local_spark()
        self._cached: list = []
        for table in DATA_TABLES:
            if any((self.data_dir / table).glob("*.parquet")):
                self.spark.read.parquet(str(self.data_dir / table)).createOrReplaceTempView(table)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        schema = None
        if frame.empty or any(frame[c].dtype == object and frame[c].isna().all() for c in frame.columns):
            schema = _spark_schema(frame)  # nothing to infer a type from (an empty view of the work, issue #20)
        self.spark.createDataFrame(frame, schema=schema).createOrReplaceTempView(name)

    def materialize(self, name: str, sql: str) -> None:
        df = self.spark.sql(to_spark_sql(sql)).cache()
        df.count()
        self._cached.append(df)
        df.createOrReplaceTempView(name)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(to_spark_sql(sql)).createOrReplaceTempView(name)

    def query(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(to_spark_sql(sql)).toPandas()

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        self._cached.clear()


def open_engine(name: str, data_dir: str | Path, spark=None) -> Engine:
    """``duckdb`` (default) or ``spark``; unknown names raise ``ValueError``."""
    if name == "duckdb":
        return DuckDBEngine(data_dir)
    if name == "spark":
        return SparkEngine(data_dir, spark=spark)
    raise ValueError(f"unknown engine {name!r} (use duckdb or spark)")
