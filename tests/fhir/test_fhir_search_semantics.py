"""Issue #18, FHIR semantics of search: paging keeps the search (items 16), every served identifier is
searchable and a claimed parameter is never silently ignored (19), batch responses match the request (18)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from careweave.fhir.models import StoredResource

ALFONSO = "Alfonso_Dietrich_96160268-66b9-4c07-aa11-0a72de133a52.json"


def _follow(api, first: str) -> tuple[list[str], list[dict]]:  # noqa: ANN001
    """Every match id, page after page, and the bundles seen."""
    ids, bundles, url = [], [], first
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        bundle = response.json()
        bundles.append(bundle)
        ids += [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]
        link = next((lnk["url"] for lnk in bundle["link"] if lnk["relation"] == "next"), None)
        url = None if link is None else link.split("/fhir/R4", 1)[1]
    return ids, bundles


@pytest.fixture
def observations(person) -> list[StoredResource]:  # noqa: ANN001
    """120 Observations of Maria's, 60 of them updated at the very same moment (ties to break)."""
    moment = timezone.now()
    rows = [StoredResource(resource_type="Observation", source_id=f"obs-{n}", patient=person,
                           data={"resourceType": "Observation", "status": "final", "code": {"text": "weight"}},
                           updated_at=moment if n % 2 else moment - timezone.timedelta(minutes=n))
            for n in range(120)]
    return StoredResource.objects.bulk_create(rows)


def test_paging_a_sorted_search_returns_each_resource_exactly_once(api, person, observations):
    ids, bundles = _follow(api, f"/Observation?patient={person.fhir_id}&_sort=-_lastUpdated&_count=50&_total=none")
    assert len(bundles) == 3
    for bundle in bundles:
        for link in bundle["link"]:
            query = urlsplit(link["url"]).query
            assert "_sort=-_lastUpdated" in query and "_total=none" in query and "patient=" in query, link
    assert len(ids) == 120 and len(set(ids)) == 120
    assert set(ids) == {str(o.fhir_id) for o in StoredResource.objects.filter(resource_type="Observation")}
    # the previous link of the last page is the same search, one page back
    back = next(lnk["url"] for lnk in bundles[-1]["link"] if lnk["relation"] == "previous")
    page = api.get(back.split("/fhir/R4", 1)[1]).json()
    assert [e["resource"]["id"] for e in page["entry"]] == ids[50:100]


@pytest.mark.shared
def test_every_identifier_a_served_resource_carries_is_searchable(api, plan, synthea_dir):
    assert api.post("", (synthea_dir / ALFONSO).read_bytes()).status_code == 200
    checked = 0
    for rtype in ("Patient", "Practitioner", "Organization", "CarePlan", "Goal", "Task", "CareTeam", "Encounter",
                  "Claim", "DiagnosticReport"):
        found = api.get(f"/{rtype}?_count=3").json()
        assert found.get("entry"), rtype
        for entry in found["entry"]:
            resource = entry["resource"]
            for ident in resource.get("identifier") or []:
                system, value = ident.get("system", ""), ident["value"]
                for query in (f"{system}|{value}", value, f"{system}|"):
                    answer = api.get(f"/{rtype}", data={"identifier": query}).json()
                    assert resource["id"] in {e["resource"]["id"] for e in answer.get("entry", [])}, (rtype, query)
                    checked += 1
    assert checked > 50
    # the Synthea Patient's SSN, MRN, driver's licence and passport
    patient = json.loads((synthea_dir / ALFONSO).read_text())["entry"][0]["resource"]
    for ident in patient["identifier"]:
        answer = api.get("/Patient", data={"identifier": f"{ident['system']}|{ident['value']}"}).json()
        assert answer["total"] == 1, ident


def test_an_identifier_that_matches_nothing_finds_nothing(api, person, observations):
    answer = api.get("/Observation", data={"identifier": "urn:example|nothing"}).json()
    assert answer["total"] == 0
    answer = api.get("/Appointment", data={"identifier": "urn:example|nothing"}).json()
    assert answer["total"] == 0


def test_unsupported_parameters_are_refused_when_the_client_asks_strict_handling(api, person, observations):
    lenient = api.get("/Observation?flavour=sweet&_count=1")
    assert lenient.status_code == 200
    outcome = lenient.json()["entry"][-1]
    assert outcome["search"]["mode"] == "outcome" and "flavour" in outcome["resource"]["issue"][0]["diagnostics"]
    strict = api.get("/Observation?flavour=sweet", HTTP_PREFER="handling=strict")
    assert strict.status_code == 400
    assert "flavour" in strict.json()["issue"][0]["diagnostics"]
    assert api.get("/Observation?code=x", HTTP_PREFER="handling=strict").status_code == 200


def test_no_parameter_the_capability_statement_claims_is_ignored(api, person):
    statement = api.get("/metadata").json()
    for resource in statement["rest"][0]["resource"]:
        for param in resource["searchParam"]:
            if param["name"].startswith("_"):
                continue
            value = {"date": "2020-01-01", "number": "1", "reference": f"Patient/{uuid.uuid4()}",
                     "token": "x|y", "string": "zz", "uri": "urn:x"}.get(param["type"], "x")
            if param["name"].endswith("near"):
                value = "50.8|4.3|1|km"
            response = api.get(f"/{resource['type']}", data={param["name"]: value}, HTTP_PREFER="handling=strict")
            assert response.status_code in (200, 403), (resource["type"], param["name"], response.json())


def test_batch_and_transaction_responses_have_one_entry_per_request_entry(api, person):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET", "url": f"Patient/{person.fhir_id}"}},
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": {
            "resourceType": "Observation", "status": "final", "code": {"text": "pulse"},
            "subject": {"reference": f"Patient/{person.fhir_id}"}},
         "request": {"method": "POST", "url": "Observation"}},
        {"request": {"method": "GET", "url": f"Patient/{uuid.uuid4()}"}},
    ]}
    answer = api.post("", bundle).json()
    assert answer["type"] == "batch-response"
    assert [e["response"]["status"][:3] for e in answer["entry"]] == ["200", "201", "404"]
    bundle["type"] = "transaction"
    bundle["entry"] = bundle["entry"][:2]
    answer = api.post("", bundle).json()
    assert answer["type"] == "transaction-response"
    assert len(answer["entry"]) == 2
    assert answer["entry"][0]["resource"]["resourceType"] == "Patient"
