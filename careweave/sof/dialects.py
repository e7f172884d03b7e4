"""The few SQL building blocks the compiler needs, spelled for DuckDB and for Spark.

A FHIRPath collection is a SQL list of JSON values: ``JSON[]`` in DuckDB (the resource is one
``JSON`` column read by DuckDB's JSON reader), ``ARRAY<VARIANT>`` in Spark (the resource is
one ``VARIANT`` column, ``parse_json`` of the ndjson line). Navigation, filters and unnesting
are list functions with lambdas, which both engines have; only their spelling differs, so
the compiler writes every expression through one of these objects.
"""

from __future__ import annotations

# SQL type of a typed column (ViewDefinition.select.column.type), per dialect.
INTEGER_TYPES = {"integer", "positiveInt", "unsignedInt", "integer64"}
DECIMAL_TYPES = {"decimal"}
BOOLEAN_TYPES = {"boolean"}


def sql_string(value: str) -> str:
    """A DuckDB (standard SQL) string literal."""
    return "'" + str(value).replace("'", "''") + "'"


class Dialect:
    name = ""
    text_type = "VARCHAR"
    int_type = "BIGINT"
    num_type = "DOUBLE"
    bool_type = "BOOLEAN"

    # --- lists ------------------------------------------------------------------------------------
    def transform(self, coll: str, var: str, body: str, index: str | None = None) -> str:
        raise NotImplementedError

    def filter(self, coll: str, var: str, body: str) -> str:
        raise NotImplementedError

    def flatten(self, coll: str) -> str:
        return f"flatten({coll})"

    def concat(self, *colls: str) -> str:
        raise NotImplementedError

    def filter_indexed(self, coll: str, var: str, index: str, body: str) -> str:
        raise NotImplementedError

    def distinct(self, coll: str) -> str:
        raise NotImplementedError

    def last_day_of_month(self, year_month: str) -> str:
        """'YYYY-MM' -> 'YYYY-MM-DD' of the month's last day."""
        raise NotImplementedError

    def size(self, coll: str) -> str:
        raise NotImplementedError

    def at(self, coll: str, index1: str) -> str:
        """Element ``index1`` (1-based, negative from the end) or NULL."""
        raise NotImplementedError

    def empty(self) -> str:
        raise NotImplementedError

    def list_of(self, *items: str) -> str:
        raise NotImplementedError

    def empty_of(self, sql_type: str) -> str:
        raise NotImplementedError

    def list_type(self, sql_type: str) -> str:
        raise NotImplementedError

    def let(self, sql: str, var: str, body: str) -> str:
        """``body`` with ``var`` bound to ``sql`` (evaluated once): a one-element list transform."""
        return self.at(self.transform(self.list_of(sql), var, body), "1")

    def index0(self, index_var: str) -> str:
        """The 0-based position from a lambda's index variable."""
        raise NotImplementedError

    def join(self, texts: str, sep: str) -> str:
        raise NotImplementedError

    # --- JSON items -------------------------------------------------------------------------------
    def field(self, item: str, name: str) -> str:
        raise NotImplementedError

    def norm(self, value: str) -> str:
        """A JSON value as a collection: an array's elements, nothing for null, else itself."""
        raise NotImplementedError

    def text(self, item: str) -> str:
        raise NotImplementedError

    def num(self, item: str) -> str:
        raise NotImplementedError

    def integer(self, item: str) -> str:
        raise NotImplementedError

    def boolean(self, item: str) -> str:
        raise NotImplementedError

    def kind(self, item: str) -> str:
        """'string', 'number', 'boolean', 'object', 'array' or 'null' (NULL for no item)."""
        raise NotImplementedError

    def json_text(self, item: str) -> str:
        raise NotImplementedError

    def to_item(self, scalar: str) -> str:
        raise NotImplementedError

    def null_item(self) -> str:
        raise NotImplementedError

    # --- rows -------------------------------------------------------------------------------------
    def struct(self, fields: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def struct_get(self, var: str, name: str) -> str:
        return f"{var}.{self.quote(name)}"

    def quote(self, name: str) -> str:
        raise NotImplementedError

    def explode(self, rows: str) -> str:
        raise NotImplementedError

    def error(self, message: str) -> str:
        raise NotImplementedError

    def lit(self, value: str) -> str:
        return sql_string(value)

    def cast(self, sql: str, sql_type: str) -> str:
        return f"TRY_CAST({sql} AS {sql_type})"

    def regexp_extract(self, sql: str, pattern: str, group: int) -> str:
        return f"regexp_extract({sql}, {self.lit(pattern)}, {group})"

    def column_type(self, fhir_type: str | None, collection: bool) -> str:
        if fhir_type in INTEGER_TYPES:
            base = self.int_type
        elif fhir_type in DECIMAL_TYPES:
            base = self.num_type
        elif fhir_type in BOOLEAN_TYPES:
            base = self.bool_type
        else:
            base = self.text_type
        return self.list_type(base) if collection else base


class DuckDBDialect(Dialect):
    name = "duckdb"

    def transform(self, coll, var, body, index=None):
        params = f"{var}, {index}" if index else var
        return f"list_transform({coll}, lambda {params}: {body})"

    def filter(self, coll, var, body):
        return f"list_filter({coll}, lambda {var}: {body})"

    def concat(self, *colls):
        return f"list_concat({', '.join(colls)})"

    def filter_indexed(self, coll, var, index, body):
        return f"list_filter({coll}, lambda {var}, {index}: {body})"

    def distinct(self, coll):
        return f"list_distinct({coll})"

    def last_day_of_month(self, year_month):
        return f"strftime(last_day(TRY_CAST(concat({year_month}, '-01') AS DATE)), '%Y-%m-%d')"

    def size(self, coll):
        return f"len({coll})"

    def at(self, coll, index1):
        return f"list_extract({coll}, {index1})"

    def empty(self):
        return "[]::JSON[]"

    def list_of(self, *items):
        return f"[{', '.join(items)}]"

    def empty_of(self, sql_type):
        return f"[]::{sql_type}[]"

    def list_type(self, sql_type):
        return f"{sql_type}[]"

    def index0(self, index_var):
        return f"({index_var} - 1)"

    def join(self, texts, sep):
        return f"array_to_string({texts}, {sep})"

    def field(self, item, name):
        return f"json_extract({item}, {sql_string('$.' + json_key(name))})"

    def norm(self, value):
        # JSON values DuckDB extracts are minified text: the first character tells an array and
        # 'null' is the whole text, so no value is parsed twice just to learn its type.
        return (f"(CASE WHEN {value} IS NULL THEN []::JSON[] WHEN starts_with({value}::VARCHAR, '[') "
                f"THEN json_extract({value}, '$[*]') WHEN {value}::VARCHAR = 'null' THEN []::JSON[] "
                f"ELSE [{value}] END)")

    def text(self, item):
        return f"json_extract_string({item}, '$')"

    def num(self, item):
        return f"TRY_CAST(json_extract_string({item}, '$') AS DOUBLE)"

    def integer(self, item):
        return f"TRY_CAST(json_extract_string({item}, '$') AS BIGINT)"

    def boolean(self, item):
        return f"(CASE WHEN json_type({item}) = 'BOOLEAN' THEN json_extract_string({item}, '$') = 'true' END)"

    def kind(self, item):
        return (f"(CASE json_type({item}) WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' "
                f"WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'NULL' THEN 'null' "
                f"ELSE 'number' END)")

    def json_text(self, item):
        return f"CAST({item} AS VARCHAR)"

    def to_item(self, scalar):
        return f"to_json({scalar})"

    def null_item(self):
        return "NULL::JSON"

    def struct(self, fields):
        return "struct_pack(" + ", ".join(f"{self.quote(n)} := {e}" for n, e in fields) + ")"

    def quote(self, name):
        return '"' + name.replace('"', '""') + '"'

    def explode(self, rows):
        return f"unnest({rows})"

    def error(self, message):
        return f"error({self.lit(message)})"


class SparkDialect(Dialect):
    name = "spark"
    text_type = "STRING"

    def lit(self, value):
        """Spark reads backslash escapes in literals; quotes are escaped, not doubled."""
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    def transform(self, coll, var, body, index=None):
        params = f"({var}, {index})" if index else var
        return f"transform({coll}, {params} -> {body})"

    def filter(self, coll, var, body):
        return f"filter({coll}, {var} -> {body})"

    def concat(self, *colls):
        return f"concat({', '.join(colls)})"

    def filter_indexed(self, coll, var, index, body):
        return f"filter({coll}, ({var}, {index}) -> {body})"

    def distinct(self, coll):
        return f"array_distinct({coll})"

    def last_day_of_month(self, year_month):
        return f"date_format(last_day(try_to_date(concat({year_month}, '-01'))), 'yyyy-MM-dd')"

    def size(self, coll):
        return f"size({coll})"

    def at(self, coll, index1):
        return f"try_element_at({coll}, CAST({index1} AS INT))"

    def empty(self):
        return "CAST(array() AS ARRAY<VARIANT>)"

    def list_of(self, *items):
        return f"array({', '.join(items)})"

    def empty_of(self, sql_type):
        return f"CAST(array() AS ARRAY<{sql_type}>)"

    def list_type(self, sql_type):
        return f"ARRAY<{sql_type}>"

    def index0(self, index_var):
        return index_var

    def join(self, texts, sep):
        return f"array_join({texts}, {sep})"

    def field(self, item, name):
        return f"variant_get({item}, {self.lit('$' + _spark_key(name))})"

    def norm(self, value):
        return (f"(CASE WHEN {value} IS NULL OR is_variant_null({value}) THEN CAST(array() AS ARRAY<VARIANT>) "
                f"ELSE coalesce(try_variant_get({value}, '$', 'array<variant>'), array({value})) END)")

    def text(self, item):
        return f"try_variant_get({item}, '$', 'string')"

    def num(self, item):
        return f"try_variant_get({item}, '$', 'double')"

    def integer(self, item):
        return f"try_variant_get({item}, '$', 'bigint')"

    def boolean(self, item):
        return (f"(CASE WHEN schema_of_variant({item}) = 'BOOLEAN' "
                f"THEN try_variant_get({item}, '$', 'boolean') END)")

    def kind(self, item):
        return (f"(CASE WHEN {item} IS NULL THEN NULL WHEN is_variant_null({item}) THEN 'null' "
                f"WHEN schema_of_variant({item}) = 'STRING' THEN 'string' "
                f"WHEN schema_of_variant({item}) = 'BOOLEAN' THEN 'boolean' "
                f"WHEN schema_of_variant({item}) LIKE 'OBJECT%' THEN 'object' "
                f"WHEN schema_of_variant({item}) LIKE 'ARRAY%' THEN 'array' ELSE 'number' END)")

    def json_text(self, item):
        return f"to_json({item})"

    def to_item(self, scalar):
        return f"CAST({scalar} AS VARIANT)"

    def null_item(self):
        return "CAST(NULL AS VARIANT)"

    def struct(self, fields):
        return "named_struct(" + ", ".join(f"{self.lit(n)}, {e}" for n, e in fields) + ")"

    def quote(self, name):
        return "`" + name.replace("`", "``") + "`"

    def explode(self, rows):
        return f"explode({rows})"

    def error(self, message):
        return f"raise_error({self.lit(message)})"



def json_key(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def _spark_key(name: str) -> str:
    return "['" + name + "']" if not name.isidentifier() else "." + name


DIALECTS: dict[str, Dialect] = {"duckdb": DuckDBDialect(), "spark": SparkDialect()}


def dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        from careweave.sof.errors import ViewDefinitionError

        raise ViewDefinitionError(f"unknown SQL dialect {name!r}: use one of {', '.join(DIALECTS)}") from None
