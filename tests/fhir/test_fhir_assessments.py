"""Questionnaire and QuestionnaireResponse through the FHIR API, with SDC ``$populate`` and ``$extract``.

The behaviour goes through HTTP with bearer tokens (see ``conftest.py``); the set-up through the
actions. Every response body is checked against FHIR R4B with fhir.resources.
"""

from __future__ import annotations

import uuid

import pytest

from careweave.access.models import AuditEvent
from careweave.assessments import actions
from careweave.assessments.engine import all_definitions
from careweave.assessments.models import Assessment, Instrument
from careweave.fhir.models import StoredResource

pytestmark = pytest.mark.django_db
PHQ2 = "https://careweave.org/fhir/Questionnaire/phq-2"
PHQ9 = "https://careweave.org/fhir/Questionnaire/phq-9"
NOT_AT_ALL, SEVERAL_DAYS, MORE_THAN_HALF, NEARLY_EVERY_DAY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"


def current(code: str) -> Instrument:
    return Instrument.objects.get(code=code, status=Instrument.Status.ACTIVE)


def response(person, code: str, answers: dict[str, str], status: str = "completed", **extra) -> dict:  # noqa: ANN001, ANN003
    """A QuestionnaireResponse as a client sends it: flat items with valueCoding answers."""
    instrument = current(code)
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{instrument.url}|{instrument.version}",
        "status": status,
        "subject": {"reference": f"Patient/{person.fhir_id}"},
        "item": [{"linkId": link_id, "answer": [{"valueCoding": {"code": value}}]}
                 for link_id, value in answers.items()],
        **extra,
    }


def answers_of(resource: dict) -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(items: list[dict]) -> None:
        for item in items or []:
            for answer in item.get("answer") or []:
                value = next(v for k, v in answer.items() if k.startswith("value"))
                found[item["linkId"]] = value["code"] if isinstance(value, dict) else value
            walk(item.get("item") or [])

    walk(resource.get("item") or [])
    return found


def phq9(code: str = SEVERAL_DAYS) -> dict[str, str]:
    return {f"phq9-{n}": code for n in range(1, 10)}


# --------------------------------------------------------------------------- Questionnaire


def test_the_questionnaire_list_holds_every_shipped_instrument(api, validate_r4b):
    bundle = api.get("/Questionnaire?_count=500").json()
    listed = {(e["resource"]["url"], e["resource"]["version"]) for e in bundle["entry"]}
    assert listed == {(d.url, d.version) for d in all_definitions()}
    assert {e["resource"]["status"] for e in bundle["entry"]} <= {"active", "retired"}
    for entry in bundle["entry"]:
        validate_r4b(entry["resource"])


def test_questionnaires_are_found_by_url_name_status_code_and_version(api):
    phq9_row = current("phq-9")

    def ids(query: str) -> set[str]:
        body = api.get(f"/Questionnaire?{query}").json()
        return {e["resource"]["id"] for e in body.get("entry", [])}

    expected = {str(phq9_row.fhir_id)}
    assert ids(f"url={PHQ9}") == expected
    assert ids(f"url={PHQ9}|{phq9_row.version}") == expected
    assert ids(f"url={PHQ9}|0.0.1") == set()
    assert ids("code=http://loinc.org|44249-1") == expected
    assert ids("code=phq-9") == expected
    assert expected <= ids("name=phq") and str(current("phq-2").fhir_id) in ids("name=phq")
    assert ids("name:exact=PHQ_9") == expected  # the computable name in the file
    assert ids(f"url={PHQ9}&version={phq9_row.version}&status=active") == expected
    assert ids(f"url={PHQ9}&status=retired") == set()


def test_a_questionnaire_is_read_with_its_version_and_history(api, validate_r4b):
    row = current("phq-2")
    read = api.get(f"/Questionnaire/{row.fhir_id}")
    assert read.status_code == 200 and read["ETag"] == f'W/"{row.revision}"'
    body = read.json()
    validate_r4b(body)
    assert body["url"] == PHQ2 and body["version"] == row.version and body["status"] == "active"
    history = api.get(f"/Questionnaire/{row.fhir_id}/_history").json()
    assert history["type"] == "history" and history["total"] >= 1
    assert api.get(f"/Questionnaire/{row.fhir_id}/_history/{row.revision}").json()["version"] == row.version
    assert api.put(f"/Questionnaire/{row.fhir_id}", body).status_code == 405


