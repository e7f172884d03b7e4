"""Numbers typed and shown in the reader's language (issue 18, item 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from careweave.numbers import parse_number, show_number
from careweave.web.forms import numbers


@pytest.mark.parametrize(("language", "typed", "meant"), [
    ("nl", "1,5", "1.5"), ("fr", "1,5", "1.5"), ("de", "1,5", "1.5"), ("en", "1.5", "1.5"),
    ("nl", "1.234,56", "1234.56"), ("fr", "1 234,56", "1234.56"), ("fr", "1\u202f234,56", "1234.56"),
    ("en", "1,234.56", "1234.56"), ("nl", "1.234", "1234"), ("en", "1,234", "1234"),
    ("nl", "1.5", "1.5"), ("en", "1,5", "1.5"), ("nl", "1.234.567", "1234567"), ("nl", ",5", "0.5"),
    ("nl", "-2,25", "-2.25"), ("nl", "0.250", "0.250"),
])
def test_what_people_type_is_the_number_they_mean(language, typed, meant):
    with translation.override(language):
        assert parse_number(typed) == meant


@pytest.mark.parametrize("typed", ["1,2,3", "1.23.4", "1.234.56,7", "abc", "1,5 kg"])
def test_what_is_no_number_is_refused_by_the_field(typed):
    with translation.override("en"):
        field = numbers.DecimalField(decimal_places=2, max_digits=8)
        with pytest.raises(ValidationError, match="Enter a number"):
            field.clean(typed)


def test_the_field_reads_and_shows_the_readers_decimal_comma():
    field = numbers.DecimalField(decimal_places=2, max_digits=8)
    with translation.override("fr"):
        assert field.clean("1,5") == Decimal("1.5")
        assert field.clean("1.234,56") == Decimal("1234.56")
        html = field.widget.render("quantity", field.prepare_value(Decimal("1.5")))
    assert 'value="1,5"' in html and 'type="text"' in html and 'inputmode="decimal"' in html


def test_numbers_in_text_follow_the_reader():
    with translation.override("nl"):
        assert show_number(9.5, 2) == "9,50" and show_number(81.1, 1) == "81,1"
        assert show_number(12345.6, 1, grouping=True) == "12.345,6"
    with translation.override("en"):
        assert show_number(9.5, 2) == "9.50"


def test_a_quantity_shows_only_the_decimals_it_has():
    from careweave.numbers import show_quantity

    with translation.override("fr"):
        assert [show_quantity(Decimal(v)) for v in ("1.50", "2.00", "0.25", "100")] == ["1,5", "2", "0,25", "100"]
