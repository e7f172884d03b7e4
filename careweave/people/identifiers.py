"""Belgian identifiers: SSIN/INSZ (rijksregister- en bisnummer), NIHDI/RIZIV and KBO/BCE numbers.

All checks are mod-97 (or, for newer NIHDI numbers, mod-89) check digits. Validation returns a
translated message that says *what* is wrong, so a user can correct a typo rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SSIN_SYSTEM = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin"
NIHDI_PROFESSIONAL_SYSTEM = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/nihdi-professional"
NIHDI_ORGANIZATION_SYSTEM = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/nihdi-organization"
CBE_SYSTEM = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/cbe"

_NON_DIGITS = re.compile(r"[\s.\-/]")


def normalise_number(value: str) -> str:
    """Strip the separators people type (spaces, dots, dashes, slashes)."""
    return _NON_DIGITS.sub("", value or "")


@dataclass(frozen=True)
class SsinInfo:
    """What an SSIN tells about its holder (when the birth date is known)."""

    number: str
    birth_date: date | None
    sex: str | None  # "male" / "female" / None when a bis number does not encode it
    is_bis: bool


def _ssin_check_ok(digits: str, born_2000_or_later: bool) -> bool:
    base = int(("2" if born_2000_or_later else "") + digits[:9])
    return 97 - (base % 97) == int(digits[9:])


def parse_ssin(value: str) -> SsinInfo:
    """Validate an SSIN (national register or bis number) and decode it.

    Format YYMMDD-SSS-CC. The check CC is 97 - (YYMMDDSSS mod 97); for people born from 2000
    on, a 2 is put in front of the nine digits first. Bis numbers add 20 (sex unknown) or 40
    (sex known) to the month. Month and day may be 00 when the birth date is unknown.
    """
    digits = normalise_number(value)
    if not digits.isdigit() or len(digits) != 11:
        raise ValidationError(
            _("An SSIN has exactly 11 digits (YYMMDD-SSS-CC); you entered %(count)s."),
            code="ssin_length",
            params={"count": len(digits) if digits.isdigit() else _("characters that are not digits")},
        )
    before_2000 = _ssin_check_ok(digits, False)
    after_2000 = _ssin_check_ok(digits, True)
    if not (before_2000 or after_2000):
        raise ValidationError(
            _("The check digits of this SSIN are wrong: one of the digits was probably mistyped."),
            code="ssin_checksum",
        )
    yy, mm, dd = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sequence = int(digits[6:9])
    is_bis = mm >= 20
    sex_known = True
    if mm >= 40:
        mm -= 40
    elif mm >= 20:
        mm -= 20
        sex_known = False
    if mm > 12:
        raise ValidationError(_("The month in this SSIN does not exist."), code="ssin_month")
    if sequence in (0, 999):
        raise ValidationError(_("The serial number in an SSIN runs from 001 to 998."), code="ssin_sequence")
    century = 2000 if after_2000 and not before_2000 else 1900
    birth_date: date | None = None
    if mm and dd:
        try:
            birth_date = date(century + yy, mm, dd)
        except ValueError:
            raise ValidationError(_("The birth date in this SSIN does not exist."), code="ssin_birth_date") from None
    today = timezone.localdate()
    if century + yy > today.year or (birth_date is not None and birth_date > today):
        # Only the post-2000 reading can decode to a future year. Refusing it also catches some of the
        # one-digit typos that switch the century unseen (see tests/domain/test_identifiers.py).
        raise ValidationError(_("The birth date in this SSIN lies in the future."), code="ssin_birth_date")
    sex = ("male" if sequence % 2 else "female") if sex_known else None
    return SsinInfo(number=digits, birth_date=birth_date, sex=sex, is_bis=is_bis)


def validate_ssin(value: str) -> None:
    """Django validator wrapper around :func:`parse_ssin`."""
    parse_ssin(value)


def make_ssin(birth_date: date, sequence: int, bis: bool = False) -> str:
    """Build a valid SSIN (used by the demo generator and tests; never for real people)."""
    if not 1 <= sequence <= 998:
        raise ValueError("sequence must be 1..998")
    month = birth_date.month + (40 if bis else 0)
    nine = f"{birth_date:%y}{month:02d}{birth_date:%d}{sequence:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + nine)
    return f"{nine}{97 - base % 97:02d}"


def format_ssin(digits: str) -> str:
    """Display form YY.MM.DD-SSS.CC as printed on the eID card."""
    d = normalise_number(digits)
    return f"{d[0:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:11]}" if len(d) == 11 else digits


def validate_nihdi(value: str) -> None:
    """NIHDI/RIZIV number of a care provider: 1 profession digit + 5 + 2 check digits + 3 qualification.

    The check digits are 97 - (first six digits mod 97); since 2013 NIHDI also issues numbers
    with 89 - (first six mod 89) for some professions, so both are accepted.
    """
    digits = normalise_number(value)
    if not digits.isdigit() or len(digits) not in (8, 11):
        raise ValidationError(
            _("A NIHDI number has 11 digits (8 identifying digits and a 3-digit qualification)."),
            code="nihdi_length",
        )
    first6, check = int(digits[:6]), int(digits[6:8])
    if check not in (97 - first6 % 97, 89 - first6 % 89):
        raise ValidationError(
            _("The check digits of this NIHDI number are wrong: one of the digits was probably mistyped."),
            code="nihdi_checksum",
        )


def make_nihdi(profession: int, serial: int, qualification: int) -> str:
    """Build a valid NIHDI number (demo data and tests)."""
    first6 = int(f"{profession}{serial:05d}")
    return f"{first6:06d}{97 - first6 % 97:02d}{qualification:03d}"


def validate_kbo(value: str) -> None:
    """KBO/BCE enterprise number: 10 digits, the last two are 97 - (first eight mod 97)."""
    digits = normalise_number(value).removeprefix("BE")
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError(_("An enterprise (KBO/BCE) number has 10 digits."), code="kbo_length")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValidationError(_("The check digits of this enterprise (KBO/BCE) number are wrong."), code="kbo_checksum")


def make_kbo(serial: int) -> str:
    first8 = int(f"0{serial:07d}")
    return f"{first8:08d}{97 - first8 % 97:02d}"
