"""PlanDefinition through the FHIR API, and ``$apply`` giving the same plan as enrolling on the web."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from careweave.access.models import ApiToken
from careweave.careplans.actions import add_team_member, start_care_plan, team_for
from careweave.careplans.models import Goal, Task
from careweave.programmes.models import Enrolment


class Api:
    """Speaks FHIR as one user (bearer token), like tests/fhir's client (``fhir`` is fhir.resources' package)."""

    def __init__(self, client: Client, user) -> None:  # noqa: ANN001
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def get(self, path: str):  # noqa: ANN201
        return self.client.get("/fhir/R4" + path, **self.headers)

    def post(self, path: str, body: dict):  # noqa: ANN201
        return self.client.post("/fhir/R4" + path, data=json.dumps(body), content_type="application/fhir+json",
                                **self.headers)


def _api(client: Client, user) -> Api:  # noqa: ANN001
    return Api(client, user)


def _content(person) -> list[tuple]:  # noqa: ANN001
    goals = sorted((g.description, g.kind, g.domain, g.is_medical) for g in Goal.objects.filter(plan__person=person))
    tasks = sorted((t.description, t.due_date, t.is_medical, t.assignee.professional_id if t.assignee else None)
                   for t in Task.objects.filter(plan__person=person))
    return [goals, tasks]


def test_plan_definition_read_and_search(client, gp, pathways) -> None:  # noqa: ANN001
    api = _api(client, gp.user)
    version = pathways["perinatal"]
    resource = api.get(f"/PlanDefinition/{version.fhir_id}").json()
    assert resource["resourceType"] == "PlanDefinition" and resource["status"] == "active"
    assert resource["url"].endswith("/PlanDefinition/perinatal") and resource["version"] == "1.0.0"
    assert [a["code"][0]["coding"][0]["code"] for a in resource["action"]] == ["prenatal", "postnatal", "young-child"]
    epds = [a for a in resource["action"][0]["action"] if "definitionCanonical" in a]
    assert epds and "epds" in epds[0]["definitionCanonical"].lower()
    found = api.get("/PlanDefinition?status=draft").json()
    assert {e["resource"]["url"].rsplit("/", 1)[1] for e in found.get("entry", [])} == {"frail-falls"}
    metadata = api.get("/metadata").json()
    entry = next(r for r in metadata["rest"][0]["resource"] if r["type"] == "PlanDefinition")
    assert entry["operation"][0]["name"] == "apply"


def test_apply_gives_the_same_plan_as_enrolling_on_the_web(client, make_person, gp, nurse, pathways) -> None:  # noqa: ANN001
    people = [make_person("Sara"), make_person("Lina")]
    for person in people:
        team = team_for(person)
        for who in (gp, nurse):
            add_team_member(person.user, team, professional=who)
        start_care_plan(person.user, person, "Plan")
    web_person, api_person = people
    expected = (date.today() + timedelta(days=80)).isoformat()
    browser = Client()
    browser.force_login(gp.user)
    nurse_member = lambda p: p.care_teams.get().members.get(professional=nurse)  # noqa: E731
    response = browser.post(f"/programmes/persons/{web_person.fhir_id}/enrol/", {
        "pathway": pathways["perinatal"].pk, "reference_member": nurse_member(web_person).pk,
        "started_on": date.today().isoformat(), "expected_birth": expected, "person_agreed": "on"})
    assert response.status_code == 302

    api = _api(client, gp.user)
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueString": f"Patient/{api_person.fhir_id}"},
        {"name": "expectedBirth", "valueDate": expected}, {"name": "personAgreed", "valueBoolean": True},
        {"name": "referencePerson", "valueReference": {"reference": f"Practitioner/{nurse.fhir_id}"}}]}
    result = api.post(f"/PlanDefinition/{pathways['perinatal'].fhir_id}/$apply", parameters)
    assert result.status_code == 200, result.content
    care_plan = result.json()
    assert care_plan["resourceType"] == "CarePlan" and care_plan["subject"]["reference"].endswith(
        str(api_person.fhir_id))
    assert _content(api_person) == _content(web_person) and _content(api_person)[1]
    again = api.post(f"/PlanDefinition/{pathways['perinatal'].fhir_id}/$apply", parameters)
    assert again.status_code == 200 and _content(api_person) == _content(web_person), "applying twice adds nothing"


def test_apply_refuses_without_subject_bad_dates_or_access(client, person, members, gp, outsider,  # noqa: ANN001
                                                         pathways) -> None:
    start_care_plan(person.user, person, "Plan")
    path = f"/PlanDefinition/{pathways['perinatal'].fhir_id}/$apply"
    api = _api(client, gp.user)
    assert api.post(path, {"resourceType": "Parameters", "parameter": []}).status_code == 422
    response = api.post(path + f"?subject=Patient/{person.fhir_id}", {"resourceType": "Parameters", "parameter": []})
    assert response.status_code == 422
    assert response.json()["issue"][0]["diagnostics"]
    assert _api(client, outsider.user).post(path + f"?subject=Patient/{person.fhir_id}", {
        "resourceType": "Parameters", "parameter": [{"name": "expectedBirth", "valueDate": date.today().isoformat()}]
    }).status_code == 403
    assert not Enrolment.objects.exists() and not Task.objects.exists()


@pytest.fixture
def client() -> Client:
    return Client()


def test_maria_67_is_refused_for_the_first_1000_days_with_the_same_reason_on_the_web_and_in_apply(
        client, make_person, gp, nurse, pathways) -> None:  # noqa: ANN001
    """Issue 18 item 9: Maria, 67, was enrolled in "First 1000 days" and a birth recorded."""
    maria = make_person("Maria", birth_date=date.today().replace(year=date.today().year - 67) - timedelta(days=3))
    team = team_for(maria)
    add_team_member(maria.user, team, professional=gp)
    member = add_team_member(maria.user, team, professional=nurse)
    start_care_plan(maria.user, maria, "Plan")
    birth = (date.today() - timedelta(days=20)).isoformat()
    from careweave.web.language import SESSION_KEY

    browser = Client()
    browser.force_login(gp.user)
    session = browser.session
    session[SESSION_KEY] = "en"
    session.save()
    page = browser.post(f"/programmes/persons/{maria.fhir_id}/enrol/", {
        "pathway": pathways["perinatal"].pk, "reference_member": member.pk, "started_on": date.today().isoformat(),
        "expected_birth": birth, "birth_date": birth, "person_agreed": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    title = pathways["perinatal"].pathway.display_title("en")
    reason = (f"{maria} is not in the target group of the programme “{title}”: it is for a pregnant person, "
              "the parent who gave birth less than two years ago, or a child under two.")
    assert page.status_code == 422
    assert reason in page.content.decode()
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "subject", "valueString": f"Patient/{maria.fhir_id}"},
        {"name": "expectedBirth", "valueDate": birth}, {"name": "birthDate", "valueDate": birth},
        {"name": "personAgreed", "valueBoolean": True},
        {"name": "referencePerson", "valueReference": {"reference": f"Practitioner/{nurse.fhir_id}"}}]}
    result = _api(client, gp.user).post(f"/PlanDefinition/{pathways['perinatal'].fhir_id}/$apply", parameters)
    assert result.status_code == 422 and result.json()["issue"][0]["diagnostics"] == reason
    assert not Enrolment.objects.filter(person=maria).exists() and not Task.objects.filter(plan__person=maria).exists()
