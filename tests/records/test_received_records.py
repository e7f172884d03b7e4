"""Security issue #17: received FHIR records stay with their owner, and nobody reads past their access.

Every test is one repro of the issue, through HTTP as the users of ``careweave demo`` would act:
the carer (plan-level access to Maria), a physio with no relationship to her, a professional with a
patient of their own. Each asserts what that user sees and that Maria's record is untouched.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.contrib.auth.models import User

from careweave.access.models import AuditEvent
from careweave.assessments import actions as assessments
from careweave.careplans.actions import add_goal, add_team_member, enrol_registering_professional, team_for, update_goal
from careweave.people.identifiers import make_ssin
from careweave.people.models import Discipline, Person, RelatedPerson
from careweave.records.models import StoredResource

from .conftest import make_professional_user

pytestmark = pytest.mark.django_db
SSIN = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin"
PHQ9 = "https://careweave.org/fhir/Questionnaire/phq-9"


def transaction(*entries: dict, kind: str = "transaction") -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def post_entry(resource: dict, full_url: str = "") -> dict:
    return {"fullUrl": full_url or f"urn:uuid:{uuid.uuid4()}", "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]}}


def condition(subject: dict | None, source_id: str = "cond-1", text: str = "Type 2 diabetes") -> dict:
    resource = {"resourceType": "Condition", "id": source_id, "code": {"text": text},
                "recordedDate": "2025-03-01"}
    if subject is not None:
        resource["subject"] = subject
    return resource


def patient_ref(person: Person) -> dict:
    return {"reference": f"Patient/{person.fhir_id}"}


@pytest.fixture
def jan(person):  # noqa: ANN001, ANN201
    """Maria's husband: an informal carer in her team (plan level), proxy for his mother (full)."""
    user = User.objects.create_user("jan", first_name="Jan", last_name="Peeters")
    husband = RelatedPerson.objects.create(person=person, given_name="Jan", family_name="Peeters",
                                           relationship=RelatedPerson.Relationship.PARTNER, user=user)
    add_team_member(person.user, team_for(person), related_person=husband)
    mother = Person.objects.create(given_name="Rosa", family_name="Peeters", birth_date=date(1930, 5, 1), sex="female")
    RelatedPerson.objects.create(person=mother, given_name="Jan", family_name="Peeters", user=user,
                                 relationship=RelatedPerson.Relationship.CHILD, has_proxy_access=True)
    user.mother = mother
    return user


@pytest.fixture
def physio(db):  # noqa: ANN001, ANN201
    """A physiotherapist with no relationship to Maria, and one patient of his own."""
    pro = make_professional_user(Discipline.PHYSIOTHERAPIST, given="Pieter")
    own = Person.objects.create(given_name="Karel", family_name="Claes", birth_date=date(1950, 1, 1), sex="male",
                                ssin=make_ssin(date(1950, 1, 1), 33))
    enrol_registering_professional(pro.user, own)
    pro.user.own_patient = own
    return pro.user


def maria_record(person: Person, rtype: str = "Condition", source_id: str = "cond-1",
                 text: str = "Type 2 diabetes") -> StoredResource:
    return StoredResource.objects.create(resource_type=rtype, source_id=source_id, patient=person,
                                         data=condition(patient_ref(person), source_id, text) | {"resourceType": rtype})


def unchanged(record: StoredResource) -> bool:
    fresh = StoredResource.objects.get(pk=record.pk)
    return (fresh.patient_id, fresh.data, fresh.version) == (record.patient_id, record.data, record.version)


# --------------------------------------------------------------------------- 1. matched across persons


