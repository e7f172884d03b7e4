"""The one kind of number field of the web app: typed and shown in the reader's language (issue 18).

``<input type="number">`` cannot take a decimal comma in every browser (Chromium in Dutch or French turned
"1,5" into 15, and "1.234,56" into an empty, "required" field), so numbers are text inputs with a
numeric keyboard on phones, read by ``careweave.numbers.parse_number`` and shown localized.
"""

from __future__ import annotations

from typing import Any

from django import forms

from careweave.numbers import parse_number


def number_input(decimals: bool = True) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal" if decimals else "numeric", "autocomplete": "off"})


class _Localized:
    """Read the reader's decimal mark and thousands grouping before the field's own checks."""

    decimals = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", number_input(decimals=self.decimals))
        kwargs["localize"] = True
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = parse_number(value.strip())
        return super().to_python(value)


class DecimalField(_Localized, forms.DecimalField):
    """An amount, quantity or number of units."""


class FloatField(_Localized, forms.FloatField):
    """A measurement, weight or share."""


class IntegerField(_Localized, forms.IntegerField):
    """A count ('1.200' in Dutch is 1200)."""

    decimals = False
