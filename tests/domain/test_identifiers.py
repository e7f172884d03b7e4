"""C1: Belgian identifiers (SSIN/INSZ, NIHDI/RIZIV, KBO/BCE) and what a Person learns from its SSIN."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from careweave.people.identifiers import (
    format_ssin,
    make_kbo,
    make_nihdi,
    make_ssin,
    parse_ssin,
    validate_kbo,
    validate_nihdi,
)
from careweave.people.models import Person, Sex

# Keep one day of margin so the strategy never produces "tomorrow" around midnight in Brussels.
LATEST_BIRTH = date.today() - timedelta(days=1)


def _check(nine: str, born_2000_or_later: bool) -> str:
    """Independent oracle for the check digits, written from the published rule."""
    base = int(("2" if born_2000_or_later else "") + nine)
    return f"{97 - base % 97:02d}"


def _code(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_ssin(value)
    return caught.value.code


# --- SSIN: worked examples -------------------------------------------------------------------


def test_ssin_born_before_2000_hand_computed():
    # 85.07.30-033.28: born 30 July 1985, serial 033.
    # 850730033 = 97 x 8770412 + 69, so the check is 97 - 69 = 28.
    # The serial is odd, so the holder is a man.
    info = parse_ssin("85.07.30-033.28")
    assert info.number == "85073003328"
    assert info.birth_date == date(1985, 7, 30)
    assert info.sex == "male"
    assert not info.is_bis


def test_ssin_born_from_2000_puts_a_2_in_front():
    # 17.05.12-002.59: born 12 May 2017, serial 002 (even: a woman).
    # With the 2 in front: 2170512002 = 97 x 22376412 + 38, check 97 - 38 = 59.
    # Without it, 170512002 = 97 x 1757855 + 67 would need check 30: so 59 can only mean 2017.
    info = parse_ssin("17051200259")
    assert info.birth_date == date(2017, 5, 12)
    assert info.sex == "female"


def test_the_same_digits_read_as_1917_with_the_pre_2000_check():
    # 170512002 = 97 x 1757855 + 67, check 97 - 67 = 30: the 1917 reading of the same nine digits.
    assert parse_ssin("17051200230").birth_date == date(1917, 5, 12)


def test_bis_number_with_sex_unknown_adds_20_to_the_month():
    # 93.22.01-171.63: month 22 = February + 20 (sex unknown when the number was given).
    # 932201171 = 97 x 9610321 + 34, check 97 - 34 = 63.
    info = parse_ssin("93220117163")
    assert info.is_bis
    assert info.birth_date == date(1993, 2, 1)
    assert info.sex is None


def test_bis_number_with_sex_known_adds_40_to_the_month():
    # 93.42.01-171.09: month 42 = February + 40 (sex known); 171 is odd, so a man.
    # 934201171 = 97 x 9630939 + 88, check 97 - 88 = 9 -> "09".
    info = parse_ssin("93420117109")
    assert info.is_bis
    assert info.birth_date == date(1993, 2, 1)
    assert info.sex == "male"


def test_unknown_birth_date_has_month_and_day_00():
    # 00.00.00-005.24: birth date unknown, born from 2000 on.
    # 2000000005 = 97 x 20618556 + 73, check 97 - 73 = 24.
    info = parse_ssin("00000000524")
    assert info.birth_date is None
    assert info.sex == "male"
    # A bis number may also have an unknown date: month 20 + 00, day 00.
    nine = "662000012"
    bis = parse_ssin(nine + _check(nine, False))
    assert bis.is_bis and bis.birth_date is None and bis.sex is None


@pytest.mark.parametrize("typed", ["85.07.30-033.28", "850730 033 28", "850730-033-28", "85/07/30 033.28"])
def test_the_separators_people_type_are_accepted(typed):
    assert parse_ssin(typed).number == "85073003328"


def test_format_ssin_as_on_the_eid_card():
    assert format_ssin("85073003328") == "85.07.30-033.28"
    assert format_ssin("850730 033 28") == "85.07.30-033.28"
    assert format_ssin("1234") == "1234"  # not an SSIN: shown as typed


# --- SSIN: what is wrong, said precisely -------------------------------------------------------


@pytest.mark.parametrize("value", ["8507300332", "850730033281", "", "85O73003328", "abc"])
def test_wrong_length_or_letters(value):
    assert _code(value) == "ssin_length"


def test_length_message_says_how_many_digits_were_typed():
    with pytest.raises(ValidationError) as caught:
        parse_ssin("8507300332")
    assert "10" in caught.value.messages[0]


def test_wrong_check_digits():
    assert _code("85073003329") == "ssin_checksum"
    assert _code("85073003428") == "ssin_checksum"


@pytest.mark.parametrize("month", ["13", "19", "33", "53", "60", "99"])
def test_month_that_does_not_exist(month):
    nine = f"85{month}30033"
    assert _code(nine + _check(nine, False)) == "ssin_month"


@pytest.mark.parametrize("serial", ["000", "999"])
def test_serial_number_runs_from_001_to_998(serial):
    nine = f"850730{serial}"
    assert _code(nine + _check(nine, False)) == "ssin_sequence"


def test_a_day_that_does_not_exist():
    # 85.02.30: there is no 30 February. 850230033 -> check 90.
    assert _code("85023003390") == "ssin_birth_date"


def test_a_birth_date_in_the_future_is_refused():
    # Only the post-2000 reading can decode to a future year, e.g. 2073.
    nine = "730512033"
    assert _code(nine + _check(nine, True)) == "ssin_birth_date"


# --- SSIN: properties -----------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=LATEST_BIRTH)


@settings(max_examples=400, deadline=None)
@given(birth=birth_dates, sequence=st.integers(1, 998), bis=st.booleans())
def test_every_made_ssin_round_trips(birth, sequence, bis):
    number = make_ssin(birth, sequence, bis=bis)
    info = parse_ssin(number)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == ("male" if sequence % 2 else "female")
    assert info.is_bis == bis
    assert format_ssin(number).replace(".", "").replace("-", "") == number


@st.composite
def valid_ssins(draw) -> str:  # noqa: ANN001
    """Any valid SSIN: known or unknown birth date, national register or bis number."""
    birth = draw(birth_dates)
    sequence = draw(st.integers(1, 998))
    month_offset = draw(st.sampled_from([0, 20, 40]))
    unknown = draw(st.booleans())
    month, day = (0, 0) if unknown else (birth.month, birth.day)
    nine = f"{birth:%y}{month + month_offset:02d}{day:02d}{sequence:03d}"
    return nine + _check(nine, birth.year >= 2000)


@settings(max_examples=300, deadline=None)
@given(number=valid_ssins())
def test_one_mistyped_digit_is_caught_except_a_century_switching_6(number):
    """Mod 97 catches every single-digit error *within one check rule*: the changed amount
    d x 10^k (|d| <= 9) is never a multiple of the prime 97. But parse_ssin accepts either rule
    (with or without the 2 in front), and 2_000_000_000 = 68 (mod 97). A change that shifts the
    nine digits by 29 (mod 97) turns a valid pre-2000 number into a valid post-2000 one, and 68
    the other way. The only single-digit shifts with that residue are -6 and +6 in the second
    digit of the year: -6 x 10^7 = 29 and +6 x 10^7 = 68 (mod 97). So the true property is:
    every single-digit error is refused with ``ssin_checksum`` except that one, which decodes to
    the other century, 94 years later or earlier (1926 <-> 2020), when the date is not in the future.
    """
    original = parse_ssin(number)
    original_post_2000 = int(number[9:]) == int(_check(number[:9], True))
    for position in range(11):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            delta = int(digit) - int(number[position])
            century_switch = position == 1 and delta == (6 if original_post_2000 else -6)
            try:
                changed = parse_ssin(typo)
            except ValidationError as error:
                if not century_switch:
                    assert error.code == "ssin_checksum", (typo, error.code)
                continue
            assert century_switch, f"{number} -> {typo} was accepted"
            if original.birth_date is not None:
                shift = 94 if not original_post_2000 else -94
                assert changed.birth_date.year == original.birth_date.year + shift
                assert changed.birth_date <= date.today()


def test_the_century_switching_typo_exists_and_is_a_known_limit():
    # 26.05.12-033.91 (born 1926): 260512033 = 97 x 2685691 + 6, check 91.
    # Mistype the 6 of '26' as 0: 20.05.12-033.91; with the 2 in front 2200512033 = 97 x 22685691 + 6,
    # check 91 again. No checksum can tell a 1926 and a 2020 birth apart here: the UI must show
    # the decoded birth date so the user sees the mistake.
    assert parse_ssin("26051203391").birth_date == date(1926, 5, 12)
    assert parse_ssin("20051203391").birth_date == date(2020, 5, 12)


def test_the_century_switching_typo_is_refused_when_it_lands_in_the_future():
    # 79.05.12-033.40 (born 1979); the typo 73.05.12-033.40 checks as 2073 -> refused.
    assert parse_ssin("79051203340").birth_date == date(1979, 5, 12)
    assert _code("73051203340") == "ssin_birth_date"


# --- NIHDI / RIZIV ---------------------------------------------------------------------------


def test_nihdi_hand_computed():
    # 1-23456-25-004: profession 1, serial 23456; 123456 = 97 x 1272 + 72 -> check 97 - 72 = 25;
    # qualification 004.
    validate_nihdi("1-23456-25-004")
    validate_nihdi("12345625004")
    validate_nihdi("12345625")  # the 8 identifying digits alone
    assert make_nihdi(1, 23456, 4) == "12345625004"


def test_nihdi_newer_mod_89_check_is_accepted():
    # 123456 = 89 x 1387 + 13 -> check 89 - 13 = 76.
    validate_nihdi("12345676004")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1234562500", "nihdi_length"),
        ("1234562500x", "nihdi_length"),
        ("12345626004", "nihdi_checksum"),
        ("22345625004", "nihdi_checksum"),
    ],
)
def test_nihdi_errors(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_nihdi(value)
    assert caught.value.code == code


@settings(max_examples=200, deadline=None)
@given(profession=st.integers(1, 9), serial=st.integers(0, 99999), qualification=st.integers(0, 999))
def test_every_made_nihdi_is_valid_and_a_typo_is_not(profession, serial, qualification):
    number = make_nihdi(profession, serial, qualification)
    assert len(number) == 11
    validate_nihdi(number)
    for position in range(8):
        typo = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]
        first6, check = int(typo[:6]), int(typo[6:8])
        if check == 89 - first6 % 89:
            continue  # the mod-89 reading may accept it: NIHDI really issues both
        with pytest.raises(ValidationError):
            validate_nihdi(typo)


# --- KBO / BCE -------------------------------------------------------------------------------


def test_kbo_hand_computed():
    # 0203.123.443: 02031234 = 97 x 20940 + 54 -> check 97 - 54 = 43.
    validate_kbo("0203.123.443")
    validate_kbo("BE 0203 123 443")
    validate_kbo("0203123443")


@pytest.mark.parametrize(
    ("value", "code"),
    [("0203.123.444", "kbo_checksum"), ("203.123.443", "kbo_length"), ("BE0203.123.4430", "kbo_length")],
)
def test_kbo_errors(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_kbo(value)
    assert caught.value.code == code


@settings(max_examples=200, deadline=None)
@given(serial=st.integers(0, 9_999_999))
def test_every_made_kbo_is_valid(serial):
    number = make_kbo(serial)
    assert len(number) == 10 and number.startswith("0")
    validate_kbo(number)
    typo = number[:8] + f"{(int(number[8:]) + 1) % 100:02d}"
    with pytest.raises(ValidationError):
        validate_kbo(typo)


# --- Person: never ask twice -----------------------------------------------------------------


def test_person_clean_fills_birth_date_and_sex_from_the_ssin():
    person = Person(given_name="Jan", family_name="Claes", ssin="85.07.30-033.28")
    person.clean()
    assert person.ssin == "85073003328"
    assert person.birth_date == date(1985, 7, 30)
    assert person.sex == Sex.MALE


def test_person_clean_keeps_what_was_entered():
    person = Person(
        given_name="An", family_name="Claes", ssin="85073003328", birth_date=date(1985, 7, 31), sex=Sex.OTHER
    )
    person.clean()
    assert person.birth_date == date(1985, 7, 31)
    assert person.sex == Sex.OTHER


def test_person_clean_with_a_bis_number_of_unknown_sex_leaves_sex_unknown():
    person = Person(given_name="Ali", family_name="Demir", ssin="93220117163")
    person.clean()
    assert person.birth_date == date(1993, 2, 1)
    assert person.sex == Sex.UNKNOWN


@pytest.mark.django_db
def test_person_form_validation_puts_the_error_on_the_ssin_field():
    person = Person(given_name="Jan", family_name="Claes", ssin="85073003329")
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "ssin" in caught.value.message_dict
