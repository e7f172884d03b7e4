"""Careweave-like FHIR Bulk-Data ndjson at any size, for the SQL-on-FHIR benchmark.

Shaped like ``careweave/fhir/mapping/*`` outputs: Patients (SSIN identifier, home address,
preferred language), shared CarePlans (subject, period, activities pointing at Tasks), Goals
(lifecycle and achievement status, due date), Tasks (status, owner, due date), assessments as
QuestionnaireResponses with nested items and their score Observations, MDOs as Encounters,
coordination / case-management / programme enrolments as EpisodeOfCare, and provisions as
ChargeItems. Same seed, same files. Files are split every ``CHUNK`` persons
(``<Type>.<n>.ndjson``) as a Bulk export writes them; memory stays bounded at any size.

``python -m benchmarks.sof_data --persons 100000 --out var/bench/sof-100000``
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

CHUNK = 50_000
TYPES = ("Patient", "CarePlan", "Goal", "Task", "QuestionnaireResponse", "Observation", "Encounter",
         "EpisodeOfCare", "ChargeItem")
CITIES = [("2000", "Antwerpen"), ("9000", "Gent"), ("1000", "Brussel"), ("4000", "Liège"), ("3000", "Leuven"),
          ("8000", "Brugge"), ("6000", "Charleroi"), ("4700", "Eupen"), ("2800", "Mechelen"), ("3500", "Hasselt")]
LANGS = ["nl", "nl", "nl", "fr", "fr", "de"]
INSTRUMENTS = [("katz", "Katz ADL", 6, 24), ("epds", "EPDS", 10, 30), ("cssi", "Carer strain", 13, 26),
               ("prem", "PREM integrated care", 8, 40), ("gfi", "Groningen Frailty Indicator", 15, 15)]
EPISODES = [("coordination", "Care coordination"), ("case-management", "Case management"),
            ("programme-frail", "Programme: frail elderly at home"), ("programme-perinatal", "Programme: perinatal")]
CW = "https://careweave.be/fhir"
START = date(2024, 1, 1)


def _day(rng: random.Random, span: int = 700) -> str:
    return (START + timedelta(days=rng.randrange(span))).isoformat()


def person_resources(i: int, rng: random.Random) -> dict[str, list[dict]]:
    """Every resource of person ``i``, by type."""
    pid = f"p{i:08d}"
    ref = {"reference": f"Patient/{pid}"}
    postal, city = rng.choice(CITIES)
    out: dict[str, list[dict]] = {t: [] for t in TYPES}
    birth = date(1925, 1, 1) + timedelta(days=rng.randrange(36000))
    patient = {
        "resourceType": "Patient", "id": pid, "meta": {"versionId": "1", "lastUpdated": "2025-06-01T10:00:00Z"},
        "identifier": [{"use": "official", "system": "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin",
                        "value": f"{birth:%y%m%d}{rng.randrange(1000):03d}{rng.randrange(100):02d}"}],
        "active": True, "name": [{"use": "official", "family": f"Family{i % 9973}", "given": [f"Given{i % 997}"]}],
        "gender": rng.choice(["female", "male"]), "birthDate": birth.isoformat(),
        "address": [{"use": "home", "line": [f"Street {i % 500}"], "postalCode": postal, "city": city}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": rng.choice(LANGS)}]},
                           "preferred": True}],
    }
    if rng.random() < 0.03:
        patient["deceasedDateTime"] = _day(rng)
    out["Patient"].append(patient)
    for p in range(rng.choice([0, 0, 1, 1, 1, 2])):
        plan_id = f"cp{i:08d}{p}"
        created = _day(rng)
        plan = {"resourceType": "CarePlan", "id": plan_id, "status": rng.choice(["active", "active", "completed"]),
                "intent": "plan", "subject": ref, "title": "Keep living at home", "created": created,
                "period": {"start": created},
                "category": [{"coding": [{"system": f"{CW}/CodeSystem/plan-level", "code": str(rng.randint(1, 3))}]}],
                "extension": [{"url": f"{CW}/StructureDefinition/next-review", "valueDate": _day(rng, 900)}],
                "activity": []}
        for g in range(rng.randint(1, 3)):
            out["Goal"].append({
                "resourceType": "Goal", "id": f"g{i:08d}{p}{g}",
                "lifecycleStatus": rng.choice(["active", "active", "completed", "cancelled"]),
                "achievementStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                                                  "code": rng.choice(["in-progress", "achieved", "not-achieved"])}]},
                "description": {"text": "Walk to the market twice a week"}, "subject": ref,
                "target": [{"dueDate": _day(rng, 900)}],
                "extension": [{"url": f"{CW}/StructureDefinition/care-plan", "valueReference":
                               {"reference": f"CarePlan/{plan_id}"}}]})
        for t in range(rng.randint(1, 3)):
            task_id = f"t{i:08d}{p}{t}"
            out["Task"].append({
                "resourceType": "Task", "id": task_id, "status": rng.choice(["requested", "in-progress", "completed"]),
                "intent": "plan", "basedOn": [{"reference": f"CarePlan/{plan_id}"}], "for": ref,
                "description": "Order a walking frame", "authoredOn": created,
                "owner": {"reference": f"Practitioner/pr{rng.randrange(2000)}"},
                "restriction": {"period": {"end": _day(rng, 800)}}})
            plan["activity"].append({"reference": {"reference": f"Task/{task_id}"}})
        out["CarePlan"].append(plan)
    for a in range(rng.choice([0, 1, 1, 2])):
        code, title, items, _max = rng.choice(INSTRUMENTS)
        qr_id = f"qr{i:08d}{a}"
        authored = _day(rng)
        answers = [rng.randint(0, 3) for _ in range(items)]
        out["QuestionnaireResponse"].append({
            "resourceType": "QuestionnaireResponse", "id": qr_id, "status": "completed",
            "questionnaire": f"{CW}/Questionnaire/{code}", "subject": ref, "authored": authored,
            "item": [{"linkId": "g1", "text": title, "item": [
                {"linkId": f"q{n + 1}", "answer": [{"valueInteger": v}]} for n, v in enumerate(answers)]}]})
        out["Observation"].append({
            "resourceType": "Observation", "id": f"o{i:08d}{a}", "status": "final",
            "code": {"coding": [{"system": f"{CW}/CodeSystem/instrument-score", "code": code, "display": title}]},
            "subject": ref, "effectiveDateTime": authored, "valueQuantity": {"value": sum(answers), "unit": "score"},
            "derivedFrom": [{"reference": f"QuestionnaireResponse/{qr_id}"}]})
    for m in range(rng.choice([0, 0, 0, 1, 2])):
        out["Encounter"].append({
            "resourceType": "Encounter", "id": f"e{i:08d}{m}", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [{"coding": [{"system": f"{CW}/CodeSystem/consultation", "code": "mdo"}]}],
            "subject": ref, "period": {"start": _day(rng)},
            "participant": [{"individual": {"reference": f"Practitioner/pr{rng.randrange(2000)}"}}
                            for _ in range(rng.randint(2, 5))],
            "reasonCode": [{"text": rng.choice(["hospital discharge", "new diagnosis", "review"])}]})
    for e in range(rng.choice([0, 0, 1, 1, 2])):
        code, display = rng.choice(EPISODES)
        start = _day(rng)
        episode = {"resourceType": "EpisodeOfCare", "id": f"ep{i:08d}{e}",
                   "status": rng.choice(["active", "finished"]),
                   "type": [{"coding": [{"system": f"{CW}/CodeSystem/episode-type", "code": code,
                                         "display": display}]}],
                   "patient": ref, "period": {"start": start},
                   "managingOrganization": {"reference": f"Organization/zone{i % 60}"}}
        if episode["status"] == "finished":
            episode["period"]["end"] = _day(rng, 800)
        out["EpisodeOfCare"].append(episode)
    for v in range(rng.choice([0, 1, 2, 3])):
        out["ChargeItem"].append({
            "resourceType": "ChargeItem", "id": f"ci{i:08d}{v}", "status": "billable",
            "code": {"coding": [{"system": f"{CW}/CodeSystem/provision", "code": rng.choice(
                ["home-nursing", "physio", "case-management-fee", "mdo-fee"])}]},
            "subject": ref, "occurrenceDateTime": _day(rng), "quantity": {"value": rng.randint(1, 10)},
            "priceOverride": {"value": round(rng.uniform(10, 200), 2), "currency": "EUR"}})
    return out


def generate(persons: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write ``persons`` persons' resources as ndjson under ``out``; counts by type."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ndjson"):
        old.unlink()
    rng = random.Random(seed)
    counts = dict.fromkeys(TYPES, 0)
    handles: dict[str, object] = {}
    try:
        for i in range(persons):
            if i % CHUNK == 0:
                for h in handles.values():
                    h.close()
                handles = {t: open(out / f"{t}.{i // CHUNK:03d}.ndjson", "w", encoding="utf-8") for t in TYPES}
            for rtype, resources in person_resources(i, rng).items():
                for r in resources:
                    handles[rtype].write(json.dumps(r, separators=(",", ":")) + "\n")
                counts[rtype] += len(resources)
    finally:
        for h in handles.values():
            h.close()
    return counts


def read_all(directory: Path) -> list[dict]:
    """Every resource of a generated directory (for engines that take resources in memory)."""
    resources = []
    for path in sorted(directory.glob("*.ndjson")):
        with path.open(encoding="utf-8") as f:
            resources.extend(json.loads(line) for line in f if line.strip())
    return resources


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.persons, Path(args.out), args.seed))
