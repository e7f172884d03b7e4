"""FHIR: an MDO as Appointment (answers to invitations); its decisions as Tasks pointing to it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from careweave.access.models import ApiToken, AuditEvent
from careweave.consultations import actions
from careweave.consultations.models import Consultation

BASE = "/fhir/R4"


@pytest.fixture
def api(client: Client):  # noqa: ANN201
    def get(user, path: str):  # noqa: ANN001, ANN202
        return client.get(BASE + path, HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)}",
                          HTTP_ACCEPT_LANGUAGE="en")

    return get


def _validate(resource: dict) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.fixture
def concluded(cast, scheduled) -> Consultation:  # noqa: ANN001
    gp = scheduled.participants.get(member__professional=cast.gp)
    actions.respond_to_invitation(cast.gp.user, gp, "accepted")
    present = [p for p in scheduled.participants.all()
               if p.member_id and p.member.professional in (cast.gp, cast.nurse)]
    actions.record_attendance(cast.coordinator.user, scheduled, present)
    actions.write_minutes(cast.coordinator.user, scheduled, "Afspraken")
    actions.record_decision(cast.coordinator.user, scheduled, "Rollator bestellen",
                            assignee=cast.member(professional=cast.nurse))
    return actions.conclude_mdo(cast.coordinator.user, scheduled)


def test_appointment_read_shows_the_answers(cast, scheduled, api) -> None:  # noqa: ANN001
    gp = scheduled.participants.get(member__professional=cast.gp)
    actions.respond_to_invitation(cast.gp.user, gp, "accepted")
    response = api(cast.nurse.user, f"/Appointment/{scheduled.fhir_id}")
    assert response.status_code == 200
    resource = json.loads(response.content)
    _validate(resource)
    assert resource["status"] == "booked"
    statuses = {p["actor"]["reference"]: p["status"] for p in resource["participant"]}
    assert statuses[f"Practitioner/{cast.gp.fhir_id}"] == "accepted"
    assert statuses[f"Patient/{cast.maria.fhir_id}"] == "needs-action"
    assert AuditEvent.objects.filter(user=cast.nurse.user, resource_type="Appointment", action="R").exists()


def test_the_decision_task_points_to_the_mdo_that_decided_it(cast, concluded, api) -> None:  # noqa: ANN001
    task = concluded.decisions.get().task
    served = json.loads(api(cast.gp.user, f"/Task/{task.fhir_id}").content)
    _validate(served)
    assert served["reasonReference"]["reference"] == f"Appointment/{concluded.fhir_id}"
    assert served["basedOn"][0]["reference"] == f"CarePlan/{cast.plan.fhir_id}"
    first = json.loads(api(cast.gp.user, f"/Task/{task.fhir_id}/_history/1").content)
    assert first["reasonReference"]["reference"] == f"Appointment/{concluded.fhir_id}"  # history = read
    meeting = json.loads(api(cast.gp.user, f"/Appointment/{concluded.fhir_id}").content)
    _validate(meeting)
    assert meeting["status"] == "fulfilled"
    assert {"url": "https://careweave.org/fhir/StructureDefinition/mdo-reimbursable",
            "valueBoolean": concluded.reimbursable} in meeting["extension"]


def test_search_by_patient(cast, scheduled, api) -> None:  # noqa: ANN001
    online = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="online", start=scheduled.start,
                                  end=scheduled.end, link="https://teams.example/m", reason="Online overleg")
    bundle = json.loads(api(cast.gp.user, f"/Appointment?patient={cast.maria.fhir_id}").content)
    assert {e["resource"]["id"] for e in bundle["entry"]} == {str(scheduled.fhir_id), str(online.fhir_id)}
    booked = json.loads(api(cast.gp.user, f"/Appointment?patient={cast.maria.fhir_id}&status=booked").content)
    assert booked["total"] == 2


def test_strangers_read_nothing(cast, scheduled, api) -> None:  # noqa: ANN001
    assert api(cast.stranger.user, f"/Appointment/{scheduled.fhir_id}").status_code == 403
    assert json.loads(api(cast.stranger.user, "/Appointment").content)["total"] == 0
    assert api(cast.stranger.user, f"/Appointment?patient={cast.maria.fhir_id}").status_code == 403
    denied = AuditEvent.objects.filter(user=cast.stranger.user, outcome="denied", resource_type="Appointment")
    assert denied.count() == 2
