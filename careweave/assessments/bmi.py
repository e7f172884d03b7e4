"""BMI-for-age z-scores with the WHO LMS method, from the published WHO tables as data.

The seeds give no BMI rule for the obesity programme (SEED-REQUIREMENTS C7 §7.4, "[NOT IN SEEDS]"):
the WHO Child Growth Standards 2006 (0-5 years, daily) and the WHO Growth Reference 2007
(5-19 years, monthly) are used, as stated in ``data/who_bmi_for_age.json`` and docs/assessments.md.

z = ((BMI/M)^L - 1) / (L*S); beyond ±3 SD the WHO "restricted application of the LMS method"
continues linearly with the distance between the 2nd and 3rd SD (WHO 2006 technical report
ch. 7; de Onis et al. 2007), so extreme values do not shrink.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "who_bmi_for_age.json"
DAYS_PER_MONTH = 30.4375  # WHO: 365.25 / 12
LAST_2006_DAY = 1856  # the standards run to 1856 days; the 2007 reference is used from 61 months
FIRST_2007_MONTH = 61
LAST_2007_MONTH = 228  # 19 years
LAST_DAY = round(LAST_2007_MONTH * DAYS_PER_MONTH)  # 6940 days
SEXES = {"male": "male", "female": "female", "m": "male", "f": "female"}


class OutsideReference(ValueError):
    """Age, sex or measurement the WHO references do not cover."""


@dataclass(frozen=True)
class BmiForAge:
    bmi: float
    z: float
    percentile: float
    category: str  # WHO classification code, see classify()
    reference: str  # "WHO 2006" or "WHO 2007"
    age_months: float
    lms: tuple[float, float, float]


@lru_cache(maxsize=1)
def _tables() -> dict:
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def lms_for_age(sex: str, age_days: int) -> tuple[tuple[float, float, float], str]:
    """The L, M, S of this sex at this age, and which WHO reference gave them."""
    key = SEXES.get(str(sex).lower())
    if key is None:
        raise OutsideReference(f"sex {sex!r}")
    if age_days < 0:
        raise OutsideReference("a negative age")
    tables = _tables()
    months = age_days / DAYS_PER_MONTH
    if months < FIRST_2007_MONTH and age_days <= LAST_2006_DAY:
        row = tables["standards_2006"][key][age_days]
        return (row[0], row[1], row[2]), "WHO 2006"
    if age_days > LAST_DAY:
        raise OutsideReference("older than 19 years")
    months = min(months, LAST_2007_MONTH)
    rows = tables["reference_2007"][key]
    first = tables["reference_2007"]["first_age"]
    low = math.floor(months)
    frac = months - low
    a = rows[low - first]
    b = rows[min(low + 1, LAST_2007_MONTH) - first]
    lms = tuple(x + (y - x) * frac for x, y in zip(a, b, strict=True))
    return (lms[0], lms[1], lms[2]), "WHO 2007"


def value_at(lms: tuple[float, float, float], z: float) -> float:
    """The measurement at a z-score (the published SD curves): M (1 + L S z)^(1/L)."""
    lam, mu, sigma = lms
    if lam == 0:
        return mu * math.exp(sigma * z)
    return mu * (1 + lam * sigma * z) ** (1 / lam)


def z_score(value: float, lms: tuple[float, float, float]) -> float:
    """LMS z-score, with the WHO restricted extension beyond ±3 SD."""
    lam, mu, sigma = lms
    z = math.log(value / mu) / sigma if lam == 0 else ((value / mu) ** lam - 1) / (lam * sigma)
    if z > 3:
        sd3, sd2 = value_at(lms, 3), value_at(lms, 2)
        return 3 + (value - sd3) / (sd3 - sd2)
    if z < -3:
        sd3, sd2 = value_at(lms, -3), value_at(lms, -2)
        return -3 + (value - sd3) / (sd2 - sd3)
    return z


def percentile(z: float) -> float:
    """The centile of a z-score under the normal distribution (0-100)."""
    return 50 * (1 + math.erf(z / math.sqrt(2)))


def classify(z: float, age_months: float) -> str:
    """WHO cut-offs. Under 5 (WHO 2006): > +3 SD obesity, > +2 overweight, > +1 possible risk of
    overweight, < -2 thinness (wasted), < -3 severe thinness. 5-19 (WHO 2007): > +2 SD obesity,
    > +1 overweight, < -2 thinness, < -3 severe thinness."""
    under_five = age_months < FIRST_2007_MONTH
    if z > (3 if under_five else 2):
        return "obesity"
    if z > (2 if under_five else 1):
        return "overweight"
    if under_five and z > 1:
        return "risk-of-overweight"
    if z < -3:
        return "severe-thinness"
    if z < -2:
        return "thinness"
    return "normal"


def body_mass_index(weight_kg: float, height_cm: float) -> float:
    if weight_kg <= 0 or height_cm <= 0:
        raise OutsideReference("weight and height must be positive")
    return weight_kg / (height_cm / 100) ** 2


def bmi_for_age(sex: str, age_days: int, weight_kg: float, height_cm: float) -> BmiForAge:
    """BMI, its WHO z-score, centile and category for a child of this sex and age (in days).

    Under 2 years the WHO standard is for recumbent length, from 2 years for standing height."""
    bmi = body_mass_index(weight_kg, height_cm)
    lms, reference = lms_for_age(sex, int(age_days))
    z = z_score(bmi, lms)
    months = age_days / DAYS_PER_MONTH
    return BmiForAge(
        bmi=round(bmi, 2),
        z=round(z, 2),
        percentile=round(percentile(z), 1),
        category=classify(z, months),
        reference=reference,
        age_months=round(months, 1),
        lms=lms,
    )
