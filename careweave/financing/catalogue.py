"""The Protocol 3 provision set, the seed's billed-provisions table and the example tariffs, as data.

Codes are the labels printed in the P3 table "Evolutie aantal gefactureerde verstrekkingen van alle
P3-projecten 2019-2023" (003 l.6-27); the three basic provisions are case management, occupational
therapy and psychological support (003 l.231-235). MDO is the fee of the multidisciplinary consultation (C8).
"""

from __future__ import annotations

from decimal import Decimal

from careweave.lazytext import gettext_lazy as _

MDO = "MDO"

# code -> (order, unit, care units per unit, group session)
TYPES: dict[str, tuple[int, str, str, bool]] = {
    "CASEMANAGEMENT": (1, "session", "1", False),
    "ERGO": (2, "session", "1", False),
    "PSY": (3, "session", "1", False),
    "ERGO GROEP": (4, "session", "0.5", True),
    "PSY GROEP": (5, "session", "0.5", True),
    "NACHTBEZOEK": (6, "session", "1", False),
    "ZORGEDUCATIE": (7, "session", "1", False),
    "MANTELZORGERS": (8, "session", "1", False),
    MDO: (9, "session", "0", False),
}

# Who may provide each type (people.Discipline codes) and whether it is medical detail (seen only with full
# access, decision 0004). The seeds name the three basic provisions "casemanagement, ergotherapeutische en
# psychologische ondersteuning" (003 l.233-234): occupational therapy by occupational therapists,
# psychological support by psychologists. The others are [DERIVED]: night visits are nursing, care education
# by care professionals, informal-carer support by welfare and care professionals; the MDO fee goes to every
# paid professional of a concluded MDO (only the system registers it).
PROVIDERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "CASEMANAGEMENT": (("case_manager", "social_worker", "home_nurse"), False),
    "ERGO": (("ot",), False),
    "PSY": (("psychologist",), True),
    "ERGO GROEP": (("ot",), False),
    "PSY GROEP": (("psychologist",), True),
    "NACHTBEZOEK": (("home_nurse",), False),
    "ZORGEDUCATIE": (("home_nurse", "gp", "physio", "ot", "dietitian", "pharmacist", "midwife"), False),
    "MANTELZORGERS": (("social_worker", "psychologist", "case_manager", "home_nurse", "family_aid"), False),
    MDO: (("gp", "specialist", "home_nurse", "physio", "ot", "psychologist", "pharmacist", "midwife", "dietitian",
           "speech", "social_worker", "family_aid", "case_manager", "educator", "peer_worker", "other"), False),
}

TYPE_NAMES = {
    "CASEMANAGEMENT": _("Case management"),
    "ERGO": _("Occupational therapy"),
    "PSY": _("Psychological support"),
    "ERGO GROEP": _("Occupational therapy, group"),
    "PSY GROEP": _("Psychological support, group"),
    "NACHTBEZOEK": _("Night visit"),
    "ZORGEDUCATIE": _("Care education"),
    "MANTELZORGERS": _("Informal-carer support"),
    MDO: _("Multidisciplinary consultation (MDO) fee"),
}

# The seed table, transcribed cell by cell (003 l.6-27; "23.187" is Dutch for 23187). Columns are periods
# given as (year, first quarter, last quarter): "t2-t4 2019" ... "t1 2024" (003 l.7).
SEED_PERIODS: list[tuple[int, int, int]] = [(2019, 2, 4), (2020, 1, 4), (2021, 1, 4), (2022, 1, 4), (2023, 1, 4),
                                            (2024, 1, 1)]
SEED_TABLE: dict[str, list[int]] = {
    "CASEMANAGEMENT": [23187, 34550, 31439, 31871, 33384, 9878],   # 003 l.9
    "ERGO": [13752, 12337, 19549, 28580, 42454, 11397],             # 003 l.11
    "PSY": [19189, 27131, 34137, 38934, 37604, 10891],              # 003 l.13
    "ERGO GROEP": [4031, 1274, 655, 1104, 735, 151],                # 003 l.15
    "PSY GROEP": [298, 122, 88, 40, 220, 8],                        # 003 l.17
    "NACHTBEZOEK": [46769, 84897, 116890, 94475, 90907, 18035],     # 003 l.19
    "ZORGEDUCATIE": [1080, 4554, 1549, 1853, 2461, 557],            # 003 l.21
    "MANTELZORGERS": [376, 465, 1188, 748, 372, 16],                # 003 l.23
}
SEED_TOTALS = [108682, 165330, 205495, 197605, 208137, 50933]      # 003 l.25 "TOTA(A)L"
SEED_NEW_PATIENTS = [2675, 2186, 2477, 2614, 2666, 720]            # 003 l.27 "NIEUWE PATIENTEN"

# EXAMPLE tariffs (EUR per unit, payer RIZIV/INAMI). The seeds give no amounts (SEED-REQUIREMENTS C9); these are
# illustrative round figures so that reports and the simulator have something to multiply, flagged is_example.
# An example tariff stores no source text: its note is rendered in the reader's language (Tariff.source_text,
# issue 18.25); the English sentence stored before is converted by migration 0005.
EXAMPLE_SOURCE = ""
EXAMPLE_TARIFFS: dict[str, Decimal] = {
    "CASEMANAGEMENT": Decimal("55.00"),
    "ERGO": Decimal("45.00"),
    "PSY": Decimal("50.00"),
    "ERGO GROEP": Decimal("20.00"),
    "PSY GROEP": Decimal("22.00"),
    "NACHTBEZOEK": Decimal("80.00"),
    "ZORGEDUCATIE": Decimal("40.00"),
    "MANTELZORGERS": Decimal("40.00"),
    MDO: Decimal("40.00"),
}

# Models the simulator may compute in the shadow of fee-for-service (here, not in the simulator: the CLI's
# parser needs them without importing pandas).
SHADOW_MODELS = ("capitation", "bundled", "guarantee")
