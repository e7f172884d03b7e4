"""Errors are OperationOutcomes with the right status; the audit trail is the person's to read."""

from __future__ import annotations

from django.utils import translation

from careweave.access.actions import set_access_choice
from careweave.access.models import AccessRule, AuditEvent, Level
from careweave.people.models import RelatedPerson


def test_without_a_token_is_401_with_a_bearer_challenge(make_api, person):
    response = make_api(None).get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_revoked_token_is_401(api, person):
    from careweave.access.models import ApiToken

    ApiToken.objects.update(revoked=True)
    response = api.get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_revoked_token_says_so_in_the_operation_outcome(api, gp, person):
    from careweave.access.actions import revoke_all_api_tokens

    revoke_all_api_tokens(gp.user, gp.user)
    response = api.get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 401
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "was revoked on" in outcome["issue"][0]["diagnostics"]


def test_an_expired_token_is_401_with_a_clear_operation_outcome(api, person):
    from datetime import timedelta

    from django.utils import timezone

    from careweave.access.models import ApiToken

    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api.get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "This API token expired on" in outcome["issue"][0]["diagnostics"]
    assert 'Create a new one under "My API tokens"' in outcome["issue"][0]["diagnostics"]


def test_a_token_expires_after_the_default_lifetime_and_notes_its_last_use(api, person, settings):
    from datetime import timedelta

    from django.utils import timezone

    from careweave.access.models import ApiToken

    token = ApiToken.objects.get()
    assert token.last_used_at is None
    lifetime = token.expires_at - token.created_at
    assert lifetime == timedelta(days=settings.API_TOKEN_DAYS) == timedelta(days=90)
    assert api.get(f"/Patient/{person.fhir_id}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_unknown_resource_is_404_and_unknown_type_too(api):
    assert api.get("/Patient/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/Observation/1").status_code == 404  # a served type, an unknown id
    response = api.get("/Basic/1")
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-supported"


def test_malformed_json_is_400_and_wrong_media_type_415(api):
    assert api.post("/Patient", "{not json").status_code == 400
    response = api.client.post("/fhir/R4/Patient", data="<Patient/>", content_type="application/fhir+xml",
                               **api.headers)
    assert response.status_code == 415


def test_structurally_invalid_resource_is_422(api):
    response = api.post("/Patient", {"resourceType": "Patient", "birthDate": "yesterday",
                                     "name": [{"family": "X", "given": ["Y"]}]})
    assert response.status_code == 422
    assert "birthDate" in response.json()["issue"][0]["expression"]


def test_delete_is_not_allowed(api, person):
    response = api.client.delete(f"/fhir/R4/Patient/{person.fhir_id}", **api.headers)
    assert response.status_code == 405


def test_error_message_follows_accept_language(make_api, stranger, person):
    response = make_api(stranger.user, "fr").get(f"/Patient/{person.fhir_id}")
    assert response.status_code == 403
    assert response["Content-Language"] == "fr"
    from careweave.access.decisions import NO_RELATIONSHIP

    with translation.override("fr"):
        expected = str(NO_RELATIONSHIP)
    assert response.json()["issue"][0]["diagnostics"] == expected


def test_metadata_is_a_capability_statement_with_the_profiles(client, validate_r4b):
    response = client.get("/fhir/R4/metadata")
    assert response.status_code == 200
    statement = response.json()
    validate_r4b(statement)
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Patient", "Practitioner", "PractitionerRole", "Organization", "RelatedPerson", "CareTeam", "CarePlan",
            "Goal", "Task", "Communication", "Consent", "AuditEvent"} <= set(types)
    assert types["Patient"]["profile"].endswith("/core/StructureDefinition/be-patient")
    assert types["Goal"]["profile"].endswith("/patient-care/StructureDefinition/be-goal")
    assert [i["code"] for i in types["AuditEvent"]["interaction"]] == ["read", "search-type"]


