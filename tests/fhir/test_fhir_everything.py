"""Issue #18 item 24: ``Patient/{id}/$everything`` — the whole file, under the same access and audit as reads."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from careweave.access.models import AuditEvent
from careweave.fhir.models import StoredResource


@pytest.fixture
def condition(person) -> StoredResource:  # noqa: ANN001
    return StoredResource.objects.create(
        resource_type="Condition", source_id=f"other-system/{uuid.uuid4()}", patient=person,
        data={"resourceType": "Condition", "code": {"text": "Diabetes"}, "subject": {"reference": "urn:uuid:x"}})


def _types(bundle: dict) -> Counter:
    return Counter(e["resource"]["resourceType"] for e in bundle.get("entry", []))


def test_everything_returns_the_whole_file_and_audits_one_read(api, gp, person, plan, condition, stranger):
    before = AuditEvent.objects.filter(person=person, user=gp.user).count()
    bundle = api.get(f"/Patient/{person.fhir_id}/$everything").json()
    assert bundle["type"] == "searchset"
    types = _types(bundle)
    assert types["Patient"] == 1 and types["CarePlan"] == 1 and types["Goal"] == 2 and types["Task"] == 2
    assert types["Condition"] == 1 and types["CareTeam"] == 1
    assert bundle["entry"][0]["resource"]["id"] == str(person.fhir_id)  # the Patient first
    assert bundle["total"] == sum(types.values())
    events = AuditEvent.objects.filter(person=person, user=gp.user).order_by("pk")[before:]
    assert [(e.action, e.resource_type, e.outcome) for e in events] == [("R", "Patient", "success")]
    refused = api.__class__(api.client, None)
    assert refused.get(f"/Patient/{person.fhir_id}/$everything").status_code == 401


def test_everything_leaves_out_what_a_plan_level_reader_may_not_see(make_api, person, plan, condition,
                                                                     welfare_member, stranger):
    bundle = make_api(welfare_member.user).get(f"/Patient/{person.fhir_id}/$everything").json()
    types = _types(bundle)
    assert types["Goal"] == 1 and types["Task"] == 1  # the medical goal and task are left out
    assert types["Condition"] == 0  # clinical data from other systems needs full access
    assert all(e["resource"].get("meta", {}).get("security", [{}])[0].get("code") != "R"
               for e in bundle["entry"] if e["resource"]["resourceType"] in ("Goal", "Task"))
    response = make_api(stranger.user).get(f"/Patient/{person.fhir_id}/$everything")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(person=person, user=stranger.user, outcome="denied").exists()


def test_everything_pages_filters_by_type_and_since(api, person, plan, condition):
    whole = api.get(f"/Patient/{person.fhir_id}/$everything").json()
    ids, url = [], f"/Patient/{person.fhir_id}/$everything?_count=2"
    while url:
        page = api.get(url).json()
        ids += [e["resource"]["id"] for e in page.get("entry", [])]
        nxt = next((lnk["url"] for lnk in page["link"] if lnk["relation"] == "next"), None)
        url = nxt.split("/fhir/R4", 1)[1] if nxt else None
    assert ids == [e["resource"]["id"] for e in whole["entry"]] and len(set(ids)) == len(ids)
    only = api.get(f"/Patient/{person.fhir_id}/$everything?_type=Goal,Task&_count=3").json()
    assert set(_types(only)) == {"Goal"} | {"Task"} and only["total"] == 4
    assert "_type=Goal%2CTask" in next(lnk["url"] for lnk in only["link"] if lnk["relation"] == "next")
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert api.get(f"/Patient/{person.fhir_id}/$everything", data={"_since": later}).json()["total"] == 0
    assert api.get(f"/Patient/{person.fhir_id}/$everything?_type=Banana").status_code == 400


def test_the_capability_statement_offers_everything(api):
    statement = api.get("/metadata").json()
    patient = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert {"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"} \
        in patient["operation"]
