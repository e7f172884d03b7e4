"""Patient, Practitioner, Organization, PractitionerRole, RelatedPerson and CareTeam writes go through the
people and careplans actions (issue 17): the permission table decides, every refusal is audited, and the
FHIR answers (403 / 409 / 422 with their rule codes) are those of the table's rows."""

from __future__ import annotations

from datetime import date

from careweave.access.models import AuditEvent
from careweave.careplans.models import CareTeam
from careweave.fhir.profiles import CBE, CW_RULE, NIHDI, SSIN
from careweave.people.identifiers import make_kbo, make_ssin
from careweave.people.models import Organisation, PractitionerRole, Professional


def new_patient(ssin: str) -> dict:
    return {"resourceType": "Patient", "name": [{"use": "official", "family": "Janssens", "given": ["Jef"]}],
            "gender": "male", "birthDate": "1950-05-05", "identifier": [{"system": SSIN, "value": ssin}]}

def _rule(response) -> str:  # noqa: ANN001
    issue = response.json()["issue"][0]
    return next(c["code"] for c in issue["details"]["coding"] if c["system"] == CW_RULE)


def _practitioner(family: str = "Wouters") -> dict:
    return {"resourceType": "Practitioner", "name": [{"family": family, "given": ["Els"]}]}


def test_someone_who_is_not_a_professional_may_not_add_to_the_directory_and_the_refusal_is_audited(make_api,
                                                                                                    person):
    response = make_api(person.user).post("/Practitioner", _practitioner())
    assert response.status_code == 403
    assert _rule(response) == "directory_writer"
    assert "Only care and welfare professionals" in response.json()["issue"][0]["diagnostics"]
    assert not Professional.objects.filter(family_name="Wouters").exists()
    assert AuditEvent.objects.filter(user=person.user, outcome="denied", resource_type="Practitioner",
                                     reason__startswith="people.record_professional").exists()


def test_a_professional_adds_a_colleague_once_per_nihdi_number(api, gp):
    created = api.post("/Practitioner", _practitioner())
    assert created.status_code == 201
    assert AuditEvent.objects.filter(user=gp.user, action="C", resource_type="Practitioner",
                                     outcome="success").exists()
    twin = api.post("/Practitioner", {**_practitioner("Peeters"), "identifier": [
        {"system": NIHDI, "value": gp.nihdi}]})
    assert twin.status_code == 409
    assert _rule(twin) == "duplicate_nihdi"


def test_only_the_professional_or_an_administrator_changes_their_entry(make_api, gp, stranger):
    entry = make_api(gp.user).get(f"/Practitioner/{gp.fhir_id}").json()
    entry["telecom"] = [{"system": "phone", "value": "053 12 34 56"}]
    refused = make_api(stranger.user).put(f"/Practitioner/{gp.fhir_id}", entry)
    assert refused.status_code == 403
    assert _rule(refused) == "own_directory_entry"
    gp.refresh_from_db()
    assert gp.phone == ""
    assert make_api(gp.user).put(f"/Practitioner/{gp.fhir_id}", entry).status_code == 200
    gp.refresh_from_db()
    assert gp.phone == "053 12 34 56"


def test_an_organisation_is_changed_by_those_who_work_there(make_api, gp, stranger):
    practice = Organisation.objects.create(name="Praktijk De Linde", kbo=make_kbo(810_037))
    gp.organisation = practice
    gp.save()
    resource = make_api(gp.user).get(f"/Organization/{practice.fhir_id}").json()
    resource["name"] = "Huisartsenpraktijk De Linde"
    refused = make_api(stranger.user).put(f"/Organization/{practice.fhir_id}", resource)
    assert refused.status_code == 403
    assert _rule(refused) == "organisation_keeper"
    assert make_api(gp.user).put(f"/Organization/{practice.fhir_id}", resource).status_code == 200
    practice.refresh_from_db()
    assert practice.name == "Huisartsenpraktijk De Linde"
    again = make_api(gp.user).post("/Organization", {"resourceType": "Organization", "name": "Linde bis",
                                                     "identifier": [{"system": CBE, "value": practice.kbo}]})
    assert again.status_code == 409
    assert _rule(again) == "duplicate_identifier"


def test_a_professional_may_not_declare_a_role_for_a_colleague(make_api, gp, stranger):
    role = {"resourceType": "PractitionerRole", "practitioner": {"reference": f"Practitioner/{gp.fhir_id}"}}
    refused = make_api(stranger.user).post("/PractitionerRole", role)
    assert refused.status_code == 403
    assert not PractitionerRole.objects.filter(professional=gp).exists()
    assert make_api(gp.user).post("/PractitionerRole", role).status_code == 201
    assert PractitionerRole.objects.filter(professional=gp).exists()


def test_a_known_ssin_creates_nothing_and_the_person_sees_the_attempt(make_api, person, stranger):
    response = make_api(stranger.user).post("/Patient", new_patient(person.ssin))
    assert response.status_code == 409
    assert _rule(response) == "duplicate_ssin"
    assert AuditEvent.objects.filter(person=person, user=stranger.user, outcome="denied", action="C").exists()


def test_changing_the_identity_record_needs_full_access(make_api, api, person, plan, welfare_member):
    resource = api.get(f"/Patient/{person.fhir_id}").json()
    resource["name"][0]["family"] = "Peeters-Claes"
    refused = make_api(welfare_member.user).put(f"/Patient/{person.fhir_id}", resource)
    assert refused.status_code == 403
    assert _rule(refused) == "no_access"
    person.refresh_from_db()
    assert person.family_name == "Peeters"
    assert AuditEvent.objects.filter(person=person, user=welfare_member.user, outcome="denied").exists()
    assert api.put(f"/Patient/{person.fhir_id}", resource).status_code == 200
    person.refresh_from_db()
    assert person.family_name == "Peeters-Claes"
    jef = api.post("/Patient", new_patient(make_ssin(date(1950, 5, 5), 21))).json()
    resource["identifier"] = [{"system": SSIN, "value": jef["identifier"][0]["value"]}]
    taken = api.put(f"/Patient/{person.fhir_id}", resource)
    assert taken.status_code == 409
    assert _rule(taken) == "duplicate_ssin"


def test_a_stranger_may_neither_record_someone_of_the_network_nor_create_a_team(make_api, person, stranger):
    stranger_api = make_api(stranger.user)
    network = stranger_api.post("/RelatedPerson", {
        "resourceType": "RelatedPerson", "patient": {"reference": f"Patient/{person.fhir_id}"},
        "name": [{"family": "Peeters", "given": ["Lien"]}],
        "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                      "code": "DAU"}]}]})
    assert network.status_code == 403
    assert _rule(network) == "no_access"
    assert not person.network.exists()
    team = stranger_api.post("/CareTeam", {"resourceType": "CareTeam", "identifier": [{"value": "team-1"}],
                                           "subject": {"reference": f"Patient/{person.fhir_id}"}})
    assert team.status_code == 403
    assert not CareTeam.objects.filter(external_id__endswith="team-1").exists()


def test_a_second_shared_team_is_a_conflict(api, person):
    response = api.post("/CareTeam", {"resourceType": "CareTeam",
                                      "subject": {"reference": f"Patient/{person.fhir_id}"}})
    assert response.status_code == 409
    assert _rule(response) == "team_exists"
