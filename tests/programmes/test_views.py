"""The programme pages: enrolment from the plan, access, bad input, registry, zone counts with suppression."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from careweave.access.models import AuditEvent
from careweave.careplans.actions import start_care_plan
from careweave.careplans.models import Task
from careweave.programmes import actions
from careweave.programmes.models import Enrolment, PathwayVersion, Step


@pytest.fixture
def plan(person, members):  # noqa: ANN001, ANN201
    return start_care_plan(person.user, person, "Plan van Maria")


def _as(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _form(version: PathwayVersion, member, **extra) -> dict:  # noqa: ANN001, ANN003
    return {"pathway": version.pk, "reference_member": member.pk, "started_on": date.today().isoformat(),
            "person_agreed": "on", **extra}


def test_a_team_member_enrols_and_sees_the_programme_on_the_plan(person, plan, members, gp, pathways) -> None:  # noqa: ANN001
    client = _as(gp.user)
    url = f"/programmes/persons/{person.fhir_id}/enrol/"
    assert client.get(url).status_code == 200
    expected = (date.today() + timedelta(days=60)).isoformat()
    response = client.post(url, _form(pathways["perinatal"], members["nurse"], expected_birth=expected))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=person)
    assert AuditEvent.objects.filter(user=gp.user, person=person, action="C", reason="programme:perinatal").exists()
    page = client.get(f"/persons/{person.fhir_id}/").content.decode()
    assert 'data-test="programme"' in page and 'data-phase="prenatal"' in page
    assert 'data-test="next-transition"' in page
    assert page.count('data-test="task"') >= Task.objects.filter(plan=plan).count()
    assert enrolment.phase == "prenatal"


def test_bad_input_is_explained_and_changes_nothing(person, plan, members, gp, pathways) -> None:  # noqa: ANN001
    client = _as(gp.user)
    url = f"/programmes/persons/{person.fhir_id}/enrol/"
    response = client.post(url, _form(pathways["perinatal"], members["nurse"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert not Enrolment.objects.exists() and not Task.objects.filter(plan=plan).exists()
    assert "errorlist" in response.content.decode() or "error" in response.content.decode()
    response = client.post(url, {"pathway": "999999", "started_on": "not a date"})
    assert response.status_code == 422 and not Enrolment.objects.exists()


def test_outsiders_are_refused_and_audited(person, plan, members, outsider, pathways) -> None:  # noqa: ANN001
    client = _as(outsider.user)
    response = client.post(f"/programmes/persons/{person.fhir_id}/enrol/",
                           _form(pathways["frail-persons"], members["gp"]))
    assert response.status_code == 403 and not Enrolment.objects.exists()
    assert AuditEvent.objects.filter(user=outsider.user, person=person, outcome="denied").exists()


def test_recording_the_birth_on_the_web_moves_the_phase(person, plan, members, gp, pathways) -> None:  # noqa: ANN001
    enrolment = actions.enrol_in_programme(gp.user, person, pathways["perinatal"], reference_member=members["nurse"],
                                           person_agreed=True,
                                           expected_birth=date.today() + timedelta(days=3))
    response = _as(gp.user).post(f"/programmes/enrolments/{enrolment.fhir_id}/", {
        "version": enrolment.version, "expected_birth": enrolment.expected_birth.isoformat(),
        "birth_date": date.today().isoformat(), "reference_member": members["nurse"].pk})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.phase == "postnatal"


def test_zone_counts_are_for_zone_staff_and_hide_small_cells(person, plan, members, gp, zone_staff,  # noqa: ANN001
                                                             pathways) -> None:
    actions.enrol_in_programme(gp.user, person, pathways["frail-persons"], reference_member=members["gp"],
                               person_agreed=True)
    assert _as(gp.user).get("/programmes/zone/").status_code == 403
    page = _as(zone_staff).get("/programmes/zone/").content.decode()
    assert 'data-test="zone-programmes"' in page
    assert 'data-test="phase-count">1<' not in page, "a single person is never shown"
    assert 'data-test="programme-total">—<' in page


def test_the_registry_lists_pathways_and_zone_staff_move_their_own(zone_staff, zone, gp, pathways) -> None:  # noqa: ANN001
    draft = PathwayVersion.objects.get(pathway__code="frail-falls")
    draft.pathway.zone = zone
    draft.pathway.save()
    page = _as(gp.user).get("/programmes/").content.decode()
    assert 'data-pathway="perinatal"' in page and 'data-pathway="frail-falls"' in page
    detail = f"/programmes/pathways/{draft.pathway.code}/"
    assert 'data-test="step-form"' not in _as(gp.user).get(detail).content.decode()
    refused = _as(gp.user).post(detail, {"pathway_version": draft.pk, "version": draft.version, "to_step": "feedback"})
    assert refused.status_code == 422 and PathwayVersion.objects.get(pk=draft.pk).step == Step.CO_CREATION
    staff = _as(zone_staff)
    response = staff.post(detail, {"pathway_version": draft.pk, "version": draft.version, "to_step": "validation"})
    assert response.status_code == 422 and PathwayVersion.objects.get(pk=draft.pk).step == Step.CO_CREATION
    response = staff.post(detail, {"pathway_version": draft.pk, "version": draft.version, "to_step": "feedback"})
    assert response.status_code == 302 and PathwayVersion.objects.get(pk=draft.pk).step == Step.FEEDBACK
    assert 'data-test="step-change"' in staff.get(detail).content.decode()


def test_leaving_on_the_web_needs_a_reason_and_outsiders_cannot(person, plan, members, gp, outsider,  # noqa: ANN001
                                                                pathways) -> None:
    enrolment = actions.enrol_in_programme(gp.user, person, pathways["frail-persons"],
                                           reference_member=members["gp"], person_agreed=True)
    url = f"/programmes/enrolments/{enrolment.fhir_id}/leave/"
    assert _as(outsider.user).post(url, {"version": enrolment.version, "reason": "x"}).status_code == 403
    assert _as(gp.user).post(url, {"version": enrolment.version, "reason": ""}).status_code == 422
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ACTIVE
    response = _as(gp.user).post(url, {"version": enrolment.version, "reason": "Verhuisd"})
    assert response.status_code == 302 and Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ENDED


def test_the_coordinator_sees_the_coming_transitions_of_their_persons(person, plan, members, gp, outsider,  # noqa: ANN001
                                                                      pathways) -> None:
    actions.enrol_in_programme(gp.user, person, pathways["perinatal"], reference_member=members["nurse"],
                               person_agreed=True,
                               expected_birth=date.today() + timedelta(days=20))
    page = _as(gp.user).get("/programmes/transitions/").content.decode()
    assert page.count('data-test="transition"') == 1 and str(person.fhir_id) in page
    seen = AuditEvent.objects.filter(user=gp.user, reason="list:transitions")
    assert [e.person_id for e in seen] == [person.pk]  # a list showing a person is audited on her file
    assert 'data-test="transition"' not in _as(outsider.user).get("/programmes/transitions/").content.decode()
