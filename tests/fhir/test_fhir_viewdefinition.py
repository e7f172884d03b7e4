"""SQL on FHIR in the FHIR API (issue 20): ViewDefinitions served, ``$viewdefinition-run`` as the spec says.

Over Careweave's own records a view sees only what the caller may read, and the read is audited on the
person's file, as a search would be.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from careweave.access.models import AuditEvent

pytestmark = pytest.mark.django_db

VIEW = {
    "resourceType": "ViewDefinition", "name": "names", "status": "active", "resource": "Patient",
    "select": [{"column": [{"name": "id", "path": "getResourceKey()", "type": "id"}]},
               {"forEach": "name", "column": [{"name": "family", "path": "family", "type": "string"},
                                              {"name": "given", "path": "given", "type": "string",
                                               "collection": True}]}],
}
INLINE = [
    {"resourceType": "Patient", "id": "a", "name": [{"family": "Janssens", "given": ["An", "Marie"]}]},
    {"resourceType": "Patient", "id": "b", "name": [{"family": "Claes"}, {"family": "Peeters"}]},
    {"resourceType": "Observation", "id": "o", "status": "final", "code": {"text": "x"}},
]


def _params(*parameters: dict) -> dict:
    return {"resourceType": "Parameters", "parameter": list(parameters)}


def _inline(view: dict = VIEW, fmt: str = "json", **extra) -> dict:
    parts = [{"name": "viewResource", "resource": view}, {"name": "_format", "valueCode": fmt}]
    parts += [{"name": "resource", "resource": r} for r in INLINE]
    parts += [{"name": k, **v} for k, v in extra.items()]
    return _params(*parts)


def test_the_shipped_views_are_served_and_listed_in_the_capability_statement(api):
    listing = api.get("/ViewDefinition").json()
    ids = [e["resource"]["id"] for e in listing["entry"]]
    assert "patient_demographics" in ids and listing["total"] == len(ids)
    view = api.get("/ViewDefinition/patient_demographics").json()
    assert view["resourceType"] == "ViewDefinition" and view["resource"] == "Patient"
    assert api.get("/ViewDefinition/nope").status_code == 404
    assert [e["resource"]["id"] for e in api.get("/ViewDefinition?name=patient_demo").json()["entry"]] == [
        "patient_demographics"]
    capability = api.get("/metadata").json()
    entry = next(r for r in capability["rest"][0]["resource"] if r["type"] == "ViewDefinition")
    assert entry["operation"][0]["name"] == "viewdefinition-run"


def test_run_over_inline_resources_in_json_ndjson_and_csv(api):
    response = api.post("/ViewDefinition/$viewdefinition-run", _inline())
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    rows = sorted(response.json(), key=lambda r: (r["id"], r["family"]))
    assert rows == [{"id": "a", "family": "Janssens", "given": ["An", "Marie"]},
                    {"id": "b", "family": "Claes", "given": []}, {"id": "b", "family": "Peeters", "given": []}]
    ndjson = api.post("/ViewDefinition/$viewdefinition-run", _inline(fmt="ndjson"))
    assert ndjson["Content-Type"].startswith("application/x-ndjson")
    assert len([json.loads(line) for line in ndjson.content.decode().splitlines()]) == 3
    text = api.post("/ViewDefinition/$viewdefinition-run", _inline(fmt="csv")).content.decode()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["id", "family", "given"] and ["a", "Janssens", '["An", "Marie"]'] in table
    limited = api.post("/ViewDefinition/$viewdefinition-run", _inline(_limit={"valueInteger": 1}))
    assert len(limited.json()) == 1
    no_header = api.post("/ViewDefinition/$viewdefinition-run", _inline(fmt="csv", header={"valueBoolean": False}))
    assert len(list(csv.reader(io.StringIO(no_header.content.decode())))) == 3


def test_an_invalid_view_is_a_422_that_says_why(api):
    bad = {**VIEW, "select": [{"column": [{"name": "id", "path": "name.where("}]}]}
    response = api.post("/ViewDefinition/$viewdefinition-run", _inline(view=bad))
    assert response.status_code == 422
    assert "name.where(" in response.json()["issue"][0]["diagnostics"]
    missing = api.post("/ViewDefinition/$viewdefinition-run", _params({"name": "_format", "valueCode": "json"}))
    assert missing.status_code == 400


def test_a_view_over_careweave_records_sees_only_what_the_caller_may_read(api, make_api, person, stranger, gp):
    body = _params({"name": "viewReference", "valueReference": {"reference": "ViewDefinition/patient_demographics"}},
                   {"name": "_format", "valueCode": "json"})
    rows = api.post("/ViewDefinition/$viewdefinition-run", body).json()
    assert [r["patient_id"] for r in rows] == [str(person.fhir_id)]
    assert rows[0]["gender"] == "female" and rows[0]["birth_date"] == "1941-03-02"
    assert AuditEvent.objects.filter(person=person, user=gp.user, resource_type="Patient").exists()
    assert make_api(stranger.user).post("/ViewDefinition/$viewdefinition-run", body).json() == []
    instance = api.post("/ViewDefinition/patient_demographics/$viewdefinition-run",
                        _params({"name": "_format", "valueCode": "csv"},
                                {"name": "patient", "valueReference": {"reference": f"Patient/{person.fhir_id}"}}))
    assert instance.status_code == 200 and str(person.fhir_id) in instance.content.decode()


def test_the_operation_needs_a_login(make_api):
    assert make_api(None).post("/ViewDefinition/$viewdefinition-run", _inline()).status_code == 401
