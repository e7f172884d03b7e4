"""DocumentReference and Binary in the FHIR API (issue 21): read and search by patient under the journal's
label rules, ``content.attachment.url`` readable as ``Binary`` through the same action, audited."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
from django.test import Client

from careweave.access.models import ApiToken, AuditEvent
from careweave.documents import actions
from careweave.documents.models import Document

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def api(user) -> Client:  # noqa: ANN001
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, name='documents')}"
    return client


def shared(cast, *, is_medical: bool, title: str) -> Document:  # noqa: ANN001
    return actions.attach_document(cast.coordinator.user, cast.plan, io.BytesIO(pdf_bytes(title)),
                                   original_name="brief.pdf", title=title, kind=Document.Kind.DISCHARGE,
                                   is_medical=is_medical)


def test_a_document_reads_as_a_be_documentreference_with_its_versions(cast) -> None:  # noqa: ANN001
    document = shared(cast, is_medical=True, title="Ontslagbrief")
    actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes("v2")))
    response = api(cast.gp.user).get(f"/fhir/R4/DocumentReference/{document.fhir_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["profile"] == ["https://www.ehealth.fgov.be/standards/fhir/core/StructureDefinition/"
                                       "be-documentreference"]
    assert {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"} in body["meta"][
        "security"]
    assert body["subject"]["reference"] == f"Patient/{cast.maria.fhir_id}"
    assert body["type"]["coding"][0] == {"system": "http://loinc.org", "code": "18842-5",
                                         "display": "Discharge summary"}
    assert body["author"][0]["reference"] == f"Practitioner/{cast.coordinator.fhir_id}"
    latest, first = (c["attachment"] for c in body["content"])
    assert latest["contentType"] == "application/pdf" and latest["url"].startswith("Binary/")
    assert latest["hash"] == base64.b64encode(hashlib.sha256(pdf_bytes("v2")).digest()).decode()
    binary = api(cast.gp.user).get(f"/fhir/R4/{first['url']}")
    assert binary.status_code == 200 and binary.content == pdf_bytes("Ontslagbrief")
    assert binary["X-Content-Type-Options"] == "nosniff" and "no-store" in binary["Cache-Control"]
    assert binary["Content-Disposition"].startswith("attachment")


def test_search_by_patient_hides_medical_documents_from_a_welfare_professional(cast) -> None:  # noqa: ANN001
    medical = shared(cast, is_medical=True, title="Ontslagbrief")
    plain = shared(cast, is_medical=False, title="Premieaanvraag")

    def found(user) -> set[str]:  # noqa: ANN001
        bundle = api(user).get(f"/fhir/R4/DocumentReference?patient={cast.maria.fhir_id}").json()
        return {e["resource"]["id"] for e in bundle.get("entry", [])}

    assert found(cast.gp.user) == {str(medical.fhir_id), str(plain.fhir_id)}
    assert found(cast.social.user) == {str(plain.fhir_id)}
    social = api(cast.social.user)
    assert social.get(f"/fhir/R4/DocumentReference/{medical.fhir_id}").status_code == 403
    refused = social.get(f"/fhir/R4/Binary/{medical.versions.get().fhir_id}")
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    assert AuditEvent.objects.filter(person=cast.maria, user=cast.social.user, outcome="denied",
                                     reason__startswith="documents.download_document:").exists()


def test_a_binary_read_is_audited_on_the_persons_file_like_a_web_download(cast) -> None:  # noqa: ANN001
    document = shared(cast, is_medical=True, title="Ontslagbrief")
    url = f"/fhir/R4/Binary/{document.versions.get().fhir_id}"
    before = AuditEvent.objects.filter(person=cast.maria, resource_type="DocumentReference", action="R",
                                       reason__startswith="download:").count()
    assert api(cast.nurse.user).get(url).status_code == 200
    event = AuditEvent.objects.filter(person=cast.maria, resource_type="DocumentReference", action="R",
                                      reason__startswith="download:").latest("recorded_at")
    assert AuditEvent.objects.filter(person=cast.maria, resource_type="DocumentReference", action="R",
                                     reason__startswith="download:").count() == before + 1
    assert event.channel == "api" and event.user == cast.nurse.user


def test_an_unknown_binary_is_not_found(cast) -> None:  # noqa: ANN001
    response = api(cast.gp.user).get("/fhir/R4/Binary/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"


def _posted(cast, data: bytes, *, medical: bool) -> dict:  # noqa: ANN001
    return {
        "resourceType": "DocumentReference", "status": "current",
        "meta": {"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                               "code": "R" if medical else "N"}]},
        "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
        "subject": {"reference": f"Patient/{cast.maria.fhir_id}"},
        "description": "Ontslagbrief uit het ziekenhuisdossier",
        "content": [{"attachment": {"contentType": "image/png", "title": "brief.png",
                                    "data": base64.b64encode(data).decode()}}],
    }


def test_a_document_created_through_fhir_goes_through_the_same_action(cast, documents_store) -> None:  # noqa: ANN001
    gp = api(cast.gp.user)
    response = gp.post("/fhir/R4/DocumentReference", data=json.dumps(_posted(cast, pdf_bytes(), medical=True)),
                       content_type="application/fhir+json")
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.is_medical and document.kind == Document.Kind.DISCHARGE
    assert document.versions.get().content_type == "application/pdf", "the content decides, not contentType"
    refused = gp.post("/fhir/R4/DocumentReference", data=json.dumps(_posted(cast, b"MZ\x90\x00" * 64, medical=False)),
                      content_type="application/fhir+json")
    assert refused.status_code in (400, 422)
    assert refused.json()["issue"][0]["details"]["coding"][0]["code"] == "file_type"
    social = api(cast.social.user).post("/fhir/R4/DocumentReference",
                                        data=json.dumps(_posted(cast, pdf_bytes(), medical=True)),
                                        content_type="application/fhir+json")
    assert social.status_code == 403
    assert Document.objects.count() == 1
    assert len([p for p in documents_store.rglob("*") if p.is_file()]) == 1, "nothing stored for the refusals"


def test_a_received_documentreference_is_still_read_and_listed_by_everything(cast) -> None:  # noqa: ANN001
    """Synthea's notes arrive as DocumentReference: kept as received, read by id, in $everything beside ours."""
    from careweave.records.models import StoredResource

    received = StoredResource.objects.create(
        resource_type="DocumentReference", source_id="urn:uuid:note-1", patient=cast.maria,
        data={"resourceType": "DocumentReference", "status": "current",
              "subject": {"reference": "urn:uuid:maria"},
              "content": [{"attachment": {"contentType": "text/plain", "data": "Tm90ZQ=="}}]})
    own = shared(cast, is_medical=False, title="Premieaanvraag")
    gp = api(cast.gp.user)
    read = gp.get(f"/fhir/R4/DocumentReference/{received.fhir_id}")
    assert read.status_code == 200 and read.json()["content"][0]["attachment"]["contentType"] == "text/plain"
    bundle = gp.get(f"/fhir/R4/Patient/{cast.maria.fhir_id}/$everything?_type=DocumentReference").json()
    ids = {e["resource"]["id"] for e in bundle.get("entry", [])}
    assert {str(received.fhir_id), str(own.fhir_id)} <= ids
    social = api(cast.social.user).get(f"/fhir/R4/DocumentReference/{received.fhir_id}")
    assert social.status_code == 403, "clinical data received from other systems needs the full file"