def test_1a_a_carer_cannot_pull_marias_katz_score_onto_his_mother(api, make_api, gp, person, jan):
    assessment = assessments.start_assessment(gp.user, person, "katz-adl")
    definition = assessment.instrument.definition()
    answers = {item.link_id: item.options[0].code for item in definition.answerable() if item.type == "choice"}
    assessments.complete_assessment(gp.user, assessment, answers, assessment.version)
    score = StoredResource.objects.get(resource_type="Observation", source_id=f"careweave-assessment/"
                                       f"{assessment.fhir_id}/total")
    carer = make_api(jan)
    assert carer.get(f"/Observation/{score.fhir_id}").status_code == 403
    sent = {"resourceType": "Observation", "id": score.source_id, "status": "final", "code": {"text": "Katz"},
            "subject": patient_ref(jan.mother), "valueInteger": 6}
    answer = carer.post("", transaction(post_entry(sent)))
    assert answer.status_code == 200, answer.json()
    assert unchanged(score)  # the score stays in Maria's file
    assert carer.get(f"/Observation/{score.fhir_id}/_history").status_code == 403
    assert carer.get(f"/Observation/{score.fhir_id}/_history/1").status_code == 403
    mothers = StoredResource.objects.get(resource_type="Observation", patient=jan.mother)
    assert mothers.pk != score.pk and mothers.version == 1
    history = carer.get(f"/Observation/{mothers.fhir_id}/_history").json()
    assert [e["resource"]["valueInteger"] for e in history["entry"]] == [6]  # nothing of Maria's


def test_1b_a_physio_cannot_overwrite_a_referral_by_its_full_url(make_api, person, physio):
    referral = maria_record(person, "ServiceRequest", source_id="")
    referral.source_id = f"urn:uuid:{referral.fhir_id}"
    referral.save()
    referral.refresh_from_db()
    pieter = make_api(physio)
    assert pieter.get(f"/ServiceRequest/{referral.fhir_id}").status_code == 403
    forged = {"resourceType": "ServiceRequest", "status": "revoked", "intent": "order", "code": {"text": "none"}}
    refused = pieter.post("", transaction(post_entry(forged, f"urn:uuid:{referral.fhir_id}")))
    assert refused.status_code == 422  # no owner: refused, nothing stored
    assert unchanged(referral)
    forged["subject"] = patient_ref(physio.own_patient)
    separate = pieter.post("", transaction(post_entry(forged, f"urn:uuid:{referral.fhir_id}")))
    assert separate.status_code == 200, separate.json()
    assert unchanged(referral)
    assert pieter.get(f"/ServiceRequest/{referral.fhir_id}/_history").status_code == 403
    assert not AuditEvent.objects.filter(person=person, user=physio, outcome="success").exists()


def test_1c_reimporting_someone_elses_record_onto_an_own_patient_reveals_nothing(api, make_api, person, physio):
    marias = maria_record(person)
    api.post("", transaction(post_entry(condition(patient_ref(person), text="Diabetes, changed"))))
    marias.refresh_from_db()
    assert marias.version == 2
    pieter = make_api(physio)
    answer = pieter.post("", transaction(post_entry(condition(patient_ref(physio.own_patient), text="Sprained ankle"))))
    assert answer.status_code == 200, answer.json()
    assert unchanged(marias)
    own = StoredResource.objects.get(patient=physio.own_patient)
    history = pieter.get(f"/Condition/{own.fhir_id}/_history").json()
    assert [e["resource"]["code"]["text"] for e in history["entry"]] == ["Sprained ankle"]
    assert "Type 2 diabetes" not in str(history) and "changed" not in str(history)


# --------------------------------------------------------------------------- 2. records without an owner


@pytest.mark.parametrize("subject", [
    {"reference": "https://elsewhere.example/fhir/Patient/123"},
    {"reference": "Patient?identifier=https://elsewhere.example/id|nobody"},
    {"identifier": {"system": "https://elsewhere.example/id", "value": "nobody"}},
    None,
], ids=["absolute", "conditional-nothing", "identifier-nothing", "missing"])
def test_2_a_record_whose_owner_cannot_be_resolved_is_refused(api, subject, person):
    answer = api.post("", transaction(post_entry(condition(subject))))
    assert answer.status_code == 422, answer.json()
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert not StoredResource.objects.exists()