def test_the_capability_statement_lists_what_works(api):
    statement = api.get("/metadata").json()
    by_type = {r["type"]: r for r in statement["rest"][0]["resource"]}
    questionnaire = by_type["Questionnaire"]
    assert {i["code"] for i in questionnaire["interaction"]} == {"read", "vread", "search-type", "history-instance"}
    assert questionnaire["operation"][0]["name"] == "populate" and questionnaire["readHistory"] is True
    assert {p["name"] for p in questionnaire["searchParam"]} >= {"url", "name", "status", "code", "version"}
    qr = by_type["QuestionnaireResponse"]
    assert {"create", "update", "read", "search-type"} <= {i["code"] for i in qr["interaction"]}
    assert qr["operation"][0]["name"] == "extract"
    assert {p["name"] for p in qr["searchParam"]} >= {"patient", "subject", "questionnaire", "status", "authored",
                                                       "author"}
    observation = by_type["Observation"]  # the score Observations are served as stored resources, read-only
    assert {i["code"] for i in observation["interaction"]} == {"read", "vread", "search-type", "history-instance"}


# --------------------------------------------------------------------------- QuestionnaireResponse


def test_a_completed_response_is_created_validated_scored_and_read_back(api, person, gp, validate_r4b):
    sent = response(person, "phq-9", phq9(MORE_THAN_HALF))
    created = api.post("/QuestionnaireResponse", sent)
    assert created.status_code == 201, created.json()
    body = created.json()
    validate_r4b(body)
    assert created["ETag"] == 'W/"2"' and "/QuestionnaireResponse/" in created["Location"]
    assert body["status"] == "completed" and body["author"]["reference"] == f"Practitioner/{gp.fhir_id}"
    assert answers_of(body) == phq9(MORE_THAN_HALF)
    assert body["meta"]["security"][0]["code"] == "R"  # medical detail
    assessment = Assessment.objects.get(fhir_id=body["id"])
    assert assessment.scores.get(code="total").value == 18
    assert api.get(f"/QuestionnaireResponse/{body['id']}").json()["item"] == body["item"]
    assert AuditEvent.objects.filter(resource_id=body["id"], action="R", user=gp.user).exists()


def test_missing_and_wrong_answers_are_422_with_one_issue_each_and_nothing_is_stored(api, person):
    answers = {"phq9-1": NOT_AT_ALL, "phq9-2": "LA0000-0"}
    refused = api.post("/QuestionnaireResponse", response(person, "phq-9", answers))
    assert refused.status_code == 422
    issues = refused.json()["issue"]
    where = {i["expression"][0] for i in issues}
    assert "QuestionnaireResponse.item.where(linkId='phq9-2')" in where
    assert "QuestionnaireResponse.item.where(linkId='phq9-9')" in where
    assert {i["code"] for i in issues} == {"value", "required"}
    assert not Assessment.objects.exists()


def test_an_unknown_questionnaire_is_422(api, person):
    sent = response(person, "phq-2", {"phq2-1": NOT_AT_ALL})
    sent["questionnaire"] = "https://example.org/Questionnaire/unknown|1"
    refused = api.post("/QuestionnaireResponse", sent)
    assert refused.status_code == 422 and not Assessment.objects.exists()


