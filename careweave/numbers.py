"""Numbers as the reader writes them: "1,5" in Dutch, French and German, "1.5" in English (issue 18).

One place for both directions: ``parse_number`` turns what someone typed in their language into the
canonical "1234.56" that Django's fields understand; ``show_number`` writes a number in the reader's
language (for Python-built text such as messages and dashboard cells; templates localize by themselves).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import formats

SPACES = re.compile(r"[\s\u00a0\u202f'’]")
NUMBER = re.compile(r"[+-]?[\d.,]+")


def _grouped(whole: str, separator: str) -> bool:
    """'1.234.567' grouped by '.': a first group of 1-3 digits, then groups of exactly three."""
    groups = whole.lstrip("+-").split(separator)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and all(g.isdigit() for g in groups)


def parse_number(text: str) -> str:
    """What someone typed, as '1234.56'; text that is no number is returned as typed (the field refuses it).

    A comma or a point before the last digits is the decimal mark; one that groups thousands is dropped
    where grouping is plausible: both marks present ('1.234,56', '1,234.56'), the same mark repeated in
    groups of three ('1.234.567'), or the reader's own thousands mark before exactly three digits
    ('1.234' in Dutch). A single mark otherwise is the decimal mark, so '1,5' and '1.5' are 1.5 everywhere.
    """
    compact = SPACES.sub("", text)
    if not NUMBER.fullmatch(compact):
        return text
    marks = [m for m in ".," if m in compact]
    if len(marks) == 2:
        decimal = "." if compact.rfind(".") > compact.rfind(",") else ","
        group = "," if decimal == "." else "."
        whole, fraction = compact.rsplit(decimal, 1)
        if decimal in whole or not _grouped(whole, group):
            return text
        return whole.replace(group, "") + "." + fraction
    if not marks:
        return compact
    mark = marks[0]
    parts = compact.split(mark)
    if len(parts) > 2:
        return "".join(parts) if _grouped(compact, mark) else text
    whole, fraction = parts
    if mark == formats.get_format("THOUSAND_SEPARATOR") and len(fraction) == 3 and whole.lstrip("+-0"):
        return whole + fraction
    return f"{whole or '0'}.{fraction}"


def show_number(value: float | int | Decimal | None, decimals: int | None = None, *, grouping: bool = False) -> str:
    """A number in the reader's language (decimal mark, and thousands mark when ``grouping``); a dash for none."""
    if value is None:
        return "\u2014"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=grouping)


def show_quantity(value: float | int | Decimal | None, most: int = 2) -> str:
    """A quantity with only the decimals it has, at most ``most``: 2, 1,5, 0,25 (not 1,50)."""
    if value is None:
        return "\u2014"
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-most))
    decimals = next(d for d in range(most + 1) if exact == exact.quantize(Decimal(1).scaleb(-d)))
    return show_number(exact, decimals)
