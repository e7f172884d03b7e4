"""Every resource type: output parses as FHIR R4B and declares its HL7 Belgium profile; directory writes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from careweave.access.actions import set_access_choice
from careweave.access.models import Level
from careweave.careplans.actions import team_for, write_in_journal
from careweave.fhir.profiles import NIHDI, PROFILES
from careweave.people.identifiers import make_kbo, make_nihdi
from careweave.people.models import Organisation, PractitionerRole, Professional, RelatedPerson


@pytest.fixture
def everything(person, plan, gp, stranger):  # noqa: ANN001
    """One record of every served type, all about Maria (or her GP)."""
    organisation = Organisation.objects.create(name="Wijkgezondheidscentrum De Brug", kind="gp_practice",
                                               kbo=make_kbo(4242))
    role = PractitionerRole.objects.create(professional=gp, organisation=organisation, discipline="gp")
    daughter = RelatedPerson.objects.create(person=person, given_name="Els", family_name="Peeters",
                                            relationship="child", is_representative=True)
    entry = write_in_journal(gp.user, plan, "Visited today; walking better.")
    rule = set_access_choice(person.user, person, level=Level.PLAN, professional=stranger)
    return {
        "Patient": person, "Practitioner": gp, "PractitionerRole": role, "Organization": organisation,
        "RelatedPerson": daughter, "CareTeam": team_for(person), "CarePlan": plan, "Goal": plan.goals.first(),
        "Task": plan.tasks.first(), "Communication": entry, "Consent": rule,
    }


@pytest.mark.parametrize("resource_type", ["Patient", "Practitioner", "PractitionerRole", "Organization",
                                           "RelatedPerson", "CareTeam", "CarePlan", "Goal", "Task",
                                           "Communication", "Consent"])
def test_each_type_reads_as_valid_r4b_with_its_profile(api, everything, resource_type, validate_r4b):
    obj = everything[resource_type]
    response = api.get(f"/{resource_type}/{obj.fhir_id}")
    assert response.status_code == 200, response.json()
    resource = response.json()
    validate_r4b(resource)
    assert resource["id"] == str(obj.fhir_id)
    assert resource["meta"].get("profile") == ([PROFILES[resource_type]] if resource_type in PROFILES else None)
    history = api.get(f"/{resource_type}/{obj.fhir_id}/_history").json()
    validate_r4b(history)
    assert history["entry"][0]["resource"]["meta"]["versionId"] == resource["meta"]["versionId"]


def test_audit_event_reads_as_valid_r4b(make_api, api, person, validate_r4b):
    api.get(f"/Patient/{person.fhir_id}")
    bundle = make_api(person.user).get(f"/AuditEvent?patient={person.fhir_id}&_count=5").json()
    validate_r4b(bundle)
    event_id = bundle["entry"][0]["resource"]["id"]
    single = make_api(person.user).get(f"/AuditEvent/{event_id}")
    assert single.status_code == 200
    validate_r4b(single.json())


def test_care_team_history_keeps_each_membership_change(make_api, person, social_worker):
    maria = make_api(person.user)
    team = team_for(person)
    body = maria.get(f"/CareTeam/{team.fhir_id}").json()
    body["participant"].append({"member": {"reference": f"Practitioner/{social_worker.fhir_id}"}})
    assert maria.put(f"/CareTeam/{team.fhir_id}", body).status_code == 200
    history = maria.get(f"/CareTeam/{team.fhir_id}/_history").json()
    sizes = [len(e["resource"].get("participant", [])) for e in history["entry"]]
    assert sizes[0] == 2 and 1 in sizes[1:]


def test_practitioner_create_and_who_may_change_it(make_api, api, gp, stranger, validate_r4b):
    nihdi = make_nihdi(5, 777, 2)
    response = api.post("/Practitioner", {
        "resourceType": "Practitioner", "identifier": [{"system": NIHDI, "value": nihdi}],
        "name": [{"family": "Martens", "given": ["Lien"]}],
        "qualification": [{"code": {"coding": [{"system": "https://www.ehealth.fgov.be/standards/fhir/core/"
                                                          "CodeSystem/cd-hcparty", "code": "persphysiotherapist"}]}}]})
    assert response.status_code == 201, response.json()
    validate_r4b(response.json())
    created = Professional.objects.get(nihdi=nihdi)
    assert created.discipline == "physio" and created.sector == "care"
    assert api.post("/Practitioner", response.json()).status_code == 409  # the NIHDI number exists
    own = api.get(f"/Practitioner/{gp.fhir_id}").json()
    own["telecom"] = [{"system": "phone", "value": "050 12 34 56"}]
    assert api.put(f"/Practitioner/{gp.fhir_id}", own).status_code == 200
    assert make_api(stranger.user).put(f"/Practitioner/{gp.fhir_id}", own | {"active": False}).status_code == 403


def test_a_wrong_nihdi_or_kbo_number_is_422(api):
    bad_nihdi = api.post("/Practitioner", {"resourceType": "Practitioner",
                                           "identifier": [{"system": NIHDI, "value": "10000112003"}],
                                           "name": [{"family": "X", "given": ["Y"]}]})
    assert bad_nihdi.status_code == 422
    bad_kbo = api.post("/Organization", {"resourceType": "Organization", "name": "X", "identifier": [
        {"system": "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/cbe", "value": "0123456789"}]})
    assert bad_kbo.status_code == 422


def test_only_the_person_makes_someone_their_proxy(make_api, api, person):
    body = {"resourceType": "RelatedPerson", "patient": {"reference": f"Patient/{person.fhir_id}"},
            "name": [{"family": "Peeters", "given": ["Tom"]}],
            "relationship": [{"coding": [{"system": "https://careweave.org/fhir/CodeSystem/relationship",
                                          "code": "child"}]},
                             {"coding": [{"system": "https://careweave.org/fhir/CodeSystem/relationship",
                                          "code": "proxy"}]}]}
    assert api.post("/RelatedPerson", body).status_code == 403
    response = make_api(person.user).post("/RelatedPerson", body)
    assert response.status_code == 201, response.json()
    assert RelatedPerson.objects.get(given_name="Tom").has_proxy_access


def test_a_person_cannot_register_patients(make_api, person):
    response = make_api(person.user).post("/Patient", {"resourceType": "Patient",
                                                       "name": [{"family": "Nieuw", "given": ["Iemand"]}]})
    assert response.status_code == 403


def test_organization_search_by_kbo(api, everything):
    organisation = everything["Organization"]
    bundle = api.get(f"/Organization?identifier=https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/cbe|"
                     f"{organisation.kbo}").json()
    assert [e["resource"]["name"] for e in bundle["entry"]] == ["Wijkgezondheidscentrum De Brug"]


def test_staff_user_without_professional_profile_reads_no_person(make_api, person):
    admin = User.objects.create_user("admin-x", is_staff=True)
    assert make_api(admin).get(f"/Patient/{person.fhir_id}").status_code == 403