def test_2_a_batch_fails_only_the_entry_without_owner(api, person):
    answer = api.post("", transaction(post_entry(condition(None, "c-1")),
                                      post_entry(condition(patient_ref(person), "c-2")), kind="batch"))
    assert answer.status_code == 200
    statuses = [e["response"]["status"] for e in answer.json()["entry"][:2]]
    assert statuses[0].startswith("422") and statuses[1].startswith(("200", "201"))
    assert list(StoredResource.objects.values_list("source_id", "patient")) == [("c-2", person.pk)]


@pytest.mark.parametrize("subject", ["conditional", "identifier"])
def test_2_conditional_and_identifier_references_resolve_to_the_person(api, make_api, person, subject):
    ref = ({"reference": f"Patient?identifier={SSIN}|{person.ssin}"} if subject == "conditional"
           else {"identifier": {"system": SSIN, "value": person.ssin}})
    answer = api.post("", transaction(post_entry(condition(ref))))
    assert answer.status_code == 200, answer.json()
    stored = StoredResource.objects.get()
    assert stored.patient == person
    assert make_api(person.user).get(f"/Condition/{stored.fhir_id}").status_code == 200


def test_2_a_conditional_reference_to_someone_out_of_reach_is_the_same_422(make_api, person, physio):
    pieter = make_api(physio)
    hidden = pieter.post("", transaction(post_entry(condition(
        {"reference": f"Patient?identifier={SSIN}|{person.ssin}"}))))
    absent = pieter.post("", transaction(post_entry(condition(
        {"reference": f"Patient?identifier={SSIN}|{make_ssin(date(1999, 9, 9), 45)}"}))))
    assert hidden.status_code == absent.status_code == 422
    assert hidden.json()["issue"][0]["diagnostics"].replace(person.ssin, "X") == \
        absent.json()["issue"][0]["diagnostics"].replace(make_ssin(date(1999, 9, 9), 45), "X")
    assert not StoredResource.objects.exists()


def test_2_an_ownerless_clinical_record_kept_earlier_is_read_by_nobody(make_api, person, physio, social_worker):
    legacy = StoredResource.objects.create(resource_type="Condition", source_id="old", patient=None,
                                           data=condition(None, "old", "Depression"))
    for user in (physio, social_worker.user):
        assert make_api(user).get(f"/Condition/{legacy.fhir_id}").status_code == 403


def test_2_a_conditional_subject_of_a_modelled_resource_does_not_reveal_a_person(make_api, person, physio):
    """A CarePlan for ``Patient?identifier=<Maria's SSIN>`` by someone out of reach: the same 422 as for
    an SSIN nobody has (it was a 403, audited on Maria's file: proof that she is registered)."""
    pieter = make_api(physio)

    def plan_for(ssin: str) -> dict:
        return {"resourceType": "CarePlan", "status": "active", "intent": "plan", "title": "Probe",
                "subject": {"reference": f"Patient?identifier={SSIN}|{ssin}"}}

    nobody = make_ssin(date(1999, 9, 9), 45)
    hidden, absent = pieter.post("/CarePlan", plan_for(person.ssin)), pieter.post("/CarePlan", plan_for(nobody))
    assert hidden.status_code == absent.status_code == 422
    assert hidden.json()["issue"][0]["diagnostics"].replace(person.ssin, "X") == \
        absent.json()["issue"][0]["diagnostics"].replace(nobody, "X")
    assert not AuditEvent.objects.filter(person=person, user=physio).exists()


