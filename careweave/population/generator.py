"""Synthetic Belgian population, calibrated on public figures, written as Parquet in chunks.

Why synthetic: the real source (mutualities/IMA data linked per person, ``001_…txt`` lines
~20165-20455) is not available to a zone; a calibrated synthetic population lets every part of
population management (stratification, indicators, suppression, dashboards, benchmarks) run
at any size, from one zone to Belgium, with the same seed giving the same data.

Memory stays bounded: persons are generated in fixed chunks of ``CHUNK`` persons, each with
its own random stream ``default_rng([seed, chunk])``, and every table is appended as one
Parquet file per chunk (``DIR/<table>/part-NNNNN.parquet``). Generating 11.8 million persons
therefore needs the memory of one chunk, and the data do not depend on how many chunks run.

Calibration (sources in brackets; ``000``/``002`` are files in ``shared/seeds``):
- age-sex pyramid and regional split: Statbel 2024, rounded (not in the seeds);
- >=1 chronic condition in 29.3% of people aged 15+ (``002_…txt`` line 17, Gezondheidsenquête
  2018); multimorbidity (>=2 conditions) in 70% of people aged 65+ (``000_…txt`` line 38,
  Gezondheidsenquête 2023-2024);
- 22% of people aged 15+ rate their own health as poor (``000_…txt`` line 30);
- 4 in 10 people aged 65+ have severe functional limitations (``000_…txt`` lines 35-36);
- depression in 6.7% of people aged 15-24 (``000_…txt`` lines 45-46);
- ELZ Zora: six municipalities, about 102,280 inhabitants (``000_…txt`` lines 405-407);
- increased reimbursement (BIM) about 15% in Flanders, 23% in Wallonia, 30% in Brussels;
  ~0.16 classic hospital admissions and ~1% deaths per inhabitant per year; flu vaccination of
  65+ around 55-60% (public IMA/Statbel orders of magnitude, not in the seeds).
Nomenclature codes are illustrative RIZIV/INAMI-style codes listed in ``NOMENCLATURE``.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .geography import MUNICIPALITIES, ZONE_BY_CODE, municipalities
from .pseudonyms import pseudonym_ids, synthetic_ssins

CHUNK = 100_000
YEARS = (2023, 2024, 2025)
REFERENCE_YEAR = YEARS[-1]
TABLES = (
    "persons", "claims", "medication", "stays", "diagnoses", "assessments",
    "vaccinations", "deaths", "surveys",
)

# Statbel 2024 (rounded), share of the population per 5-year band, 0-4 ... 90+.
PYRAMID = np.array([5.3, 5.6, 5.9, 5.7, 5.7, 6.1, 6.6, 6.6, 6.5, 6.4, 6.8, 6.9, 6.5, 5.6, 4.9, 4.0, 2.6,
                    1.7, 0.9])
PYRAMID = PYRAMID / PYRAMID.sum()
BIM_BASE = {"VLG": 0.15, "WAL": 0.23, "BRU": 0.30}
GMD_BASE = {"VLG": 0.84, "WAL": 0.74, "BRU": 0.60}

# Illustrative RIZIV/INAMI-style nomenclature: code -> (discipline, mean amount in EUR).
NOMENCLATURE = {
    101076: ("gp", 30.0),          # GP consultation
    103132: ("gp", 42.0),          # GP home visit
    102771: ("gp", 32.0),          # GMD (global medical record) yearly fee
    102012: ("specialist", 46.0),  # specialist consultation
    425110: ("nurse", 22.0),       # home nursing visit
    560011: ("physio", 25.0),      # physiotherapy session
    773020: ("coordination", 60.0),  # multidisciplinary consultation (MDO) / care coordination
    768014: ("hospital", 1500.0),  # hospital stay (flat + per day, see below)
}
GMD_CODE = 102771
MDO_CODE = 773020


@dataclass(frozen=True)
class Condition:
    key: str
    icd10: tuple[str, ...]      # first code most frequent
    icpc2: str
    atc: tuple[str, ...]        # chronic medication, empty if none
    weight: tuple[float, ...]   # relative weight per age group 0-14, 15-44, 45-64, 65-79, 80+


CONDITIONS: tuple[Condition, ...] = (
    Condition("hypertension", ("I10",), "K86", ("C09AA05", "C08CA01"), (0, 1, 6, 10, 10)),
    Condition("diabetes", ("E11.9", "E11.2", "E10.9"), "T90", ("A10BA02",), (0.1, 0.5, 3, 4, 3.5)),
    Condition("copd", ("J44.9",), "R95", ("R03BB04",), (0, 0.2, 1.5, 3, 3)),
    Condition("asthma", ("J45.9",), "R96", ("R03AK06",), (3, 2, 1.2, 1, 0.8)),
    Condition("heart_failure", ("I50.9", "I11.0"), "K77", ("C03CA01", "C07AB07"), (0, 0.05, 0.5, 2, 4)),
    Condition("ischaemic_heart", ("I25.9", "I25.2", "I21.9"), "K76", ("B01AC06", "C10AA05"),
              (0, 0.1, 1.5, 3, 3.5)),
    Condition("atrial_fibrillation", ("I48.9",), "K78", ("B01AF01",), (0, 0.05, 0.6, 2, 3.5)),
    Condition("depression", ("F32.9", "F33.1"), "P76", ("N06AB06",), (0.3, 3.5, 2.5, 1.8, 1.8)),
    Condition("dementia", ("F03", "G30.9"), "P70", ("N06DA02",), (0, 0, 0.1, 1, 4.5)),
    Condition("kidney_disease", ("N18.4", "N18.3"), "U99", (), (0, 0.1, 0.6, 2, 3.5)),
    Condition("cancer", ("C50.9", "C18.9", "C61", "C34.9", "C78.0"), "X76", ("L02BG03",),
              (0.05, 0.3, 1.5, 2.5, 2.5)),
    Condition("osteoarthritis", ("M17.9",), "L90", ("M01AE01",), (0, 0.3, 2.5, 5, 5)),
    Condition("parkinson", ("G20",), "N87", ("N04BA02",), (0, 0, 0.1, 0.5, 1)),
    Condition("stroke", ("I69.3", "I63.9", "G81.9"), "K90", ("B01AC04",), (0, 0.05, 0.4, 1.5, 2.5)),
    Condition("hypothyroidism", ("E03.9",), "T86", ("H03AA01",), (0.1, 1, 1.5, 1.8, 1.8)),
    Condition("back_pain", ("M54.5",), "L03", (), (0.2, 3, 4, 4, 3)),
    Condition("obesity", ("E66.9",), "T82", (), (0.8, 2, 2.5, 2, 1)),
    Condition("rheumatoid_arthritis", ("M06.9", "M05.9"), "L88", ("L04AX03",), (0, 0.2, 0.5, 0.6, 0.6)),
    Condition("hyperlipidaemia", ("E78.5",), "T93", ("C10AA05",), (0, 0.5, 3, 4, 3)),
    Condition("liver_disease", ("K74.6", "K70.3"), "D97", (), (0, 0.1, 0.3, 0.3, 0.2)),
    Condition("psychosis", ("F20.9",), "P72", ("N05AH04",), (0, 0.4, 0.3, 0.2, 0.2)),
)
# Hospital primary diagnoses: ambulatory-care-sensitive (emergency) and planned.
ACSC_BY_CONDITION = {"heart_failure": "I50.9", "copd": "J44.1", "diabetes": "E11.6", "asthma": "J45.9",
                     "hypertension": "I10"}
EMERGENCY_OTHER = ("J18.9", "N39.0", "S72.0", "I21.9", "I63.9", "R55", "K35.8", "E86")
PLANNED = ("M17.1", "K80.2", "H25.9", "C50.9", "I25.1", "K40.9", "N40")
PROFESSIONS = {  # discipline -> headcount per 10,000 inhabitants (orders of magnitude)
    "gp": 9.5, "home_nurse": 12.0, "physiotherapist": 9.0, "pharmacist": 5.0, "psychologist": 3.5,
    "social_worker": 3.0, "dietitian": 1.5, "occupational_therapist": 1.2,
}


def _age_group(age: np.ndarray) -> np.ndarray:
    return np.digitize(age, [15, 45, 65, 80])


def _solve_lambda() -> float:
    """Mean number of conditions at 15-44 so that 29.3% of the 15+ have at least one.

    45-64 get 2.5 times that rate; 65+ get ``LAMBDA_65`` (2.44 would give P(K>=2) = 0.70).
    """
    shares = {"15-44": PYRAMID[3:9].sum(), "45-64": PYRAMID[9:13].sum(), "65+": PYRAMID[13:].sum()}
    total = sum(shares.values())
    target = LATENT_15 * total - shares["65+"] * (1 - math.exp(-LAMBDA_65))
    lo, hi = 0.0, 2.0
    for _ in range(60):
        mid = (lo + hi) / 2
        got = shares["15-44"] * (1 - math.exp(-mid)) + shares["45-64"] * (1 - math.exp(-2.5 * mid))
        lo, hi = (mid, hi) if got < target else (lo, mid)
    return lo


# Latent targets sit a little below the survey figures (29.3% and 70%) because one latent
# condition can show up in two chronic groups in the data (e.g. ischaemic heart disease ->
# cardiovascular and lipids); the *measured* prevalence then lands on the survey figures
# (checked in tests/population/test_generator.py).
LAMBDA_65 = 2.15
LATENT_15 = 0.262
LAMBDA_15 = _solve_lambda()


def _dates(rng: np.random.Generator, year: int, n: int, start_doy: int = 0, end_doy: int = 365) -> np.ndarray:
    days = rng.integers(start_doy, end_doy, size=n)
    return np.datetime64(f"{year}-01-01") + days.astype("timedelta64[D]")


def _write(out: Path, table: str, chunk: int, columns: dict[str, np.ndarray | pa.Array]) -> None:
    (out / table).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / table / f"part-{chunk:05d}.parquet", compression="zstd")


@dataclass(frozen=True)
class LinkedPerson:
    """A real (here: Careweave demo) person who joins the synthetic set under their pseudonym.

    Only what the claims-like set would know: SSIN (turned into the pseudonym, never written),
    birth year, sex (``F``/``M``) and municipality (NIS code). Their claims and events are synthetic.
    """
    ssin: str
    birth_year: int
    sex: str
    nis: int


def _chunk(seed: int, chunk: int, n: int, start_id: int, munis: list, out: Path,
           linked: tuple[LinkedPerson, ...] = ()) -> np.ndarray:
    """Generate ``n`` persons and all their events; return their municipality index.

    ``linked`` persons take the first places of the chunk: their demographics replace the drawn
    ones before anything else is derived from them. Every ``person_id`` is the keyed pseudonym of
    the person's SSIN (``pseudonyms.synthetic_ssins`` for the synthetic ones) in their zone.
    """
    rng = np.random.default_rng([seed, chunk])
    weights = np.array([m.population for m in munis], dtype=float)
    mi = rng.choice(len(munis), size=n, p=weights / weights.sum())
    band = rng.choice(len(PYRAMID), size=n, p=PYRAMID)
    age = band * 5 + rng.integers(0, 5, size=n)
    age = np.where(band == len(PYRAMID) - 1, 90 + rng.geometric(0.25, size=n) - 1, age).clip(0, 106)
    p_female = np.select([age >= 85, age >= 75, age >= 65], [0.65, 0.56, 0.52], 0.49)
    sex = np.where(rng.random(n) < p_female, "F", "M")
    m = len(linked)
    if m:
        index_of = {mu.nis: i for i, mu in enumerate(munis)}
        mi[:m] = [index_of[p.nis] for p in linked]
        age[:m] = [min(max(REFERENCE_YEAR - p.birth_year, 0), 106) for p in linked]
        sex[:m] = [p.sex for p in linked]
    nis = np.array([mu.nis for mu in munis], dtype=np.int32)[mi]
    region = np.array([mu.region for mu in munis])[mi]
    zone = np.array([mu.zone for mu in munis])[mi]
    ssins = [p.ssin for p in linked] + synthetic_ssins(start_id + m, n - m)
    pid = np.array(pseudonym_ids(ssins, zone.tolist()), dtype=np.int64)
    birth_year = (REFERENCE_YEAR - age).astype(np.int16)
    bim_p = np.vectorize(BIM_BASE.get)(region) * np.where(age >= 65, 1.3, np.where(age < 18, 1.15, 1.0))
    bim = rng.random(n) < bim_p
    alone_p = np.select([age < 18, age < 65, age < 80], [0.0, 0.14, 0.28], 0.45) + 0.05 * bim * (age >= 18)
    living_alone = rng.random(n) < alone_p
    sector = nis.astype(np.int64) * 1000 + rng.integers(0, 12, size=n)

    # chronic conditions: number ~ Poisson(lambda(age)), chosen without replacement by age weight
    grp = _age_group(age)
    lam = np.select([age < 15, age < 45, age < 65], [0.05, LAMBDA_15, 2.5 * LAMBDA_15], LAMBDA_65)
    k = np.minimum(rng.poisson(lam * np.where(bim, 1.15, 1.0)), len(CONDITIONS))
    w = np.array([c.weight for c in CONDITIONS], dtype=float).T[grp]  # n x C
    # depression in 15-24 is calibrated separately (000_…txt lines 45-46: 6.7%)
    dep = [c.key for c in CONDITIONS].index("depression")
    with np.errstate(divide="ignore"):
        score = np.log(w) + rng.gumbel(size=w.shape)
    rank = np.argsort(np.argsort(-score, axis=1), axis=1)
    has = (rank < k[:, None]) & (w > 0)
    young = (age >= 15) & (age < 25)
    has[young, dep] = rng.random(young.sum()) < 0.067
    onset = np.where(rng.random(has.shape) < 0.8, 0, rng.choice([2024, 2025], size=has.shape))  # 0 = before
    ncond = has.sum(axis=1)
    cond_idx = {c.key: i for i, c in enumerate(CONDITIONS)}

    # frailty latent score; severe functional limitation in 40% of 65+ (000_…txt lines 35-36)
    extra = has[:, cond_idx["dementia"]] * 1.5 + has[:, cond_idx["stroke"]] * 0.8 + has[:, cond_idx["parkinson"]]
    s = (0.06 * np.maximum(age - 50, 0) + 0.45 * ncond + 0.3 * bim + 0.25 * living_alone + extra
         + rng.normal(0, 0.8, size=n))
    old = age >= 65
    threshold = np.quantile(s[old], 0.60) if old.any() else 99.0
    gmd_p = np.vectorize(GMD_BASE.get)(region) + 0.10 * (ncond > 0) - 0.05 * bim
    gmd_latent = rng.random(n)
    coordinator = (rng.random(n) < 0.35) & ((ncond >= 4) | (s > 5.5))

    persons_cols = {
        "person_id": pid, "birth_year": birth_year, "age": age.astype(np.int16), "sex": sex,
        "nis": nis, "sector": sector, "zone": zone, "region": region, "bim": bim,
        "living_alone": living_alone, "gmd": gmd_latent < gmd_p + 0.02 * (REFERENCE_YEAR - 2023),
        "coordinator": coordinator,
    }

    claims, meds, stays, diags, assess, vacc, surveys = ([] for _ in range(7))
    alive = np.ones(n, dtype=bool)
    death_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for y in YEARS:
        present = alive & (birth_year <= y)
        age_y = (y - birth_year).astype(np.int64)
        has_y = has & ((onset == 0) | (onset <= y))
        k_y = has_y.sum(axis=1)
        s_y = s - 0.15 * (REFERENCE_YEAR - y)
        # deaths (Gompertz-like, about 1% a year overall)
        q = np.exp(-10.85 + 0.094 * age_y) * (1 + 0.25 * k_y) * np.where(s_y > 5, 1.6, 1.0)
        dies = present & (rng.random(n) < np.minimum(q, 0.6))
        dd = _dates(rng, y, n)
        death_date = np.where(dies, dd, death_date)
        cutoff = np.where(dies, dd, np.datetime64(f"{y}-12-31"))
        idx_present = np.flatnonzero(present)

        def events(counts: np.ndarray, year: int = y, cutoff: np.ndarray = cutoff) -> tuple[np.ndarray, np.ndarray]:
            """Person indices repeated per event, and event dates not after death."""
            ix = np.repeat(np.arange(n), counts)
            d = _dates(rng, year, ix.size)
            keep = d <= cutoff[ix]
            return ix[keep], d[keep]

        # primary care and other claims
        gp_n = rng.poisson((1.8 + 1.1 * k_y + 0.8 * (age_y >= 75)) * present)
        home_n = rng.poisson((2.5 * ((age_y >= 80) | (s_y > 4.5))) * present)
        spec_n = rng.poisson((0.6 + 0.5 * k_y) * present)
        nurse_n = rng.poisson((10.0 * (s_y > 4.5) + 4.0 * ((age_y >= 75) & (k_y >= 3))) * present)
        physio_n = rng.poisson((0.4 + 0.5 * (age_y >= 65)) * present)
        gmd_n = (present & (gmd_latent < gmd_p - 0.02 * (REFERENCE_YEAR - y))).astype(np.int64)
        mdo_n = (present & coordinator & (rng.random(n) < 0.85)).astype(np.int64)
        for code, counts in ((101076, gp_n), (103132, home_n), (102012, spec_n), (425110, nurse_n),
                             (560011, physio_n), (GMD_CODE, gmd_n), (MDO_CODE, mdo_n)):
            ix, d = events(counts)
            disc, mean = NOMENCLATURE[code]
            amount = np.round(mean * rng.lognormal(0, 0.15, size=ix.size), 2)
            claims.append((pid[ix], d, np.full(ix.size, code, dtype=np.int32), np.full(ix.size, disc), amount))

        # hospital stays
        base = np.select([age_y < 15, age_y < 45, age_y < 65, age_y < 80], [0.10, 0.13, 0.17, 0.34], 0.55)
        births = (sex == "F") & (age_y >= 20) & (age_y < 40)
        rate = base * (0.6 + 0.25 * k_y) + 0.05 * births
        st_n = rng.poisson(rate * present)
        ix, adm = events(st_n)
        emerg_p = np.minimum(0.35 + 0.06 * k_y[ix], 0.75)
        emerg = rng.random(ix.size) < emerg_p
        # emergency diagnosis: an ACSC of a condition the person has, else another emergency
        acsc = np.full(ix.size, "", dtype=object)
        for key, code in ACSC_BY_CONDITION.items():
            hit = has_y[ix, cond_idx[key]] & (acsc == "") & (rng.random(ix.size) < 0.5)
            acsc[hit] = code
        other_e = np.array(EMERGENCY_OTHER)[rng.integers(0, len(EMERGENCY_OTHER), ix.size)]
        planned = np.array(PLANNED)[rng.integers(0, len(PLANNED), ix.size)]
        planned = np.where(births[ix] & (rng.random(ix.size) < 0.7), "O80", planned)
        dx = np.where(emerg, np.where(acsc != "", acsc, other_e), planned).astype(str)
        los = np.maximum(1, np.round(rng.gamma(1.6, 2.5 + 0.06 * age_y[ix]))).astype(np.int64)
        dis = adm + los.astype("timedelta64[D]")
        stays.append((pid[ix], adm, dis, emerg, dx))
        amount = np.round(NOMENCLATURE[768014][1] + 520.0 * los * rng.lognormal(0, 0.2, ix.size), 2)
        claims.append((pid[ix], adm, np.full(ix.size, 768014, dtype=np.int32), np.full(ix.size, "hospital"),
                       amount))

        # diagnoses (recorded with probability 0.85 a year; 30% ICPC-2 coded by the GP) and medication
        for ci, c in enumerate(CONDITIONS):
            holders = np.flatnonzero(present & has_y[:, ci])
            if holders.size == 0:
                continue
            rec = holders[rng.random(holders.size) < 0.85]
            d = _dates(rng, y, rec.size)
            keep = d <= cutoff[rec]
            rec, d = rec[keep], d[keep]
            other = np.array(c.icd10)[rng.integers(0, len(c.icd10), rec.size)]
            icd = np.where(rng.random(rec.size) < 0.7, c.icd10[0], other)
            icpc = rng.random(rec.size) < 0.3
            diags.append((pid[rec], d, np.where(icpc, c.icpc2, icd), np.where(icpc, "ICPC-2", "ICD-10")))
            for a in c.atc:
                users = holders[rng.random(holders.size) < 0.85]
                n_deliv = np.where(onset[users, ci] == y, 2, 4)
                ix = np.repeat(users, n_deliv)
                d = _dates(rng, y, ix.size)
                keep = d <= cutoff[ix]
                ix, d = ix[keep], d[keep]
                meds.append((pid[ix], d, np.full(ix.size, a), np.full(ix.size, 90.0),
                             np.round(rng.uniform(8, 60, ix.size), 2)))
        # acute and common non-disease medication
        for atc, counts, ddd in (
            ("J01CA04", rng.poisson(0.35 * present), 10.0),
            ("M01AE01", rng.poisson(0.25 * present), 15.0),
            ("A02BC01", 4 * (present & (age_y >= 50) & (gmd_latent * 7 % 1 < 0.15 + 0.05 * k_y)), 90.0),
            ("N05BA12", 4 * (present & (age_y >= 65) & (gmd_latent * 13 % 1 < 0.08 + 0.03 * k_y)), 60.0),
            ("N02BE01", 3 * (present & (age_y >= 65) & (gmd_latent * 17 % 1 < 0.20)), 60.0),
        ):
            ix, d = events(counts)
            meds.append((pid[ix], d, np.full(ix.size, atc), np.full(ix.size, ddd),
                         np.round(rng.uniform(3, 15, ix.size), 2)))

        # assessments: CFS (1-9) and KATZ (6-24, >=12 = severe limitation)
        assessed = present & (((age_y >= 65) & (rng.random(n) < np.minimum(0.35 + 0.1 * k_y, 0.9)))
                              | ((k_y >= 3) & (rng.random(n) < 0.2)))
        ax = np.flatnonzero(assessed)
        d = _dates(rng, y, ax.size)
        keep = d <= cutoff[ax]
        ax, d = ax[keep], d[keep]
        cfs = np.clip(1 + np.floor(s_y[ax] * 0.9), 1, 9).astype(np.int16)
        severe = s_y[ax] > threshold - 0.15 * (REFERENCE_YEAR - y)
        katz = np.where(severe, rng.integers(12, 25, ax.size), rng.integers(6, 12, ax.size)).astype(np.int16)
        assess.append((pid[ax], d, np.full(ax.size, "CFS"), cfs))
        assess.append((pid[ax], d, np.full(ax.size, "KATZ"), katz))

        # vaccinations (flu each autumn; covid booster and pneumococcal for 65+)
        flu_p = np.where(age_y >= 65, 0.55 + 0.12 * persons_cols["gmd"] - 0.07 * bim,
                         np.where(k_y >= 1, 0.25, 0.06))
        for vaccine, p in (("influenza", flu_p), ("covid19", np.where(age_y >= 65, 0.40, 0.03)),
                           ("pneumococcal", np.where(age_y >= 65, 0.06, 0.0))):
            vx = np.flatnonzero(present & (rng.random(n) < p))
            d = _dates(rng, y, vx.size, 273, 365)
            keep = d <= cutoff[vx]
            vacc.append((pid[vx[keep]], d[keep], np.full(keep.sum(), vaccine)))

        # survey sample (PREM and self-rated health), 3% of the 15+ each year
        sx = idx_present[(age_y[idx_present] >= 15) & (rng.random(idx_present.size) < 0.03)]
        bad = rng.random(sx.size) < np.minimum(0.16 + 0.09 * k_y[sx] + 0.06 * bim[sx] + 0.05 * (s_y[sx] > 4), 0.9)
        prem = np.clip(np.round(rng.normal(7.6 - 0.5 * bim[sx] - 0.2 * (k_y[sx] >= 3), 1.6)), 0, 10)
        involved = rng.random(sx.size) < 0.72 - 0.08 * bim[sx]
        surveys.append((pid[sx], np.full(sx.size, y, dtype=np.int16), bad, prem.astype(np.int16), involved))
        alive &= ~dies

    def cat(parts: list, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        return {name: np.concatenate([p[i] for p in parts]) for i, name in enumerate(names)}

    _write(out, "persons", chunk, persons_cols)
    _write(out, "claims", chunk, cat(claims, ("person_id", "date", "code", "discipline", "amount")))
    _write(out, "medication", chunk, cat(meds, ("person_id", "date", "atc", "ddd", "amount")))
    _write(out, "stays", chunk, cat(stays, ("person_id", "admission", "discharge", "emergency", "icd10")))
    _write(out, "diagnoses", chunk, cat(diags, ("person_id", "date", "code", "system")))
    _write(out, "assessments", chunk, cat(assess, ("person_id", "date", "instrument", "score")))
    _write(out, "vaccinations", chunk, cat(vacc, ("person_id", "date", "vaccine")))
    died = ~np.isnat(death_date)
    _write(out, "deaths", chunk, {"person_id": pid[died], "date": death_date[died]})
    _write(out, "surveys", chunk, cat(surveys, ("person_id", "year", "bad_health", "prem_score", "involved")))
    return mi


def _professionals(seed: int, munis: list, counts: np.ndarray, out: Path) -> None:
    """Synthetic professionals per municipality, scaled to the generated population."""
    rng = np.random.default_rng([seed, 999_999])
    rows: dict[str, list] = {k: [] for k in ("professional_id", "year", "nis", "zone", "discipline", "fte",
                                               "burnout_risk", "satisfaction", "intends_to_leave")}
    next_id = 1
    for y in YEARS:
        for m, pop in zip(munis, counts, strict=True):
            for disc, density in PROFESSIONS.items():
                c = int(rng.poisson(pop * density / 10_000 * (1 + 0.01 * (y - YEARS[0]))))
                rows["professional_id"] += list(range(next_id, next_id + c))
                next_id += c
                rows["year"] += [y] * c
                rows["nis"] += [m.nis] * c
                rows["zone"] += [m.zone] * c
                rows["discipline"] += [disc] * c
                rows["fte"] += list(np.round(rng.choice([0.5, 0.8, 1.0], size=c, p=[0.25, 0.25, 0.5]), 1))
                rows["burnout_risk"] += list(rng.random(c) < 0.24 + 0.02 * (y - YEARS[0]))
                rows["satisfaction"] += list(np.clip(np.round(rng.normal(6.8, 1.5, c)), 0, 10).astype(int))
                rows["intends_to_leave"] += list(rng.random(c) < 0.12)
    table = pa.table(rows).cast(pa.schema([
        ("professional_id", pa.int64()), ("year", pa.int16()), ("nis", pa.int32()), ("zone", pa.string()),
        ("discipline", pa.string()), ("fte", pa.float64()), ("burnout_risk", pa.bool_()),
        ("satisfaction", pa.int16()), ("intends_to_leave", pa.bool_())]))
    (out / "professionals").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "professionals" / "part-00000.parquet")


def generate(persons: int, seed: int, out: str | Path, zone: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             linked: list[LinkedPerson] | tuple[LinkedPerson, ...] = ()) -> dict:
    """Write a synthetic population of ``persons`` persons to ``out``; return its manifest.

    ``zone`` restricts the population to the municipalities of one zone (e.g. ``ZORA``).
    ``linked`` persons (Careweave's own, by SSIN) are part of the ``persons`` under their pseudonyms.
    The output directory is replaced, so a re-run with the same seed (and secret) gives the same files.
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    munis = municipalities(zone)
    known = {mu.nis for mu in munis}
    linked = tuple(p for p in linked if p.nis in known)
    if len(linked) > min(persons, CHUNK):
        raise ValueError("more linked persons than the first chunk holds")
    out = Path(out)
    for t in (*TABLES, "professionals"):
        shutil.rmtree(out / t, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    counts = np.zeros(len(munis), dtype=np.int64)
    done = 0
    chunk = 0
    while done < persons:
        n = min(CHUNK, persons - done)
        mi = _chunk(seed, chunk, n, 1 + done, munis, out, linked if chunk == 0 else ())
        counts += np.bincount(mi, minlength=len(munis))
        done += n
        chunk += 1
        if progress:
            progress(done, persons)
    _professionals(seed, munis, counts, out)
    geo = pa.table({
        "nis": [m.nis for m in munis], "name": [m.name for m in munis], "zone": [m.zone for m in munis],
        "zone_name": [ZONE_BY_CODE[m.zone].name for m in munis], "region": [m.region for m in munis],
    })
    pq.write_table(geo, out / "municipalities.parquet")
    manifest = {
        "persons": persons, "seed": seed, "zone": zone, "years": list(YEARS),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "source": "synthetic",
        "generator_version": 2, "linked_persons": len(linked),
        "linked_fingerprint": linked_fingerprint(linked),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def linked_fingerprint(linked: list[LinkedPerson] | tuple[LinkedPerson, ...]) -> str:
    """A digest of the linked persons (their pseudonyms and demographics), so a changed demo regenerates."""
    import hashlib

    if not linked:
        return ""
    zone_of = {mu.nis: mu.zone for mu in MUNICIPALITIES}
    ids = pseudonym_ids([p.ssin for p in linked], [zone_of[p.nis] for p in linked])
    text = ";".join(f"{i}:{p.birth_year}:{p.sex}:{p.nis}" for i, p in zip(ids, linked, strict=True))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stderr_progress(done: int, total: int) -> None:
    """Progress line on stderr for long generation runs."""
    sys.stderr.write(f"\r  {done:,}/{total:,} persons ({100 * done / total:.0f}%)")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


__all__ = ["generate", "LinkedPerson", "CONDITIONS", "YEARS", "TABLES", "MUNICIPALITIES", "NOMENCLATURE"]
