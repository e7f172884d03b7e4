"""The social map through the FHIR API: Location (BeLocation, near search) and HealthcareService."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.test import Client

from careweave.access.models import ApiToken

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location("territory_fhir", Path(__file__).parents[1] / "fhir" / "conftest.py")
_fhir = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fhir)


@pytest.fixture
def api(gp):  # noqa: ANN001, ANN201
    return _fhir.Api(Client(), ApiToken.issue(gp.user))


def names(bundle: dict) -> set[str]:
    return {e["resource"]["name"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") != "outcome"}


def test_location_read_is_a_valid_be_location(api, physios) -> None:  # noqa: ANN001
    from fhir.resources.R4B import get_fhir_model_class

    location = physios["fr"].location
    response = api.get(f"/Location/{location.fhir_id}")
    assert response.status_code == 200
    body = response.json()
    get_fhir_model_class("Location").model_validate(body)
    assert body["position"] == {"latitude": 50.885, "longitude": 4.0733}
    assert body["address"]["postalCode"] == "9470" and body["meta"]["profile"][0].endswith("be-location")


def test_location_search_near_and_by_city(api, physios) -> None:  # noqa: ANN001
    near = names(api.get("/Location?near=50.8283|4.0247|10|km").json())
    assert near == {"Kiné Denderleeuw", "Diëtist Ninove", "Kine Ninove"}
    assert len(names(api.get("/Location?near=50.8283|4.0247|30|km").json())) == 4
    assert names(api.get("/Location?address-city=Bruxelles").json()) == {"Kiné Bruxelles"}
    assert api.get("/Location?near=here").status_code == 400


def test_healthcare_service_read_and_search_by_specialty_language_and_place(api, physios) -> None:  # noqa: ANN001
    from fhir.resources.R4B import get_fhir_model_class

    body = api.get(f"/HealthcareService/{physios['fr'].fhir_id}").json()
    get_fhir_model_class("HealthcareService").model_validate(body)
    assert [c["coding"][0]["code"] for c in body["communication"]] == ["nl", "fr"]
    assert body["availableTime"][0]["daysOfWeek"] == ["mon", "tue", "wed", "thu", "fri"]
    assert body["location"][0]["reference"] == f"Location/{physios['fr'].location.fhir_id}"
    found = api.get("/HealthcareService?specialty=physio&communication=fr&location.near=50.8283|4.0247|15|km").json()
    assert names(found) == {"Kiné Denderleeuw"}
    assert names(api.get("/HealthcareService?communication=fr").json()) == {"Kiné Denderleeuw", "Kiné Bruxelles"}


def test_anonymous_callers_get_nothing(physios) -> None:  # noqa: ANN001
    anonymous = _fhir.Api(Client(), None)
    assert anonymous.get(f"/HealthcareService/{physios['fr'].fhir_id}").status_code in (401, 403)
    assert anonymous.get("/Location").status_code in (401, 403)


def test_referrals_are_served_as_service_requests_beside_received_ones(person, team, gp, join, api, physios) -> None:  # noqa: ANN001
    from fhir.resources.R4B import get_fhir_model_class

    from careweave.fhir.models import StoredResource
    from careweave.territory.actions import accept_referral, refer_to_service

    join(team, gp)
    received = StoredResource.objects.create(resource_type="ServiceRequest", source_id="ext-1", patient=person, data={
        "resourceType": "ServiceRequest", "id": "ext-1", "status": "completed", "intent": "order",
        "subject": {"reference": "Patient/ext"}, "code": {"text": "X-ray"}})
    service = physios["fr"]
    referral = refer_to_service(gp.user, person, service, reason="Balance training", urgency="urgent")
    body = api.get(f"/ServiceRequest/{referral.fhir_id}").json()
    get_fhir_model_class("ServiceRequest").model_validate(body)
    assert (body["status"], body["priority"], body["extension"][0]["valueCode"]) == ("active", "urgent", "sent")
    assert body["subject"]["reference"] == f"Patient/{person.fhir_id}"
    assert body["performer"][0]["reference"] == f"HealthcareService/{service.fhir_id}"
    assert body["meta"]["versionId"] == "1"
    accept_referral(service.professional.user, referral)
    body = api.get(f"/ServiceRequest/{referral.fhir_id}").json()
    assert body["extension"][0]["valueCode"] == "accepted" and body["meta"]["versionId"] == "2"
    assert body["performer"][1]["reference"] == f"Practitioner/{service.professional.fhir_id}"
    found = api.get(f"/Patient/{person.fhir_id}/ServiceRequest").json()
    ids = {e["resource"]["id"] for e in found["entry"] if e["search"]["mode"] == "match"}
    assert ids == {str(referral.fhir_id), str(received.fhir_id)}
    # The receiver is only proposed for the team: no access to the person's file through the API yet.
    receiver_api = _fhir.Api(Client(), ApiToken.issue(service.professional.user))
    assert receiver_api.get(f"/ServiceRequest/{referral.fhir_id}").status_code == 403
