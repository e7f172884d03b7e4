"""Issue 12, group 3: nothing an import accepts is lost. Modelled resources keep what we do not model;
unmodelled types (Condition, Observation...) can be read by those with full access, audited."""

from __future__ import annotations

import json
import uuid

import pytest

from careweave.access.models import AuditEvent
from careweave.careplans.models import CarePlan
from careweave.fhir.models import StoredResource
from careweave.people.models import Person

ALFONSO = "Alfonso_Dietrich_96160268-66b9-4c07-aa11-0a72de133a52.json"


def _import(api, path) -> tuple[dict, dict]:  # noqa: ANN001
    bundle = json.loads(path.read_text(encoding="utf-8"))
    response = api.post("", bundle)
    assert response.status_code == 200, response.content[:1000]
    return bundle, response.json()


def _first(bundle: dict, rtype: str, test=lambda r: True) -> dict:  # noqa: ANN001
    return next(e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == rtype and test(e["resource"]))


def test_a_synthea_patient_round_trips_with_what_we_do_not_model(api, gp, synthea_dir, validate_r4b):
    bundle, _answer = _import(api, synthea_dir / ALFONSO)
    source = _first(bundle, "Patient")
    person = Person.objects.get(external_id__endswith=source["identifier"][0]["value"])
    served = api.get(f"/Patient/{person.fhir_id}").json()
    validate_r4b(served)
    assert served["id"] == str(person.fhir_id)
    assert served["maritalStatus"] == source["maritalStatus"]
    assert served["multipleBirthBoolean"] == source["multipleBirthBoolean"]
    assert {e["url"] for e in source["extension"]} <= {e["url"] for e in served["extension"]}
    kept = {(i.get("system"), i["value"]) for i in served["identifier"]}
    assert {(i.get("system"), i["value"]) for i in source["identifier"]} <= kept
    assert served["address"][0]["state"] == source["address"][0]["state"]
    assert served["address"][0]["city"] == source["address"][0]["city"]
    assert served["name"][0]["family"] == person.family_name
    # what Careweave models still wins: a change through the API shows, the rest stays
    served["name"][0]["family"] = "Dietrich-Peeters"
    changed = api.put(f"/Patient/{person.fhir_id}", served)
    assert changed.status_code == 200, changed.json()
    again = api.get(f"/Patient/{person.fhir_id}").json()
    assert again["name"][0]["family"] == "Dietrich-Peeters"
    assert again["maritalStatus"] == source["maritalStatus"]
    assert api.get(f"/Patient/{person.fhir_id}/_history/2").json()["maritalStatus"] == source["maritalStatus"]


def test_after_a_move_in_the_web_app_the_old_address_is_not_served(api, gp, synthea_dir):
    bundle, _answer = _import(api, synthea_dir / ALFONSO)
    source = _first(bundle, "Patient")
    person = Person.objects.get(external_id__endswith=source["identifier"][0]["value"])
    person.street, person.postal_code, person.municipality = "Markt 1", "8000", "Brugge"
    person.save_versioned()  # as "My details" does
    served = api.get(f"/Patient/{person.fhir_id}").json()
    assert [a.get("city") for a in served["address"]] == ["Brugge"]
    assert served["maritalStatus"] == source["maritalStatus"]  # what we do not model is still there
    kept = {(i.get("system"), i["value"]) for i in served["identifier"]}
    assert {(i.get("system"), i["value"]) for i in source["identifier"]} <= kept


def test_a_synthea_care_plan_keeps_its_period_addresses_and_activities(api, gp, synthea_dir, validate_r4b):
    bundle, _answer = _import(api, synthea_dir / ALFONSO)
    source = _first(bundle, "CarePlan", lambda r: bool(r.get("addresses")))
    plan = CarePlan.objects.get(external_id__endswith=source["id"])
    served = api.get(f"/CarePlan/{plan.fhir_id}").json()
    validate_r4b(served)
    assert served["period"]["start"] == source["period"]["start"]
    assert served["activity"] == source["activity"]
    # the conditions it addresses were kept too: the references now point at what can be read
    assert len(served["addresses"]) == len(source["addresses"])
    for address, original in zip(served["addresses"], source["addresses"], strict=True):
        condition = StoredResource.objects.get(resource_type="Condition",
                                               source_id=original["reference"].removeprefix("urn:uuid:"))
        assert address["reference"] == f"Condition/{condition.fhir_id}"
        assert api.get(f"/{address['reference']}").json()["code"] == condition.data["code"]
    assert served["subject"]["reference"] == f"Patient/{plan.person.fhir_id}"