def test_a_response_is_updated_with_if_match_and_a_stale_version_is_412(api, make_api, person, gp):
    created = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL},
                                                          status="in-progress")).json()
    rid = created["id"]
    version = created["meta"]["versionId"]
    more = response(person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": SEVERAL_DAYS}, status="in-progress", id=rid)
    updated = api.put(f"/QuestionnaireResponse/{rid}", more, HTTP_IF_MATCH=f'W/"{version}"')
    assert updated.status_code == 200, updated.json()
    assert answers_of(updated.json()) == {"phq2-1": NOT_AT_ALL, "phq2-2": SEVERAL_DAYS}
    stale = response(person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY}, status="completed", id=rid)
    refused = make_api(person.user).put(f"/QuestionnaireResponse/{rid}", stale, HTTP_IF_MATCH=f'W/"{version}"')
    assert refused.status_code == 412
    stored = Assessment.objects.get(fhir_id=rid)
    assert stored.status == "in-progress" and stored.answers["phq2-1"] == NOT_AT_ALL
    done = response(person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": SEVERAL_DAYS}, id=rid)
    finished = api.put(f"/QuestionnaireResponse/{rid}", done, HTTP_IF_MATCH=updated["ETag"])
    assert finished.status_code == 200 and finished.json()["status"] == "completed"


def test_a_completed_response_changes_only_as_an_amendment_with_a_reason(api, person):
    created = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL,
                                                                            "phq2-2": NOT_AT_ALL})).json()
    rid = created["id"]
    changed = response(person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": NOT_AT_ALL}, id=rid)
    assert api.put(f"/QuestionnaireResponse/{rid}", changed).status_code == 422
    changed["status"] = "amended"
    assert api.put(f"/QuestionnaireResponse/{rid}", changed).status_code == 422  # no reason given
    changed["extension"] = [{"url": "https://careweave.org/fhir/StructureDefinition/amendment-reason",
                             "valueString": "First answer misheard"}]
    amended = api.put(f"/QuestionnaireResponse/{rid}", changed)
    assert amended.status_code == 200, amended.json()
    assert amended.json()["status"] == "amended"
    history = api.get(f"/QuestionnaireResponse/{rid}/_history").json()
    assert [e["resource"]["status"] for e in history["entry"]][:2] == ["amended", "completed"]


def test_the_professional_judgement_travels_as_an_extension(api, person, gp):
    created = api.post("/QuestionnaireResponse", response(person, "phq-9", phq9(NOT_AT_ALL))).json()
    created["extension"] = [{"url": "https://careweave.org/fhir/StructureDefinition/professional-judgement",
                             "extension": [{"url": "differs", "valueBoolean": True},
                                           {"url": "reason", "valueString": "Flat affect; recently bereaved"}]}]
    updated = api.put(f"/QuestionnaireResponse/{created['id']}", created)
    assert updated.status_code == 200, updated.json()
    stored = Assessment.objects.get(fhir_id=created["id"])
    assert stored.judgement_differs and stored.judgement_reason == "Flat affect; recently bereaved"
    assert stored.judgement_by == gp.user


def test_conditional_create_on_the_client_id_stores_a_response_once(api, person):
    client_id = uuid.uuid4()
    sent = response(person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL},
                    identifier={"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{client_id}"})
    condition = f"identifier=urn:ietf:rfc:3986|urn:uuid:{client_id}"
    first = api.post("/QuestionnaireResponse", sent, HTTP_IF_NONE_EXIST=condition)
    second = api.post("/QuestionnaireResponse", sent, HTTP_IF_NONE_EXIST=condition)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Assessment.objects.filter(client_id=client_id).count() == 1
    assert api.post("/QuestionnaireResponse", sent).status_code == 409  # the same id without the condition


def test_responses_are_searched_by_patient_questionnaire_status_authored_and_author(api, person, gp):
    done = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL,
                                                                         "phq2-2": NOT_AT_ALL})).json()
    draft = api.post("/QuestionnaireResponse", response(person, "phq-9", {"phq9-1": NOT_AT_ALL},
                                                        status="in-progress")).json()

    def ids(query: str) -> list[str]:
        body = api.get(f"/QuestionnaireResponse?{query}").json()
        return sorted(e["resource"]["id"] for e in body.get("entry", []))

    both = sorted([done["id"], draft["id"]])
    assert ids(f"patient={person.fhir_id}") == both
    assert ids(f"subject=Patient/{person.fhir_id}&questionnaire={PHQ2}") == [done["id"]]
    assert ids(f"patient={person.fhir_id}&status=in-progress") == [draft["id"]]
    assert ids(f"patient={person.fhir_id}&author=Practitioner/{gp.fhir_id}") == both
    assert ids(f"patient={person.fhir_id}&authored=ge2000-01-01") == both
    assert ids(f"patient={person.fhir_id}&authored=lt2000-01-01") == []


