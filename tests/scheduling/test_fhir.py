"""FHIR Appointment: calendar appointments created, moved and cancelled through the actions; MDOs beside
them in one search by patient, actor and date."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from careweave.access.models import ApiToken
from careweave.fhir.mapping.base import instant
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment

from .conftest import at

pytestmark = pytest.mark.django_db
BASE = "/fhir/R4"
FHIR_JSON = "application/fhir+json"


def _call(user, method: str, path: str, body: dict | None = None, **headers: str):  # noqa: ANN001, ANN202
    client = Client()
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}", "HTTP_ACCEPT_LANGUAGE": "en", **headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type=FHIR_JSON)
    return getattr(client, method)(BASE + path, **kwargs)


def _validate(resource: dict) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _visit(cast) -> dict:  # noqa: ANN001
    return {
        "resourceType": "Appointment", "status": "booked",
        "serviceType": [{"coding": [{"system": "https://careweave.org/fhir/CodeSystem/appointment-kind",
                                     "code": "home_visit"}]}],
        "start": instant(at(10, 2)), "end": instant(at(11, 2)), "comment": "Verband verversen",
        "participant": [{"actor": {"reference": f"Patient/{cast.maria.fhir_id}"}, "status": "accepted"},
                        {"actor": {"reference": f"Practitioner/{cast.nurse.fhir_id}"}, "status": "accepted"}],
    }


def test_create_read_move_and_cancel_through_the_api(cast):  # noqa: ANN001
    created = _call(cast.nurse.user, "post", "/Appointment", _visit(cast))
    assert created.status_code == 201, created.content
    a = Appointment.objects.get()
    assert a.kind == "home_visit" and a.created_by == cast.nurse.user
    assert list(a.members.values_list("professional", flat=True)) == [cast.nurse.pk]
    served = json.loads(_call(cast.gp.user, "get", f"/Appointment/{a.fhir_id}").content)
    _validate(served)
    assert served["status"] == "booked" and served["start"] == instant(at(10, 2))
    moved = {**served, "start": instant(at(14, 3)), "end": instant(at(15, 3))}
    assert _call(cast.nurse.user, "put", f"/Appointment/{a.fhir_id}", moved, HTTP_IF_MATCH='W/"1"').status_code == 200
    stale = _call(cast.nurse.user, "put", f"/Appointment/{a.fhir_id}", {**moved, "start": instant(at(9, 3))},
                  HTTP_IF_MATCH='W/"1"')
    assert stale.status_code == 412
    a.refresh_from_db()
    assert a.start == at(14, 3) and a.version == 2
    first = json.loads(_call(cast.gp.user, "get", f"/Appointment/{a.fhir_id}/_history/1").content)
    assert first["start"] == instant(at(10, 2))
    assert {"reference": f"Practitioner/{cast.nurse.fhir_id}"}.items() <= first["participant"][1]["actor"].items()
    cancel = {**moved, "status": "cancelled", "cancelationReason": {"text": "Opname"}}
    assert _call(cast.nurse.user, "put", f"/Appointment/{a.fhir_id}", cancel).status_code == 409  # a stale copy
    cancel["meta"] = {"versionId": "2"}
    assert _call(cast.nurse.user, "put", f"/Appointment/{a.fhir_id}", cancel).status_code == 200
    a.refresh_from_db()
    assert a.status == "cancelled" and a.cancel_reason == "Opname"


def test_the_table_refuses_through_the_api_too(cast):  # noqa: ANN001
    assert _call(cast.stranger.user, "post", "/Appointment", _visit(cast)).status_code == 403
    a = actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(10, 2), end=at(11, 2))
    served = json.loads(_call(cast.gp.user, "get", f"/Appointment/{a.fhir_id}").content)
    refused = _call(cast.gp.user, "put", f"/Appointment/{a.fhir_id}", {**served, "start": instant(at(9, 2))})
    assert refused.status_code in (403, 422)
    assert not Appointment.objects.exclude(start=at(10, 2)).exists()


def test_search_by_patient_actor_and_date_holds_both_kinds(cast, mdo, visit):  # noqa: ANN001
    other = actions.create_appointment(cast.gp.user, cast.maria, kind="phone_call", start=at(9, 5), end=at(10, 5),
                                       members=[cast.member(cast.gp)])

    def ids(user, query: str) -> set[str]:  # noqa: ANN001
        bundle = json.loads(_call(user, "get", f"/Appointment?{query}").content)
        return {e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"}

    everything = {str(mdo.fhir_id), str(visit.fhir_id), str(other.fhir_id)}
    assert ids(cast.gp.user, f"patient={cast.maria.fhir_id}") == everything
    assert ids(cast.gp.user, f"actor=Practitioner/{cast.nurse.fhir_id}") == {str(mdo.fhir_id), str(visit.fhir_id)}
    assert ids(cast.gp.user, f"actor=RelatedPerson/{cast.jan.fhir_id}") == {str(mdo.fhir_id), str(visit.fhir_id)}
    tomorrow = at(0, 1).date().isoformat()
    assert ids(cast.gp.user, f"patient={cast.maria.fhir_id}&date={tomorrow}") == {str(mdo.fhir_id),
                                                                                  str(visit.fhir_id)}
    page = json.loads(_call(cast.gp.user, "get", f"/Appointment?patient={cast.maria.fhir_id}&_count=2").content)
    assert page["total"] == 3 and [e["resource"]["id"] for e in page["entry"]] == [str(visit.fhir_id),
                                                                                    str(mdo.fhir_id)]
    rest = json.loads(_call(cast.gp.user, "get",
                            f"/Appointment?patient={cast.maria.fhir_id}&_count=2&_offset=2").content)
    assert [e["resource"]["id"] for e in rest["entry"]] == [str(other.fhir_id)]
    assert ids(cast.stranger.user, "date=ge2000-01-01") == set()


def test_a_medical_note_is_not_served_to_plan_level_readers(cast, visit):  # noqa: ANN001
    medical = actions.create_appointment(cast.nurse.user, cast.maria, kind="home_visit", start=at(9, 2),
                                         end=at(10, 2), note="Insuline", is_medical=True)
    bundle = json.loads(_call(cast.social.user, "get", f"/Appointment?patient={cast.maria.fhir_id}").content)
    served = {e["resource"]["id"] for e in bundle.get("entry", [])}
    assert str(visit.fhir_id) in served and str(medical.fhir_id) not in served
    assert _call(cast.social.user, "get", f"/Appointment/{medical.fhir_id}").status_code == 403