def test_stored_types_are_read_searched_and_in_the_patient_compartment(api, gp, synthea_dir, validate_r4b):
    bundle, answer = _import(api, synthea_dir / ALFONSO)
    person = Person.objects.get(external_id__endswith=_first(bundle, "Patient")["identifier"][0]["value"])
    condition = _first(bundle, "Condition")
    stored = StoredResource.objects.get(resource_type="Condition", source_id=condition["id"])
    served = api.get(f"/Condition/{stored.fhir_id}")
    assert served.status_code == 200
    body = served.json()
    validate_r4b(body)
    assert body["code"] == condition["code"]
    assert body["subject"]["reference"] == f"Patient/{person.fhir_id}"
    assert served["ETag"] == 'W/"1"'
    assert api.get(f"/Condition/{stored.fhir_id}/_history/1").json()["code"] == condition["code"]
    assert api.get(f"/Condition/{stored.fhir_id}/_history").json()["total"] == 1
    conditions = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"]
    search = api.get(f"/Condition?patient={person.fhir_id}&_count=2").json()
    assert search["total"] == len(conditions)
    assert any(link["relation"] == "next" for link in search["link"]) == (len(conditions) > 2)
    compartment = api.get(f"/Patient/{person.fhir_id}/Condition").json()
    assert compartment["total"] == len(conditions)
    code = condition["code"]["coding"][0]
    by_code = api.get(f"/Condition?patient={person.fhir_id}&code={code['system']}|{code['code']}").json()
    assert by_code["total"] >= 1
    assert all(e["resource"]["code"]["coding"][0]["code"] == code["code"] for e in by_code["entry"])
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    year = observations[0]["effectiveDateTime"][:4]
    in_year = [o for o in observations if o["effectiveDateTime"][:4] == year]
    dated = api.get(f"/Observation?subject=Patient/{person.fhir_id}&date={year}&_total=accurate").json()
    assert dated["total"] == len(in_year)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]} - {"Patient", "Organization", "Practitioner",
                                                                         "CarePlan", "Goal"}
    for rtype in kinds:  # every type the bundle carried can be read back
        assert api.get(f"/{rtype}?patient={person.fhir_id}").json()["total"] >= 1, rtype
    assert len(answer["entry"]) == len(bundle["entry"])  # one response entry per request entry


@pytest.fixture
def maria_condition(person) -> StoredResource:  # noqa: ANN001
    return StoredResource.objects.create(
        resource_type="Condition", source_id=f"other-system/{uuid.uuid4()}", patient=person,
        data={"resourceType": "Condition", "code": {"coding": [{"system": "http://snomed.info/sct",
                                                                   "code": "44054006", "display": "Diabetes"}]},
              "subject": {"reference": "urn:uuid:elsewhere"}, "onsetDateTime": "2019-04-02"})