def test_a_welfare_professional_neither_reads_nor_finds_medical_responses(api, make_api, person, welfare_member):
    created = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL,
                                                                            "phq2-2": NOT_AT_ALL})).json()
    welfare = make_api(welfare_member.user)
    assert welfare.get(f"/QuestionnaireResponse/{created['id']}").status_code == 403
    found = welfare.get(f"/QuestionnaireResponse?patient={person.fhir_id}").json()
    assert found.get("entry", []) == []
    sent = response(person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL})
    assert welfare.post("/QuestionnaireResponse", sent).status_code == 403
    assert Assessment.objects.count() == 1


def test_a_stranger_cannot_create_a_response(make_api, person, stranger):
    sent = response(person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL})
    assert make_api(stranger.user).post("/QuestionnaireResponse", sent).status_code == 403
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.filter(user=stranger.user, outcome="denied").exists()


# --------------------------------------------------------------------------- $populate


def test_populate_prefills_the_phq9_from_the_phq2_with_who_and_when(api, make_api, person, gp, validate_r4b):
    screen = actions.start_assessment(gp.user, person, "phq-2", prefill=False)
    screen = actions.complete_assessment(gp.user, screen, {"phq2-1": MORE_THAN_HALF, "phq2-2": SEVERAL_DAYS},
                                         screen.version)
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueReference": {"reference": f"Patient/{person.fhir_id}"}},
        {"name": "canonical", "valueCanonical": PHQ9},
    ]}
    result = api.post("/Questionnaire/$populate", parameters)
    assert result.status_code == 200, result.json()
    prefilled = next(p["resource"] for p in result.json()["parameter"] if p["name"] == "response")
    validate_r4b(prefilled)
    assert prefilled["status"] == "in-progress" and prefilled["questionnaire"].startswith(PHQ9)
    assert answers_of(prefilled) == {"phq9-1": MORE_THAN_HALF, "phq9-2": SEVERAL_DAYS}
    first = prefilled["item"][0]["item"][0]
    note = {e["url"]: e for e in first["extension"][0]["extension"]}
    assert note["source"]["valueReference"]["reference"] == f"QuestionnaireResponse/{screen.fhir_id}"
    assert note["author"]["valueString"].startswith("Griet") and note["date"]["valueDate"]
    assert not Assessment.objects.filter(instrument__code="phq-9").exists()  # $populate stores nothing
    assert AuditEvent.objects.filter(resource_id=str(screen.fhir_id), reason="$populate").exists()
    instance = api.post(f"/Questionnaire/{current('phq-9').fhir_id}/$populate",
                        {"resourceType": "Parameters", "parameter": parameters["parameter"][:1]})
    assert answers_of(instance.json()["parameter"][0]["resource"]) == answers_of(prefilled)


def test_populate_for_someone_without_access_is_403(make_api, person, stranger):
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueReference": {"reference": f"Patient/{person.fhir_id}"}},
        {"name": "canonical", "valueCanonical": PHQ9},
    ]}
    assert make_api(stranger.user).post("/Questionnaire/$populate", parameters).status_code == 403


# --------------------------------------------------------------------------- $extract


