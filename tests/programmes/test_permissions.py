"""Issue 17, defect 5: who enrols a person in a programme, who is the reference person, who gets the
professional tasks; the table's ``programmes.*`` rows for the ten demo roles, refusals audited."""

from __future__ import annotations

import pytest
from consultations.conftest import assert_row, roles  # noqa: F401 - fixtures
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - fixtures

from careweave.access.models import AuditEvent
from careweave.careplans import actions as plan_actions
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import Task
from careweave.programmes import actions
from careweave.programmes.models import Enrolment, PathwayVersion


@pytest.fixture
def frail(cast) -> PathwayVersion:  # noqa: ANN001, F811
    actions.sync_shipped_pathways()
    return next(v for v in actions.usable_versions() if v.pathway.code == "frail-persons")


def _refused(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


def test_the_informal_carer_cannot_enrol_maria(cast, frail) -> None:  # noqa: ANN001, F811
    jan = cast.member(related=cast.jan)
    refused = _refused(actions.enrol_in_programme, cast.jan.user, cast.maria, frail, reference_member=jan,
                       person_agreed=True)
    assert refused.rule == "not_allowed"
    assert not Enrolment.objects.exists()
    assert AuditEvent.objects.filter(user=cast.jan.user, person=cast.maria, outcome="denied",
                                     reason__startswith="programmes.enrol_in_programme").exists()


def test_the_reference_person_is_a_professional_of_the_team(cast, frail) -> None:  # noqa: ANN001, F811
    jan = cast.member(related=cast.jan)
    refused = _refused(actions.enrol_in_programme, cast.gp.user, cast.maria, frail, reference_member=jan,
                       person_agreed=True)
    assert refused.rule == "reference_professional"
    refused = _refused(actions.enrol_in_programme, cast.maria.user, cast.maria, frail, reference_member=jan)
    assert refused.rule == "reference_professional"
    assert not Enrolment.objects.exists()


def test_a_professional_enrols_only_with_the_persons_agreement(cast, frail) -> None:  # noqa: ANN001, F811
    gp = cast.member(professional=cast.gp)
    assert _refused(actions.enrol_in_programme, cast.gp.user, cast.maria, frail,
                    reference_member=gp).rule == "agreement_required"
    assert not Enrolment.objects.exists()
    enrolment = actions.enrol_in_programme(cast.gp.user, cast.maria, frail, reference_member=gp, person_agreed=True)
    assert enrolment.agreement == Enrolment.Agreement.RECORDED and enrolment.enrolled_by == cast.gp.user


def test_the_person_enrols_herself(cast, frail) -> None:  # noqa: ANN001, F811
    enrolment = actions.enrol_in_programme(cast.maria.user, cast.maria, frail,
                                           reference_member=cast.member(professional=cast.nurse))
    assert enrolment.agreement == Enrolment.Agreement.OWN


def test_professional_tasks_never_go_to_the_informal_carer(cast, frail) -> None:  # noqa: ANN001, F811
    enrolment = actions.enrol_in_programme(cast.maria.user, cast.maria, frail,
                                           reference_member=cast.member(professional=cast.gp))
    tasks = Task.objects.filter(pk__in=enrolment.items.exclude(task=None).values("task"))
    assert tasks.exists() and not tasks.filter(assignee__related_person__isnull=False).exists()
    plan_actions.remove_team_member(cast.maria.user, cast.member(professional=cast.gp), "verhuisd")
    enrolment.refresh_from_db()
    # The reference person left: a professional task waits rather than fall to Jan, who opens the plan.
    assert actions._assignee(enrolment, "reference", cast.jan.user) == (None, False)


def test_the_enrol_link_and_page_are_not_for_the_informal_carer(cast, frail, client_for) -> None:  # noqa: ANN001, F811
    plan_url = f"/persons/{cast.maria.fhir_id}/"
    enrol_url = f"/programmes/persons/{cast.maria.fhir_id}/enrol/"
    assert 'data-test="enrol-link"' in client_for("gp").get(plan_url).content.decode()
    assert 'data-test="enrol-link"' not in client_for("carer").get(plan_url).content.decode()
    assert client_for("carer").get(enrol_url).status_code == 403
    page = client_for("gp").get(enrol_url).content.decode()
    assert 'name="person_agreed"' in page
    assert f'value="{cast.member(related=cast.jan).pk}"' not in page  # Jan is no choice as reference person
    assert 'name="person_agreed"' not in client_for("person").get(enrol_url).content.decode()


def test_the_rows_for_the_ten_roles(cast, roles, frail) -> None:  # noqa: ANN001, F811
    deciders = {"person", "gp", "nurse", "socialworker", "coordinator"}
    assert_row("programmes.enrol_in_programme", cast.maria, deciders, roles)
    enrolment = actions.enrol_in_programme(cast.maria.user, cast.maria, frail,
                                           reference_member=cast.member(professional=cast.nurse))
    assert_row("programmes.update_enrolment", enrolment, deciders, roles)
    assert_row("programmes.leave_programme", enrolment, deciders, roles)
    assert_row("programmes.sync_enrolment", enrolment, deciders | {"carer"}, roles)
    assert_row("programmes.request_pathway", cast.zone, {"zonestaff"}, roles)
    assert_row("programmes.move_pathway_step", frail, {"admin"}, roles)  # interfederal: no zone, no owner account