def test_session_requests_need_csrf_but_bearer_requests_do_not(person, gp):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person.user)
    assert browser.get(f"/fhir/R4/Patient/{person.fhir_id}").status_code == 200
    body = browser.get(f"/fhir/R4/Patient/{person.fhir_id}").json()
    refused = browser.put(f"/fhir/R4/Patient/{person.fhir_id}", data=body, content_type="application/fhir+json")
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["code"] == "security"
    from careweave.access.models import ApiToken

    api_client = Client(enforce_csrf_checks=True)
    accepted = api_client.put(f"/fhir/R4/Patient/{person.fhir_id}", data=body | {"gender": "female"},
                              content_type="application/fhir+json",
                              HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(person.user)}")
    assert accepted.status_code == 200, accepted.json()


def test_the_person_sees_who_read_their_file(make_api, api, person, plan, gp):
    api.get(f"/CarePlan/{plan.fhir_id}")
    response = make_api(person.user).get(f"/AuditEvent?patient=Patient/{person.fhir_id}")
    assert response.status_code == 200
    events = [e["resource"] for e in response.json()["entry"]]
    reads = [e for e in events if e["action"] == "R" and e["entity"][0]["what"].get("reference") ==
             f"CarePlan/{plan.fhir_id}"]
    assert reads and reads[0]["agent"][0]["who"]["reference"] == f"Practitioner/{gp.fhir_id}"


def test_professionals_cannot_read_the_audit_trail(api, person):
    response = api.get(f"/AuditEvent?patient={person.fhir_id}")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(resource_type="AuditEvent", outcome="denied").exists()


def test_a_proxy_sees_the_audit_trail(make_api, person):
    from django.contrib.auth.models import User

    daughter = RelatedPerson.objects.create(person=person, given_name="Els", family_name="Peeters",
                                            relationship="child", has_proxy_access=True,
                                            user=User.objects.create_user("els"))
    assert make_api(daughter.user).get(f"/AuditEvent?patient={person.fhir_id}").status_code == 200


def test_the_person_records_a_consent_choice_through_the_api(make_api, person, stranger, validate_r4b):
    response = make_api(person.user).post("/Consent", {
        "resourceType": "Consent", "status": "active",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                              "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": f"Patient/{person.fhir_id}"},
        "provision": {"type": "permit", "actor": [{"role": {"text": "recipient"},
                                                   "reference": {"reference": f"Practitioner/{stranger.fhir_id}"}}],
                      "provision": [{"type": "deny", "securityLabel": [{
                          "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}]}]},
    })
    assert response.status_code == 201, response.json()
    validate_r4b(response.json())
    rule = AccessRule.objects.get(person=person, professional=stranger)
    assert rule.level == Level.PLAN
    assert make_api(stranger.user).get(f"/Patient/{person.fhir_id}").status_code == 200


def test_a_professional_cannot_record_the_persons_consent(api, person, stranger):
    response = api.post("/Consent", {
        "resourceType": "Consent", "status": "active", "scope": {"text": "privacy"}, "category": [{"text": "consent"}],
        "patient": {"reference": f"Patient/{person.fhir_id}"},
        "provision": {"type": "permit", "actor": [{"role": {"text": "recipient"},
                                                   "reference": {"reference": f"Practitioner/{stranger.fhir_id}"}}]},
    })
    assert response.status_code == 403
    assert not AccessRule.objects.filter(person=person).exists()


def test_revoking_a_consent_with_put(make_api, person, stranger):
    rule = set_access_choice(person.user, person, level=Level.FULL, professional=stranger)
    maria = make_api(person.user)
    body = maria.get(f"/Consent/{rule.fhir_id}").json()
    body["status"] = "inactive"
    response = maria.put(f"/Consent/{rule.fhir_id}", body)
    assert response.status_code == 200 and response.json()["status"] == "inactive"
    assert make_api(stranger.user).get(f"/Patient/{person.fhir_id}").status_code == 403