def test_extract_gives_one_observation_per_score_and_stores_them(api, person, gp, plan, validate_r4b):
    sent = response(person, "phq-9", phq9(MORE_THAN_HALF), basedOn=[{"reference": f"CarePlan/{plan.fhir_id}"}])
    created = api.post("/QuestionnaireResponse", sent).json()
    result = api.post(f"/QuestionnaireResponse/{created['id']}/$extract", {"resourceType": "Parameters"})
    assert result.status_code == 200, result.json()
    bundle = result.json()
    validate_r4b(bundle)
    assessment = Assessment.objects.get(fhir_id=created["id"])
    observations = [e["resource"] for e in bundle["entry"]]
    assert len(observations) == assessment.scores.count()
    total = next(o for o in observations if o["code"]["coding"][0].get("code") == "44261-6")
    assert total["valueQuantity"]["value"] == 18
    assert total["interpretation"][0]["coding"][0]["code"] == "moderately-severe"
    assert total["derivedFrom"][0]["reference"] == f"QuestionnaireResponse/{created['id']}"
    assert total["subject"]["reference"] == f"Patient/{person.fhir_id}"
    assert total["performer"][0]["reference"] == f"Practitioner/{gp.fhir_id}"
    assert total["basedOn"][0]["reference"] == f"CarePlan/{plan.fhir_id}"
    stored = StoredResource.objects.filter(resource_type="Observation", patient=person)
    assert stored.count() == len(observations)
    assert stored.get(source_id=f"careweave-assessment/{created['id']}/total").data["valueQuantity"]["value"] == 18
    again = api.post("/QuestionnaireResponse/$extract", {"resourceType": "Parameters", "parameter": [
        {"name": "questionnaire-response", "resource": created}]})
    assert again.status_code == 200 and stored.count() == len(observations)


def test_score_observations_are_read_back_by_the_team_and_hidden_from_welfare(api, make_api, person, welfare_member):
    """Issues #8 and #12 together: a score written on completion is an Observation the API serves."""
    created = api.post("/QuestionnaireResponse", response(person, "phq-9", phq9(MORE_THAN_HALF))).json()
    found = api.get(f"/Observation?patient={person.fhir_id}").json()
    totals = [e["resource"] for e in found.get("entry", [])
              if e["resource"]["code"]["coding"][0].get("code") == "44261-6"]
    assert len(totals) == 1 and totals[0]["valueQuantity"]["value"] == 18
    assert totals[0]["derivedFrom"][0]["reference"] == f"QuestionnaireResponse/{created['id']}"
    assert api.get(f"/Observation/{totals[0]['id']}").json()["valueQuantity"]["value"] == 18
    in_compartment = api.get(f"/Patient/{person.fhir_id}/Observation").json()
    assert {e["resource"]["id"] for e in in_compartment["entry"]} >= {totals[0]["id"]}
    welfare = make_api(welfare_member.user)
    assert welfare.get(f"/Observation/{totals[0]['id']}").status_code == 403
    assert welfare.get(f"/Observation?patient={person.fhir_id}").json().get("entry", []) == []


def test_extract_of_a_response_sent_in_the_body_scores_it_without_storing(api, person):
    sent = response(person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": NEARLY_EVERY_DAY})
    result = api.post("/QuestionnaireResponse/$extract", {"resourceType": "Parameters", "parameter": [
        {"name": "questionnaire-response", "resource": sent}]})
    assert result.status_code == 200, result.json()
    observation = result.json()["entry"][0]["resource"]
    assert observation["valueQuantity"]["value"] == 6 and observation["code"]["coding"][0]["code"] == "55758-7"
    assert not StoredResource.objects.exists() and not Assessment.objects.exists()
    incomplete = {**sent, "item": sent["item"][:1]}
    refused = api.post("/QuestionnaireResponse/$extract", {"resourceType": "Parameters", "parameter": [
        {"name": "questionnaire-response", "resource": incomplete}]})
    assert refused.status_code == 422


def test_extract_of_an_unfinished_response_is_422(api, person):
    created = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL},
                                                          status="in-progress")).json()
    assert api.post(f"/QuestionnaireResponse/{created['id']}/$extract", {"resourceType": "Parameters"}
                    ).status_code == 422


# --------------------------------------------------------------------------- every instrument, carer privacy, bundles

SPECIAL = {"bmi-for-age": {"bmi-sex": "female", "bmi-age-months": 60, "bmi-weight": 18.0, "bmi-height": 108.0}}


def valid_answers(definition) -> dict[str, object]:  # noqa: ANN001
    """A plausible complete set of answers for any instrument: the first option, a number in range, a text."""
    if definition.code in SPECIAL:
        return SPECIAL[definition.code]
    answers: dict[str, object] = {}
    for item in definition.answerable():
        if item.type == "choice":
            answers[item.link_id] = item.options[0].code
        elif item.type == "boolean":
            answers[item.link_id] = False
        elif item.type in ("integer", "decimal"):
            low = item.min_value if item.min_value is not None else 1
            answers[item.link_id] = int(low) if item.type == "integer" else float(low)
        elif item.type in ("string", "text"):
            answers[item.link_id] = "Walking to the market again"
        elif item.type == "date" and item.required:
            answers[item.link_id] = "2026-01-15"
    return answers


def as_items(definition, answers: dict[str, object]) -> list[dict]:  # noqa: ANN001
    keys = {"choice": "valueCoding", "boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal",
            "date": "valueDate", "string": "valueString", "text": "valueString"}
    items = []
    for link_id, value in answers.items():
        key = keys[definition.item(link_id).type]
        items.append({"linkId": link_id, "answer": [{key: {"code": value} if key == "valueCoding" else value}]})
    return items


@pytest.mark.parametrize("code", sorted({d.code for d in all_definitions()}))
def test_every_shipped_instrument_is_answered_and_extracted_through_the_api(api, person, code, validate_r4b):
    instrument = current(code)
    definition = instrument.definition()
    sent = {"resourceType": "QuestionnaireResponse", "questionnaire": f"{instrument.url}|{instrument.version}",
            "status": "completed", "subject": {"reference": f"Patient/{person.fhir_id}"},
            "item": as_items(definition, valid_answers(definition))}
    created = api.post("/QuestionnaireResponse", sent)
    assert created.status_code == 201, created.json()
    validate_r4b(created.json())
    extracted = api.post(f"/QuestionnaireResponse/{created.json()['id']}/$extract", {"resourceType": "Parameters"})
    assert extracted.status_code == 200, extracted.json()
    validate_r4b(extracted.json())
    assessment = Assessment.objects.get(fhir_id=created.json()["id"])
    assert len(extracted.json()["entry"]) == assessment.scores.count() == len(definition.score(assessment.answers))


@pytest.fixture
def carer(person):  # noqa: ANN001, ANN201
    """Maria's neighbour, an informal carer in her team with his own login."""
    from django.contrib.auth.models import User

    from careweave.careplans.actions import add_team_member, team_for
    from careweave.people.models import RelatedPerson

    carer = RelatedPerson.objects.create(person=person, given_name="Rik", family_name="Buur",
                                         relationship=RelatedPerson.Relationship.NEIGHBOUR,
                                         user=User.objects.create_user("rik", first_name="Rik"))
    add_team_member(person.user, team_for(person), related_person=carer)
    return carer


def test_a_carer_burden_response_is_the_carers_alone_until_he_shares_it(api, make_api, person, carer):
    instrument = current("carer-strain")
    definition = instrument.definition()
    rik = make_api(carer.user)
    sent = {"resourceType": "QuestionnaireResponse", "questionnaire": f"{instrument.url}|{instrument.version}",
            "status": "completed", "subject": {"reference": f"Patient/{person.fhir_id}"},
            "item": as_items(definition, valid_answers(definition))}
    created = rik.post("/QuestionnaireResponse", sent)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["meta"]["security"][0]["code"] == "V"
    assert body["author"]["reference"] == f"RelatedPerson/{carer.fhir_id}"
    for other in (api, make_api(person.user)):
        assert other.get(f"/QuestionnaireResponse/{body['id']}").status_code == 403
        assert other.get(f"/QuestionnaireResponse?patient={person.fhir_id}").json().get("entry", []) == []
    assert rik.post(f"/QuestionnaireResponse/{body['id']}/$extract", {"resourceType": "Parameters"}
                    ).status_code == 200
    assert not StoredResource.objects.exists()
    body["extension"] = [{"url": "https://careweave.org/fhir/StructureDefinition/shared-with-team",
                          "valueBoolean": True}]
    assert api.put(f"/QuestionnaireResponse/{body['id']}", body).status_code == 403  # only Rik shares
    shared = rik.put(f"/QuestionnaireResponse/{body['id']}", body)
    assert shared.status_code == 200, shared.json()
    assert api.get(f"/QuestionnaireResponse/{body['id']}").status_code == 200
    assert StoredResource.objects.filter(patient=person, resource_type="Observation").count() == 1


