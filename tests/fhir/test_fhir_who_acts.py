"""Proxy access and representation through the API follow the person's own rules (``people.actions``).

The same rules as the web app: only the person (or their representative) gives proxy access, only
the person appoints a representative and only with the signed, dated written mandate confirmed
(extension ``representation-mandate-confirmed``), one representative at a time, refusals audited.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from careweave.access.models import AuditEvent
from careweave.fhir.profiles import CW_RELATIONSHIP, EXT_REPRESENTATION_MANDATE
from careweave.people.models import RelatedPerson


def _body(related: RelatedPerson, *codes: str, mandate: bool | None = None) -> dict:
    body = {"resourceType": "RelatedPerson", "id": str(related.fhir_id),
            "patient": {"reference": f"Patient/{related.person.fhir_id}"},
            "name": [{"family": related.family_name, "given": [related.given_name]}],
            "relationship": [{"coding": [{"system": CW_RELATIONSHIP, "code": c}]}
                             for c in (related.relationship, *codes)]}
    if mandate is not None:
        body["extension"] = [{"url": EXT_REPRESENTATION_MANDATE, "valueBoolean": mandate}]
    return body


@pytest.fixture
def daughter(person) -> RelatedPerson:  # noqa: ANN001
    user = User.objects.create_user("els", first_name="Els", last_name="Peeters")
    return RelatedPerson.objects.create(person=person, given_name="Els", family_name="Peeters",
                                        relationship="child", user=user)


@pytest.fixture
def son(person) -> RelatedPerson:  # noqa: ANN001
    user = User.objects.create_user("tom", first_name="Tom", last_name="Peeters")
    return RelatedPerson.objects.create(person=person, given_name="Tom", family_name="Peeters",
                                        relationship="child", user=user)


def test_a_representative_is_appointed_only_with_the_mandate_confirmed(make_api, person, daughter):
    maria = make_api(person.user)
    without = maria.put(f"/RelatedPerson/{daughter.fhir_id}", _body(daughter, "representative"))
    assert without.status_code == 422, without.json()
    assert "mandate" in without.json()["issue"][0]["diagnostics"]
    daughter.refresh_from_db()
    assert not daughter.is_representative
    done = maria.put(f"/RelatedPerson/{daughter.fhir_id}", _body(daughter, "representative", mandate=True))
    assert done.status_code == 200, done.json()
    daughter.refresh_from_db()
    assert daughter.is_representative
    codes = [c["code"] for r in done.json()["relationship"] for c in r["coding"]]
    assert "representative" in codes


def test_one_representative_at_a_time_through_the_api(make_api, person, daughter, son):
    maria = make_api(person.user)
    assert maria.put(f"/RelatedPerson/{daughter.fhir_id}",
                     _body(daughter, "representative", mandate=True)).status_code == 200
    assert maria.put(f"/RelatedPerson/{son.fhir_id}", _body(son, "representative", mandate=True)).status_code == 200
    daughter.refresh_from_db()
    son.refresh_from_db()
    assert son.is_representative and not daughter.is_representative


def test_a_proxy_cannot_make_themselves_representative_and_the_attempt_is_audited(make_api, person, daughter):
    daughter.has_proxy_access = True
    daughter.save()
    els = make_api(daughter.user)
    response = els.put(f"/RelatedPerson/{daughter.fhir_id}", _body(daughter, "proxy", "representative",
                                                                     mandate=True))
    assert response.status_code == 403, response.json()
    daughter.refresh_from_db()
    assert daughter.has_proxy_access and not daughter.is_representative
    assert AuditEvent.objects.filter(user=daughter.user, outcome=AuditEvent.Outcome.DENIED,
                                     resource_id=str(daughter.fhir_id)).exists()


def test_a_professional_cannot_give_proxy_access_and_nothing_is_created(api, person):
    body = {"resourceType": "RelatedPerson", "patient": {"reference": f"Patient/{person.fhir_id}"},
            "name": [{"family": "Peeters", "given": ["Jan"]}],
            "relationship": [{"coding": [{"system": CW_RELATIONSHIP, "code": "child"}]},
                             {"coding": [{"system": CW_RELATIONSHIP, "code": "proxy"}]}]}
    assert api.post("/RelatedPerson", body).status_code == 403
    assert not RelatedPerson.objects.filter(given_name="Jan").exists()


def test_the_person_withdraws_proxy_access_through_the_api(make_api, person, daughter):
    daughter.has_proxy_access = True
    daughter.save()
    response = make_api(person.user).put(f"/RelatedPerson/{daughter.fhir_id}", _body(daughter))
    assert response.status_code == 200, response.json()
    daughter.refresh_from_db()
    assert not daughter.has_proxy_access
