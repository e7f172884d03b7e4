"""Enrolment in programmes through the actions: one plan, idempotent, phases, flags, re-assessment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from domain.domain_helpers import refused

from careweave.assessments import actions as assessment_actions
from careweave.careplans.actions import start_care_plan
from careweave.careplans.models import CarePlan, Goal, Task
from careweave.careplans.signals import care_transition
from careweave.programmes import actions
from careweave.programmes.models import Enrolment, EnrolmentItem, PhaseChange
from programmes.conftest import days


@pytest.fixture
def transitions() -> list[dict]:
    seen: list[dict] = []

    def listen(sender, **kwargs) -> None:  # noqa: ANN001, ANN003
        seen.append(kwargs)

    care_transition.connect(listen, dispatch_uid="test-programmes")
    yield seen
    care_transition.disconnect(dispatch_uid="test-programmes")


@pytest.fixture
def plan(person, members) -> CarePlan:  # noqa: ANN001
    return start_care_plan(person.user, person, "Plan van Maria")


def _enrol(actor, person, version, member, **dates):  # noqa: ANN001, ANN003
    dates.setdefault("person_agreed", True)  # the professional asked the person first (issue 17)
    return actions.enrol_in_programme(actor, person, version, reference_member=member, **dates)


def test_enrolment_brings_the_phase_into_the_existing_plan_once(person, plan, members, gp, pathways, transitions):  # noqa: ANN001
    enrolment = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(90))
    assert CarePlan.objects.filter(person=person).count() == 1 and enrolment.plan == plan
    assert enrolment.phase == "prenatal"
    goals, tasks = Goal.objects.filter(plan=plan).count(), Task.objects.filter(plan=plan).count()
    assert goals == 1 and tasks == 5  # outreach, EPDS, advice, clinical follow-up, buddy
    assert Task.objects.filter(plan=plan, description__icontains="EPDS").exists()
    assert plan.__class__.objects.get(pk=plan.pk).review_date == date.today() + timedelta(days=28)
    assert [t["kind"] for t in transitions] == ["programme_phase"] and transitions[0]["source"] == enrolment

    again = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(90))
    actions.sync_enrolment(gp.user, enrolment)
    assert again.pk == enrolment.pk
    assert (Goal.objects.filter(plan=plan).count(), Task.objects.filter(plan=plan).count()) == (goals, tasks)
    assert len(transitions) == 1, "nothing new happened, so no new transition"


def test_a_person_without_a_plan_gets_one_started(person, members, gp, pathways):  # noqa: ANN001
    enrolment = _enrol(gp.user, person, pathways["frail-persons"], members["gp"])
    assert CarePlan.objects.filter(person=person).count() == 1 and enrolment.plan.person == person


def test_recording_the_birth_moves_to_postnatal_and_brings_its_tasks(person, plan, members, gp, pathways,  # noqa: ANN001
                                                                      transitions):
    enrolment = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(5))
    before = Task.objects.filter(plan=plan).count()
    enrolment = actions.update_enrolment(gp.user, enrolment, enrolment.version, birth_date=date.today())
    assert enrolment.phase == "postnatal" and enrolment.phase_since == date.today()
    assert Task.objects.filter(plan=plan).count() == before + 3
    assert [c.to_phase for c in PhaseChange.objects.filter(enrolment=enrolment)] == ["prenatal", "postnatal"]
    assert "postnatal" in transitions[-1]["label"].lower() or transitions[-1]["source"].phase == "postnatal"


def test_the_nightly_recompute_moves_the_phase_without_writing_in_the_plan(person, plan, members, gp, pathways,  # noqa: ANN001
                                                                          transitions):
    enrolment = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(-3),
                       birth_date=days(-3))
    assert enrolment.phase == "postnatal"
    tasks = Task.objects.filter(plan=plan).count()
    assert actions.recompute_enrolments(None, today=days(40)) == 1
    enrolment.refresh_from_db()
    assert enrolment.phase == "young-child" and transitions[-1]["actor"] is None
    assert Task.objects.filter(plan=plan).count() == tasks, "plan items are written by a person, not a job"
    assert actions.recompute_enrolments(None, today=days(40)) == 0, "recomputing again changes nothing"


def test_incompatible_programmes_are_flagged_with_the_reason(person, plan, members, gp, pathways):  # noqa: ANN001
    _enrol(gp.user, person, pathways["frail-persons"], members["gp"])
    second = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(100))
    assert second.flags and second.flags[0]["pathway"] == "frail-persons"
    assert "coordinat" in second.flags[0]["reason"]["en"]
    assert [c.other.pathway.code for c in actions.conflicts(person, pathways["perinatal"], exclude=second)] == [
        "frail-persons"]


@pytest.mark.parametrize(("dates", "rule"), [
    ({}, "expected_birth_required"),
    ({"expected_birth": date.today() + timedelta(days=400)}, "expected_birth_range"),
    ({"expected_birth": days(30), "birth_date": days(1)}, "birth_in_future"),
    ({"expected_birth": days(30), "started_on": days(2)}, "start_in_future"),
])
def test_bad_dates_are_refused_and_change_nothing(person, plan, members, gp, pathways, dates, rule):  # noqa: ANN001
    error = refused(_enrol, gp.user, person, pathways["perinatal"], members["nurse"], **dates)
    assert error.rule == rule
    assert not Enrolment.objects.exists() and not Task.objects.filter(plan=plan).exists()


def test_the_reference_person_must_be_in_the_team_and_outsiders_are_refused(person, plan, members, gp, outsider,  # noqa: ANN001
                                                                            pathways):
    assert refused(_enrol, gp.user, person, pathways["frail-persons"], None).rule == "reference_required"
    assert refused(_enrol, outsider.user, person, pathways["frail-persons"], members["gp"]).rule == "no_access"
    assert not Enrolment.objects.exists()


def test_a_draft_pathway_cannot_enrol(person, plan, members, gp, pathways):  # noqa: ANN001
    from careweave.programmes.models import PathwayVersion

    draft = PathwayVersion.objects.get(pathway__code="frail-falls")
    assert refused(_enrol, gp.user, person, draft, members["gp"]).rule == "pathway_not_usable"


def test_completing_the_frailty_assessment_plans_the_next_one(person, plan, members, gp, pathways):  # noqa: ANN001
    enrolment = _enrol(gp.user, person, pathways["frail-persons"], members["gp"])
    first = EnrolmentItem.objects.get(enrolment=enrolment, kind="reassessment")
    assert first.task.due_date == date.today() + timedelta(days=actions.FIRST_ASSESSMENT_DAYS)
    answers = {"frailty-healthy": "no", "frailty-weight": "yes", "frailty-walking": "yes", "frailty-falls": "yes",
               "frailty-senses": "yes", "frailty-tired": "yes", "frailty-condition": "no", "frailty-low": "sometimes",
               "frailty-nervous": "sometimes", "frailty-sleep": "no", "frailty-coping": "no",
               "frailty-memory": "yes", "frailty-attention": "yes", "frailty-alone": "yes",
               "frailty-lonely": "sometimes", "frailty-support": "no", "frailty-housing": "yes",
               "frailty-changed": "no"}
    assessment = assessment_actions.start_assessment(gp.user, person, "frailty", plan=plan)
    assessment_actions.complete_assessment(gp.user, assessment, answers, assessment.version)
    first.task.refresh_from_db()
    assert first.task.status == Task.Status.COMPLETED, "the assessment answers the planned task"
    planned = EnrolmentItem.objects.filter(enrolment=enrolment, kind="reassessment").exclude(pk=first.pk).get()
    from careweave.programmes.template import add_months

    assert planned.task.due_date == add_months(date.today(), 6) and planned.task.is_open
    assert actions.next_reassessment(enrolment) == planned.task.due_date
    actions.sync_enrolment(gp.user, enrolment)
    assert EnrolmentItem.objects.filter(enrolment=enrolment, kind="reassessment").count() == 2
    from careweave.access.decisions import decide
    from careweave.programmes.panel import programme_views

    [view] = programme_views(gp.user, person, decide(gp.user, person))
    assert view.latest is not None and view.latest["assessment"] == assessment
    assert len(view.latest["scores"]) == 6, "the four dimensions, the total and the change in the life course"


def test_leaving_keeps_the_plan_and_says_why(person, plan, members, gp, pathways, transitions):  # noqa: ANN001
    enrolment = _enrol(gp.user, person, pathways["frail-persons"], members["gp"])
    tasks = Task.objects.filter(plan=plan).count()
    assert refused(actions.leave_programme, gp.user, enrolment, enrolment.version, " ").rule == "reason_required"
    actions.leave_programme(gp.user, enrolment, enrolment.version, "Verhuisd naar een woonzorgcentrum")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED and Task.objects.filter(plan=plan).count() == tasks
    assert transitions[-1]["kind"] == "programme_phase" and transitions[-1]["source"] == enrolment


def test_the_nightly_command_moves_phases_and_is_idempotent(person, plan, members, gp, pathways) -> None:  # noqa: ANN001
    from io import StringIO

    from django.core.management import call_command

    enrolment = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(-2),
                       birth_date=days(-2))
    out = StringIO()
    call_command("recompute_programme_phases", "--on", days(45).isoformat(), stdout=out)
    call_command("recompute_programme_phases", "--on", days(45).isoformat(), stdout=out)
    enrolment.refresh_from_db()
    assert enrolment.phase == "young-child"
    assert out.getvalue().splitlines() == ["1 enrolment(s) moved to another phase",
                                           "0 enrolment(s) moved to another phase"]
    assert [c.to_phase for c in PhaseChange.objects.filter(enrolment=enrolment)] == ["postnatal", "young-child"]


FRAILTY_ANSWERS = {"frailty-healthy": "no", "frailty-weight": "yes", "frailty-walking": "yes", "frailty-falls": "yes",
                   "frailty-senses": "yes", "frailty-tired": "yes", "frailty-condition": "no",
                   "frailty-low": "sometimes", "frailty-nervous": "sometimes", "frailty-sleep": "no",
                   "frailty-coping": "no", "frailty-memory": "yes", "frailty-attention": "yes", "frailty-alone": "yes",
                   "frailty-lonely": "sometimes", "frailty-support": "no", "frailty-housing": "yes",
                   "frailty-changed": "no"}


def test_the_frail_persons_programme_is_for_65_plus_or_after_a_frailty_screening(person, plan, members, gp,
                                                                                 pathways):  # noqa: ANN001
    """Issue 18 item 9: each programme declares who it is for, as data, and enrolment checks it."""
    person.birth_date = date.today().replace(year=date.today().year - 40)
    person.save(update_fields=["birth_date"])
    error = refused(_enrol, gp.user, person, pathways["frail-persons"], members["gp"])
    assert error.rule == "not_eligible" and "65" in str(error)
    assert not Enrolment.objects.filter(person=person).exists()
    assessment = assessment_actions.start_assessment(gp.user, person, "frailty", plan=plan)
    assessment_actions.complete_assessment(gp.user, assessment, FRAILTY_ANSWERS, assessment.version)
    assert _enrol(gp.user, person, pathways["frail-persons"], members["gp"]).phase


def test_a_birth_cannot_be_recorded_for_someone_outside_the_target_group(person, plan, members, gp, pathways):  # noqa: ANN001
    enrolment = _enrol(gp.user, person, pathways["perinatal"], members["nurse"], expected_birth=days(90))
    person.birth_date = date.today().replace(year=date.today().year - 67)
    person.save(update_fields=["birth_date"])
    error = refused(actions.update_enrolment, gp.user, enrolment, enrolment.version, birth_date=days(-1))
    assert error.rule == "not_eligible"
    enrolment.refresh_from_db()
    assert enrolment.birth_date is None
