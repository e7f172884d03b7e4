"""The demo zone is realistic and obeys the same rules the actions enforce."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from careweave.access.decisions import decide, persons_visible_to
from careweave.access.models import Level
from careweave.careplans.models import CaseManagementEpisode, CoordinationEpisode, TeamMember
from careweave.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from careweave.demo.cases import CASES
from careweave.people.identifiers import parse_ssin
from careweave.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-200")]
DEMO = {"persons": 200, "seed": 42}


@pytest.fixture
def demo(demo_zone: dict) -> dict:
    return demo_zone


def test_demo_has_200_people_across_the_eight_forum_cases(demo: dict) -> None:
    assert demo["created"] is True
    assert Person.objects.count() == 200
    assert set(demo["cases"]) == {c.key for c in CASES}
    assert all(count >= 10 for count in demo["cases"].values())


def test_every_demo_person_has_a_team_a_plan_goals_tasks_and_valid_ssin(demo: dict) -> None:
    for person in Person.objects.prefetch_related("care_plans__goals", "care_plans__tasks", "care_plans__life_goals"):
        parse_ssin(person.ssin)
        plan = person.care_plans.get()
        assert plan.life_goals.exists() and plan.goals.exists() and plan.tasks.exists(), person
        assert person.care_teams.get().members.filter(status=TeamMember.Status.ACTIVE).count() >= 2


def test_demo_respects_coordination_and_case_management_rules(demo: dict) -> None:
    for episode in CoordinationEpisode.objects.filter(status=CoordinationEpisode.Status.ACTIVE):
        assert episode.held_by_person or episode.coordinator.status == TeamMember.Status.ACTIVE
        assert episode.reimbursable == (episode.coordinator is not None and not episode.coordinator.is_informal)
    for episode in CaseManagementEpisode.objects.filter(status=CaseManagementEpisode.Status.ACTIVE):
        assert not TeamMember.objects.filter(
            team__person=episode.person, professional=episode.case_manager, status=TeamMember.Status.ACTIVE
        ).exists()
    teams_with_two = (
        CoordinationEpisode.objects.filter(status="active").values("team").order_by().distinct().count()
    )
    assert teams_with_two == CoordinationEpisode.objects.filter(status="active").count()


def test_every_demo_account_has_the_printed_password_and_sees_what_its_role_needs(demo: dict) -> None:
    assert {a["username"] for a in DEMO_ACCOUNTS} == {
        "person", "carer", "gp", "nurse", "socialworker", "coordinator", "casemanager", "zonestaff", "physio", "admin",
        "policy"}
    for account in DEMO_ACCOUNTS:
        assert User.objects.get(username=account["username"]).check_password(DEMO_PASSWORD), account["username"]
    visible = {u: len(persons_visible_to(User.objects.get(username=u))) for u in ("gp", "coordinator", "casemanager")}
    assert visible["gp"] >= 30 and visible["coordinator"] >= 10 and visible["casemanager"] >= 3
    maria = Person.objects.get(user__username="person")
    assert decide(User.objects.get(username="carer"), maria).level == Level.PLAN  # informal carer
    mother = Person.objects.get(given_name="Godelieve", family_name="Peeters")
    assert decide(User.objects.get(username="carer"), mother).basis == "proxy"
    assert decide(User.objects.get(username="socialworker"), maria).level == Level.NONE
    assert decide(User.objects.get(username="zonestaff"), maria).level == Level.NONE
    assert decide(User.objects.get(username="policy"), maria).level == Level.NONE  # macro: aggregates only


def test_maria_has_a_coordinator_proposal_and_a_proposed_member_waiting_for_her(demo: dict) -> None:
    maria = Person.objects.get(user__username="person")
    team = maria.care_teams.get()
    assert team.coordination_episodes.get().status == CoordinationEpisode.Status.PROPOSED
    assert team.members.filter(status=TeamMember.Status.PROPOSED).count() == 1


def test_loading_twice_changes_nothing(demo: dict) -> None:
    again = load_demo()
    assert again["created"] is False
    assert Person.objects.count() == 200


def test_demo_has_assessment_histories_that_fit_each_situation(demo: dict) -> None:
    from careweave.assessments.actions import visible_assessments
    from careweave.assessments.models import Assessment
    from careweave.fhir.models import StoredResource

    maria = Person.objects.get(user__username="person")
    phq9 = list(Assessment.objects.filter(person=maria, instrument__code="phq-9", status="completed")
                .order_by("completed_at"))
    totals = [a.scores.get(code="total").value for a in phq9]
    assert len(phq9) == 3 and totals[0] > totals[1] > totals[2], totals
    assert (phq9[-1].completed_at - phq9[0].completed_at).days > 90, "spread over months"
    assert Assessment.objects.filter(person=maria, instrument__code="phq-2").get().scores.get(code="total").positive
    assert Assessment.objects.filter(person=maria, instrument__code="katz-adl", status="completed").count() == 3

    mother = Person.objects.get(given_name="Godelieve", family_name="Peeters")
    latest_need = Assessment.objects.filter(person=mother, instrument__code="care-need-screener").latest("completed_at")
    assert latest_need.scores.get(code="heavy-care-need").positive
    assert Assessment.objects.filter(person=mother, instrument__code="frailty").latest("completed_at").scores.get(
        code="total").positive

    strain = Assessment.objects.filter(person=mother, instrument__code="carer-strain")
    assert strain.count() == 2 and all(a.author.username == "carer" and a.author_only for a in strain)
    gp = User.objects.get(username="gp")
    assert not visible_assessments(gp, mother).filter(instrument__code="carer-strain").exists()
    assert visible_assessments(User.objects.get(username="carer"), mother).filter(
        instrument__code="carer-strain").count() == 2

    bmi = Assessment.objects.filter(instrument__code="bmi-for-age", status="completed")
    assert bmi.count() == 3 and len({a.person_id for a in bmi}) == 1
    assert bmi.first().person.age() < 19
    assert all(a.scores.filter(code="bmi-z").exists() for a in bmi)

    # The score Observations carry the date of the assessment, and none exists for private answers.
    latest = phq9[-1]
    observation = StoredResource.objects.get(resource_type="Observation",
                                             source_id=f"careweave-assessment/{latest.fhir_id}/total")
    assert observation.data["effectiveDateTime"][:10] == latest.completed_at.date().isoformat()
    assert not StoredResource.objects.filter(source_id__startswith=f"careweave-assessment/{strain.first().fhir_id}/")


def test_the_demo_gp_has_an_outreach_list_and_the_zone_a_target_with_actions(demo: dict) -> None:
    """Issue #20: a list sent to the GPs (Maria and other patients of Dr. Claes on it, partly followed up) and
    the zone's flu-vaccination target with actions and review moments."""
    from careweave.population.models import OutreachItem, PdcaTarget
    from careweave.population.outreach import own_patient_ids

    gp = User.objects.get(username="gp")
    maria = Person.objects.get(user__username="person")
    mine = OutreachItem.objects.filter(person_id__in=own_patient_ids(gp))
    assert mine.filter(person=maria).exists() and mine.filter(state="followed_up").exists()
    assert OutreachItem.objects.exclude(person_id__in=own_patient_ids(gp)).exists()  # other GPs' patients too
    target = PdcaTarget.objects.get(zone__code="ZORA", indicator="flu_vaccination_65")
    assert target.actions.count() == 2 and target.reviews.filter(held=True).count() == 1