def test_1d_an_import_never_matches_a_modelled_record_out_of_reach(api, make_api, gp, plan, physio):
    """A Goal carrying the identifier of Maria's goal, sent by a physio for his own patient's plan: a goal
    of his own patient (as for received records), never a 403 that proves Maria's goal exists."""
    from careweave.careplans.actions import start_care_plan
    from careweave.careplans.models import Goal

    marias = plan.goals.get(is_medical=False)
    Goal.objects.filter(pk=marias.pk).update(external_id="https://gp.example/goals|g-1")
    own_plan = start_care_plan(physio, physio.own_patient, "Walk again")
    goal = {"resourceType": "Goal", "lifecycleStatus": "active", "description": {"text": "Stairs"},
            "identifier": [{"system": "https://gp.example/goals", "value": "g-1"}],
            "subject": patient_ref(physio.own_patient), "extension": [{
                "url": "https://careweave.org/fhir/StructureDefinition/care-plan",
                "valueReference": {"reference": f"CarePlan/{own_plan.fhir_id}"}}]}
    answer = make_api(physio).post("", transaction(post_entry(goal)))
    marias.refresh_from_db()
    assert marias.description == "Walk to the market twice a week" and marias.plan_id == plan.pk
    assert answer.status_code == 200, answer.json()
    assert Goal.objects.get(plan=own_plan, external_id="https://gp.example/goals|g-1").description == "Stairs"
    assert not AuditEvent.objects.filter(person=plan.person, user=physio).exists()


# --------------------------------------------------------------------------- 3. history and labels


def test_3_history_is_checked_with_the_strictest_label_any_version_carried(api, make_api, gp, plan, jan):
    goal = add_goal(gp.user, plan, "Insulin 12 units at night", is_medical=True)
    update_goal(gp.user, goal, goal.version, is_medical=False, description="Sleep well")
    carer = make_api(jan)
    assert carer.get(f"/Goal/{goal.fhir_id}").status_code == 200  # today's label: not medical
    history = carer.get(f"/Goal/{goal.fhir_id}/_history")
    first = carer.get(f"/Goal/{goal.fhir_id}/_history/1")
    assert (history.status_code, first.status_code) == (403, 403)
    assert "Insulin" not in history.content.decode() + first.content.decode()
    assert AuditEvent.objects.filter(user=jan, resource_id=str(goal.fhir_id), outcome="denied").count() == 2
    assert api.get(f"/Goal/{goal.fhir_id}/_history").status_code == 200  # the GP sees it all


# --------------------------------------------------------------------------- 4. conditional create oracle


def test_4_a_conditional_create_of_a_patient_does_not_reveal_who_exists(make_api, person, physio):
    pieter = make_api(physio)
    body = {"resourceType": "Patient", "name": [{"family": "Peeters", "given": ["Maria"]}], "gender": "female",
            "birthDate": "1960-01-01"}
    answer = pieter.post("/Patient", body, HTTP_IF_NONE_EXIST="family=Peeters&given=Maria")
    assert str(person.fhir_id) not in answer.get("Location", "") + answer.content.decode()
    other = pieter.post("/Patient", body | {"name": [{"family": "Nobody", "given": ["Nemo"]}]},
                        HTTP_IF_NONE_EXIST="family=Nobody&given=Nemo")
    assert answer.status_code == other.status_code


def test_4_a_conditional_response_does_not_reveal_a_depression_screening(api, make_api, person, physio):
    from careweave.assessments.models import Instrument

    instrument = Instrument.objects.get(code="phq-9", status=Instrument.Status.ACTIVE)
    sent = {"resourceType": "QuestionnaireResponse", "questionnaire": f"{instrument.url}|{instrument.version}",
            "status": "completed", "subject": patient_ref(person),
            "item": [{"linkId": f"phq9-{n}", "answer": [{"valueCoding": {"code": "LA6568-5"}}]} for n in range(1, 10)]}
    condition_ = f"patient={person.fhir_id}&questionnaire={PHQ9}"
    pieter = make_api(physio)
    answers = []
    for _round in range(3):  # none, one, then two responses exist
        answer = pieter.post("/QuestionnaireResponse", sent, HTTP_IF_NONE_EXIST=condition_)
        answers.append((answer.status_code, answer.get("Location")))
        assert api.post("/QuestionnaireResponse", sent).status_code == 201
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 403
