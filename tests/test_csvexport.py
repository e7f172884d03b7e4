"""The one CSV writer (careweave.csvexport): formula injection neutralised, one Belgian convention everywhere."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from careweave.csvexport import BOM, cell, csv_bytes, iter_csv

PACKAGE = Path(__file__).resolve().parents[1] / "careweave"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Peeters", "Peeters"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(value, expected):  # noqa: ANN001
    assert cell(value) == expected


def test_numbers_stay_numbers_with_a_decimal_comma():
    assert cell(-3) == "-3"
    assert cell(Decimal("-12.50")) == "-12,50"
    assert cell(Decimal("80.00")) == "80,00"
    assert cell(1.5) == "1,5"
    assert cell(Decimal("1.5"), decimal_comma=False) == "1.5"
    assert cell("-12,50") == "'-12,50", "a number given as text is text: callers pass numbers as numbers"


def test_the_belgian_convention_with_a_bom_and_quoting():
    data = csv_bytes(["name", "amount"], [["Peeters; Jan", Decimal("1.25")], ["=1+1", -2]])
    text = data.decode("utf-8")
    assert text.startswith(BOM) and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["name", "amount"], ["Peeters; Jan", "1,25"], ["'=1+1", "-2"]]


def test_a_comma_separated_file_keeps_the_decimal_point_and_streams_line_by_line():
    chunks = list(iter_csv(["a", "b"], [[Decimal("1.5"), "x"]], separator=",", bom=False))
    assert chunks == [b"a,b\r\n", b"1.5,x\r\n"]


def test_every_csv_export_goes_through_the_one_writer():
    """A new export that writes CSV itself would skip the neutralisation and the separator.

    The one exception is the command line's data files for analysts (``--out x.csv``: pseudonymised
    numbers and codes read back by pandas or Spark), which stay plain comma-separated CSV.
    """
    machine_data = {"population/cli.py"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name == "csvexport.py" or relative in machine_data:
            continue
        if re.search(r"csv\.(writer|DictWriter)\(|\.to_csv\(|text/csv", path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []
