"""FHIR R4 transaction bundles (e.g. Synthea) into the population model.

Why: the analytical model must also accept data that arrive as FHIR (C14), so stratification
and indicators can be tried on records from other systems. SNOMED CT conditions and RxNorm
medications are mapped through the small tables in ``catalogue/fhir_mappings.yaml``; what has
no mapping is counted and reported, never guessed.

Choices, documented because Synthea patients are American: a patient's municipality is
chosen deterministically from their FHIR id among the municipalities of ``zone``; BIM, living
alone, GMD and coordinator are unknown in Synthea and set to false; inpatient encounters
(class IMP) become planned hospital stays (their primary diagnosis is the first mapped
condition recorded in the encounter, else Z04.9); every encounter also becomes a claim (GP
consultation for AMB, emergency visit for EMER, hospital stay for IMP) with the total of the
Synthea Claim for that encounter as amount. A condition without an abatement date is still
present, so it is recorded again on 1 January of the last two data years (the look-back).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .geography import ZONE_BY_CODE, municipalities
from .stratify import load_yaml

AMB_CODE = 101076   # GP consultation
EMER_CODE = 590015  # emergency department visit (illustrative)
STAY_CODE = 768014


@dataclass
class ImportReport:
    bundles: int = 0
    patients: int = 0
    rows: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)  # (system, code, display) -> count

    def as_text(self) -> str:
        lines = [f"{self.bundles} bundles, {self.patients} patients"]
        lines += [f"  {table}: {n} rows" for table, n in sorted(self.rows.items())]
        total = sum(self.unmapped.values())
        lines.append(f"unmapped codes: {total} occurrences of {len(self.unmapped)} codes")
        for (system, code, display), n in self.unmapped.most_common():
            lines.append(f"  {n:4d} {system} {code} {display}")
        return "\n".join(lines)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _ref_id(reference: str | None) -> str:
    return (reference or "").split(":")[-1].split("/")[-1]


def import_bundles(paths: list[str | Path], out: str | Path, zone: str = "ZORA") -> ImportReport:
    """Read the bundles, write the Parquet tables to ``out``; return what was mapped or not."""
    if zone not in ZONE_BY_CODE:
        raise KeyError(zone)
    report = ImportReport()
    resources: list[dict] = []
    for path in sorted(str(p) for p in paths):
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
        if bundle.get("resourceType") != "Bundle":
            raise ValueError(f"{path} is not a FHIR Bundle")
        report.bundles += 1
        resources += [e["resource"] for e in bundle.get("entry", []) if "resource" in e]
    return _build(resources, out, zone, report)


STORE_TYPES = ("Condition", "MedicationRequest", "Immunization", "Encounter", "Claim")


def import_store(out: str | Path, zone: str = "ZORA") -> ImportReport:
    """The same tables from what Careweave holds: the people imported from other systems and the
    Conditions, medications, vaccinations, encounters and claims kept for them (``fhir.StoredResource``).

    Why: the population model must see the data the API accepted, whether it reads the bundles or the
    store; both paths go through the same mapping (``_build``), so they give the same tables.
    """
    if zone not in ZONE_BY_CODE:
        raise KeyError(zone)
    from careweave.fhir.mapping.people import PatientMapping
    from careweave.fhir.sources import received
    from careweave.records.clinical import store_resources

    rows = list(store_resources(STORE_TYPES))
    persons = {p.pk: p for p, _data in rows if p is not None}
    copies = received("Patient", [str(p.fhir_id) for p in persons.values()])
    resources: list[dict] = []
    mapping = PatientMapping()
    for person in sorted(persons.values(), key=lambda p: p.pk):
        patient = dict(copies.get(str(person.fhir_id)) or mapping.to_fhir(person))
        # keyed by the source's id when there is one, so the municipality drawn is the bundles' one
        patient.setdefault("id", str(person.fhir_id))
        resources.append(patient)
    for person, data in rows:
        if person is None:
            continue
        resource = dict(data)
        patient_id = (copies.get(str(person.fhir_id)) or {}).get("id") or str(person.fhir_id)
        for key in ("subject", "patient"):
            if isinstance(resource.get(key), dict):
                resource[key] = {"reference": f"Patient/{patient_id}"}
        resources.append(resource)
    return _build(resources, out, zone, ImportReport(bundles=0))


def _build(resources: list[dict], out: str | Path, zone: str, report: ImportReport) -> ImportReport:
    maps = load_yaml("fhir_mappings")
    snomed, rxnorm, cvx = maps["snomed_to_icd10"], maps["rxnorm_to_atc"], maps["cvx_to_vaccine"]
    munis = municipalities(zone)
    patients = sorted((r for r in resources if r["resourceType"] == "Patient"), key=lambda r: r["id"])
    pid = {p["id"]: i + 1 for i, p in enumerate(patients)}
    report.patients = len(patients)
    t: dict[str, dict[str, list]] = {
        "claims": {"person_id": [], "date": [], "code": [], "discipline": [], "amount": []},
        "medication": {"person_id": [], "date": [], "atc": [], "ddd": [], "amount": []},
        "stays": {"person_id": [], "admission": [], "discharge": [], "emergency": [], "icd10": []},
        "diagnoses": {"person_id": [], "date": [], "code": [], "system": []},
        "vaccinations": {"person_id": [], "date": [], "vaccine": []},
        "deaths": {"person_id": [], "date": []},
    }
    claim_total: dict[str, float] = {}
    active: list[tuple[int, date, str]] = []  # conditions without abatement: still present
    reason: dict[str, str] = {}
    for r in resources:
        if r["resourceType"] == "Claim":
            enc = _ref_id(((r.get("item") or [{}])[0].get("encounter") or [{}])[0].get("reference"))
            claim_total[enc] = float((r.get("total") or {}).get("value", 0.0))
    last_year = 0
    for r in resources:
        rt = r["resourceType"]
        subject = _ref_id((r.get("subject") or r.get("patient") or {}).get("reference"))
        if rt == "Condition" and subject in pid:
            coding = r["code"]["coding"][0]
            icd = snomed.get(str(coding["code"]))
            d = _date(r.get("onsetDateTime") or r.get("recordedDate"))
            if icd is None:
                report.unmapped[("SNOMED", coding["code"], coding.get("display", ""))] += 1
                continue
            if d:
                t["diagnoses"]["person_id"].append(pid[subject])
                t["diagnoses"]["date"].append(d)
                t["diagnoses"]["code"].append(icd)
                t["diagnoses"]["system"].append("ICD-10")
                enc = _ref_id((r.get("encounter") or {}).get("reference"))
                reason.setdefault(enc, icd)
                if not r.get("abatementDateTime"):
                    active.append((pid[subject], d, icd))
        elif rt == "MedicationRequest" and subject in pid:
            coding = ((r.get("medicationCodeableConcept") or {}).get("coding") or [{}])[0]
            atc = rxnorm.get(str(coding.get("code")))
            if atc is None:
                report.unmapped[("RxNorm", coding.get("code", "?"), coding.get("display", ""))] += 1
                continue
            t["medication"]["person_id"].append(pid[subject])
            t["medication"]["date"].append(_date(r.get("authoredOn")))
            t["medication"]["atc"].append(atc)
            t["medication"]["ddd"].append(30.0)  # quantity unknown in Synthea: one month assumed
            t["medication"]["amount"].append(0.0)
        elif rt == "Immunization" and subject in pid:
            coding = r["vaccineCode"]["coding"][0]
            vaccine = cvx.get(str(coding["code"]))
            if vaccine is None:
                report.unmapped[("CVX", coding["code"], coding.get("display", ""))] += 1
                continue
            t["vaccinations"]["person_id"].append(pid[subject])
            t["vaccinations"]["date"].append(_date(r.get("occurrenceDateTime")))
            t["vaccinations"]["vaccine"].append(vaccine)
    for r in resources:
        if r["resourceType"] != "Encounter":
            continue
        subject = _ref_id((r.get("subject") or {}).get("reference"))
        if subject not in pid:
            continue
        cls = (r.get("class") or {}).get("code", "AMB")
        start = _date((r.get("period") or {}).get("start"))
        end = _date((r.get("period") or {}).get("end")) or start
        if start is None:
            continue
        last_year = max(last_year, start.year)
        amount = claim_total.get(r["id"], 0.0)
        if cls == "IMP":
            t["stays"]["person_id"].append(pid[subject])
            t["stays"]["admission"].append(start)
            t["stays"]["discharge"].append(end)
            t["stays"]["emergency"].append(False)
            t["stays"]["icd10"].append(reason.get(r["id"], "Z04.9"))
            code, disc = STAY_CODE, "hospital"
        elif cls == "EMER":
            code, disc = EMER_CODE, "emergency"
        else:
            code, disc = AMB_CODE, "gp"
        t["claims"]["person_id"].append(pid[subject])
        t["claims"]["date"].append(start)
        t["claims"]["code"].append(code)
        t["claims"]["discipline"].append(disc)
        t["claims"]["amount"].append(amount)
    ref_year = last_year or date.today().year
    # an unresolved condition is still present: record it again in each of the last two years
    for person, onset, icd in active:
        for year in (ref_year - 1, ref_year):
            if onset < date(year, 1, 1):
                t["diagnoses"]["person_id"].append(person)
                t["diagnoses"]["date"].append(date(year, 1, 1))
                t["diagnoses"]["code"].append(icd)
                t["diagnoses"]["system"].append("ICD-10")
    persons: dict[str, list] = {k: [] for k in ("person_id", "birth_year", "age", "sex", "nis", "sector", "zone",
                                                "region", "bim", "living_alone", "gmd", "coordinator")}
    for p in patients:
        born = _date(p.get("birthDate")) or date(1970, 1, 1)
        digest = int(hashlib.sha256(p["id"].encode()).hexdigest(), 16)
        m = munis[digest % len(munis)]
        persons["person_id"].append(pid[p["id"]])
        persons["birth_year"].append(born.year)
        persons["age"].append(ref_year - born.year)
        persons["sex"].append({"female": "F", "male": "M"}.get(p.get("gender"), "X"))
        persons["nis"].append(m.nis)
        persons["sector"].append(m.nis * 1000)
        persons["zone"].append(m.zone)
        persons["region"].append(m.region)
        for flag in ("bim", "living_alone", "gmd", "coordinator"):
            persons[flag].append(False)
        if p.get("deceasedDateTime"):
            t["deaths"]["person_id"].append(pid[p["id"]])
            t["deaths"]["date"].append(_date(p["deceasedDateTime"]))
    out = Path(out)
    schemas = {
        "persons": pa.schema([("person_id", pa.int64()), ("birth_year", pa.int16()), ("age", pa.int16()),
                              ("sex", pa.string()), ("nis", pa.int32()), ("sector", pa.int64()),
                              ("zone", pa.string()), ("region", pa.string()), ("bim", pa.bool_()),
                              ("living_alone", pa.bool_()), ("gmd", pa.bool_()), ("coordinator", pa.bool_())]),
        "claims": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("code", pa.int32()),
                             ("discipline", pa.string()), ("amount", pa.float64())]),
        "medication": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("atc", pa.string()),
                                 ("ddd", pa.float64()), ("amount", pa.float64())]),
        "stays": pa.schema([("person_id", pa.int64()), ("admission", pa.date32()), ("discharge", pa.date32()),
                            ("emergency", pa.bool_()), ("icd10", pa.string())]),
        "diagnoses": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("code", pa.string()),
                                ("system", pa.string())]),
        "vaccinations": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("vaccine", pa.string())]),
        "deaths": pa.schema([("person_id", pa.int64()), ("date", pa.date32())]),
        "assessments": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("instrument", pa.string()),
                                  ("score", pa.int16())]),
        "surveys": pa.schema([("person_id", pa.int64()), ("year", pa.int16()), ("bad_health", pa.bool_()),
                              ("prem_score", pa.int16()), ("involved", pa.bool_())]),
        "professionals": pa.schema([("professional_id", pa.int64()), ("year", pa.int16()), ("nis", pa.int32()),
                                    ("zone", pa.string()), ("discipline", pa.string()), ("fte", pa.float64()),
                                    ("burnout_risk", pa.bool_()), ("satisfaction", pa.int16()),
                                    ("intends_to_leave", pa.bool_())]),
    }
    data = {"persons": persons, **t}
    for name, schema in schemas.items():
        cols = data.get(name) or {f.name: [] for f in schema}
        (out / name).mkdir(parents=True, exist_ok=True)
        for old in (out / name).glob("*.parquet"):
            old.unlink()
        pq.write_table(pa.table(cols, schema=schema), out / name / "part-00000.parquet")
        report.rows[name] = len(next(iter(cols.values())))
    pq.write_table(pa.table({"nis": [m.nis for m in munis], "name": [m.name for m in munis],
                             "zone": [m.zone for m in munis],
                             "zone_name": [ZONE_BY_CODE[m.zone].name for m in munis],
                             "region": [m.region for m in munis]}), out / "municipalities.parquet")
    (out / "manifest.json").write_text(json.dumps({
        "persons": report.patients, "source": "fhir", "bundles": report.bundles, "zone": zone,
        "unmapped": sum(report.unmapped.values())}, indent=2))
    return report
