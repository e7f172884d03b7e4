"""CSV files for people who open them in a spreadsheet: one convention, and no formula injection.

Every CSV the project hands out (payer export, maturity report, outreach list...) is built here, so
they all open the same way in a Belgian Excel and none can carry a formula:

* **Formula injection** (OWASP "CSV Injection"): a text cell that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is prefixed with a single quote ``'``, so the spreadsheet shows
  the text instead of evaluating it (a family name ``+cmd|' /C calc'!A0``, an argument
  ``=HYPERLINK(...)``). As OWASP does, only *text* is escaped: a cell given as a number (``int``,
  ``Decimal``, ``float``) is written as a number, so a negative amount stays a negative number a
  spreadsheet can add up. Callers therefore pass numbers as numbers, never as preformatted strings
  (a string ``"-12,50"`` would be escaped and become text).
* **Belgian convention** unless told otherwise: ``;`` between cells, a decimal comma in numbers,
  a UTF-8 byte-order mark so Excel reads accents, ``\\r\\n`` line ends.

The command line's data files for analysts (``careweave population ... --out x.csv``: pseudonymised
numbers and codes read back by pandas or Spark) are not spreadsheet exports and stay plain
comma-separated CSV.

The module knows nothing of Django's HTTP layer: it returns bytes or yields them, and the door
wraps them in whatever response it needs (:data:`CONTENT_TYPE`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

SEPARATOR = ";"
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any, *, decimal_comma: bool = True) -> str:
    """One value as CSV text: numbers with the decimal comma, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int in Python, but no number to a reader
        value = str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if decimal_comma else text
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def iter_csv(
    header: Sequence[Any] | None,
    rows: Iterable[Sequence[Any]],
    *,
    separator: str = SEPARATOR,
    decimal_comma: bool | None = None,
    bom: bool = True,
) -> Iterator[bytes]:
    """The CSV as UTF-8 chunks of bytes, line by line (for a streamed response or a file).

    ``decimal_comma`` defaults to the Belgian comma when the separator is ``;`` (a comma inside a
    comma-separated number would otherwise need quoting everywhere).
    """
    comma = separator != "," if decimal_comma is None else decimal_comma
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")

    def line(values: Sequence[Any]) -> bytes:
        writer.writerow([cell(v, decimal_comma=comma) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    if bom:
        yield BOM.encode("utf-8")
    if header is not None:
        yield line(header)
    for row in rows:
        yield line(row)


def csv_bytes(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]], **options: Any) -> bytes:
    """The whole CSV at once (the options of :func:`iter_csv`)."""
    return b"".join(iter_csv(header, rows, **options))