def test_clinical_data_needs_full_access_and_every_read_is_audited(make_api, api, person, welfare_member,
                                                                   maria_condition):
    path = f"/Condition/{maria_condition.fhir_id}"
    assert api.get(path).status_code == 200  # the GP in Maria's team
    assert make_api(person.user).get(path).status_code == 200  # Maria herself
    social = make_api(welfare_member.user)
    assert social.get(path).status_code == 403
    assert social.get(f"/Condition?patient={person.fhir_id}").json()["total"] == 0
    assert social.get(f"/Patient/{person.fhir_id}/Condition").json()["total"] == 0
    trail = make_api(person.user).get(f"/AuditEvent?patient={person.fhir_id}").json()
    touched = [e["resource"]["entity"][0]["what"].get("reference", "") for e in trail["entry"]]
    assert f"Condition/{maria_condition.fhir_id}" in touched  # Maria sees who looked
    assert AuditEvent.objects.filter(person=person, user=welfare_member.user, outcome="denied",
                                     resource_type="Condition").exists()

    from django.test import Client
    from django.urls import reverse

    browser = Client()
    browser.force_login(person.user)
    page = browser.get(reverse("web:privacy", args=[person.fhir_id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    from django.utils import translation

    language = page.split('<html lang="', 1)[1].split('"', 1)[0]
    with translation.override(language):  # "who looked", in her own words and the page's language
        expected = translation.gettext("your conditions from other systems")
    assert expected in page


def test_an_assessment_score_written_by_careweave_is_served_the_same_way(api, person, validate_r4b):
    """Careweave's assessments write their scores as Observation rows (source_id careweave-assessment/...)."""
    score = StoredResource.objects.create(
        resource_type="Observation", source_id=f"careweave-assessment/{uuid.uuid4()}/katz", patient=person,
        data={"resourceType": "Observation", "status": "final", "code": {"text": "Katz ADL score"},
              "subject": {"reference": f"Patient/{person.fhir_id}"}, "effectiveDateTime": "2026-11-30",
              "valueInteger": 4})
    body = api.get(f"/Observation/{score.fhir_id}").json()
    validate_r4b(body)
    assert body["valueInteger"] == 4
    assert api.get(f"/Observation?patient={person.fhir_id}&date=2026-11").json()["total"] == 1
    score.data = dict(score.data, valueInteger=5)  # the assessment was corrected
    score.save()
    assert api.get(f"/Observation/{score.fhir_id}").json()["meta"]["versionId"] == "2"
    assert api.get(f"/Observation/{score.fhir_id}/_history/1").json()["valueInteger"] == 4


def test_the_capability_statement_lists_exactly_what_is_served(client, api, person):
    statement = client.get("/fhir/R4/metadata").json()
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Condition", "Observation", "Encounter", "MedicationRequest", "Immunization", "Procedure",
            "Claim"} <= set(types)
    condition = types["Condition"]
    assert [i["code"] for i in condition["interaction"]] == ["read", "vread", "search-type", "history-instance"]
    assert {p["name"] for p in condition["searchParam"]} >= {"patient", "subject", "code", "date", "_lastUpdated"}
    for rtype, entry in types.items():  # each listed type answers a search
        response = api.get(f"/{rtype}?_count=1")
        assert response.status_code in (200, 403), (rtype, response.status_code)
        assert "create" not in {i["code"] for i in entry["interaction"]} or rtype not in {"Condition"}


def test_a_changed_copy_of_a_stored_resource_is_a_new_version_and_the_old_one_stays(api, person):
    def batch(status: str) -> dict:
        return {"resourceType": "Bundle", "type": "batch", "entry": [{
            "fullUrl": "urn:uuid:7d3c1f8e-0000-4000-8000-000000000001",
            "resource": {"resourceType": "Condition", "id": "7d3c1f8e-0000-4000-8000-000000000001",
                         "clinicalStatus": {"coding": [{"code": status}]}, "code": {"text": "Asthma"},
                         "subject": {"reference": f"Patient/{person.fhir_id}"}, "onsetDateTime": "2015-03-01"},
            "request": {"method": "POST", "url": "Condition"}}]}

    first = api.post("", batch("active")).json()["entry"][0]["response"]
    assert first["status"] == "201 Created"
    same = api.post("", batch("active")).json()["entry"][0]["response"]
    assert same["etag"] == 'W/"1"'  # the same copy again: nothing changes
    changed = api.post("", batch("resolved")).json()["entry"][0]["response"]
    assert changed["etag"] == 'W/"2"'
    path = "/" + changed["location"].split("/_history")[0]
    assert api.get(path).json()["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert api.get(f"{path}/_history/1").json()["clinicalStatus"]["coding"][0]["code"] == "active"
    assert [e["resource"]["meta"]["versionId"] for e in api.get(f"{path}/_history").json()["entry"]] == ["2", "1"]