def test_a_response_in_a_transaction_bundle_goes_through_the_same_actions(api, person):
    good = response(person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": SEVERAL_DAYS})
    bad = response(person, "phq-2", {"phq2-1": NOT_AT_ALL})
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": good,
         "request": {"method": "POST", "url": "QuestionnaireResponse"}},
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": bad,
         "request": {"method": "POST", "url": "QuestionnaireResponse"}},
    ]}
    refused = api.post("", bundle)
    assert refused.status_code == 422 and not Assessment.objects.exists()  # all or nothing
    bundle["entry"] = bundle["entry"][:1]
    accepted = api.post("", bundle)
    assert accepted.status_code == 200, accepted.json()
    assert Assessment.objects.get().scores.get().value == 1


def test_a_response_is_withdrawn_as_entered_in_error_with_a_reason(api, person):
    created = api.post("/QuestionnaireResponse", response(person, "phq-2", {"phq2-1": NOT_AT_ALL,
                                                                            "phq2-2": NOT_AT_ALL})).json()
    created["status"] = "entered-in-error"
    assert api.put(f"/QuestionnaireResponse/{created['id']}", created).status_code == 422  # no reason
    created["extension"] = [{"url": "https://careweave.org/fhir/StructureDefinition/amendment-reason",
                             "valueString": "Wrong person"}]
    withdrawn = api.put(f"/QuestionnaireResponse/{created['id']}", created)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "entered-in-error"
    assert not StoredResource.objects.exists()


# --------------------------------------------------------------------------- query-count guards (NetBox style)

READ_RESPONSE_MAX = 9
SEARCH_RESPONSES_MAX = 10
POPULATE_MAX = 14


def test_reading_and_searching_responses_do_not_grow_with_their_number(api, person, gp, plan,
                                                                        django_assert_max_num_queries):
    for n in range(20):
        started = actions.start_assessment(gp.user, person, "phq-2", plan=plan, prefill=False)
        actions.complete_assessment(gp.user, started, {"phq2-1": NOT_AT_ALL, "phq2-2": CODES_BY_N[n % 4]},
                                    started.version)
    one = Assessment.objects.filter(person=person).first()
    actions.record_own_judgement(gp.user, one, "Seen at home: more low than this", one.version)
    with django_assert_max_num_queries(READ_RESPONSE_MAX):
        assert api.get(f"/QuestionnaireResponse/{one.fhir_id}").status_code == 200
    with django_assert_max_num_queries(SEARCH_RESPONSES_MAX):
        found = api.get(f"/QuestionnaireResponse?patient={person.fhir_id}&_count=50")
    assert found.json()["total"] == 20
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueReference": {"reference": f"Patient/{person.fhir_id}"}},
        {"name": "canonical", "valueCanonical": PHQ9}]}
    with django_assert_max_num_queries(POPULATE_MAX):
        assert api.post("/Questionnaire/$populate", parameters).status_code == 200


CODES_BY_N = [NOT_AT_ALL, SEVERAL_DAYS, MORE_THAN_HALF, NEARLY_EVERY_DAY]


def test_populate_never_fills_in_answers_older_than_the_questions_look_back(api, person, gp):
    """The PHQ-9 asks about the last two weeks: answers from five weeks ago are not taken over."""
    from datetime import timedelta

    from django.utils import timezone

    old = actions.start_assessment(gp.user, person, "phq-9", prefill=False)
    old = actions.complete_assessment(gp.user, old, phq9(NEARLY_EVERY_DAY), old.version)
    five_weeks_ago = timezone.now() - timedelta(weeks=5)
    Assessment.objects.filter(pk=old.pk).update(completed_at=five_weeks_ago, started_at=five_weeks_ago)
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueReference": {"reference": f"Patient/{person.fhir_id}"}},
        {"name": "canonical", "valueCanonical": PHQ9},
    ]}
    result = api.post("/Questionnaire/$populate", parameters)
    assert result.status_code == 200, result.json()
    prefilled = next(p["resource"] for p in result.json()["parameter"] if p["name"] == "response")
    assert answers_of(prefilled) == {}
