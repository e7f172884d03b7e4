"""The journeys of the issue, through the pages as a user clicks them (the browser tests repeat the main one)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from careweave.careplans.models import (
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    JournalEntry,
    Task,
    TeamMember,
)
from careweave.people.models import Professional

pytestmark = pytest.mark.django_db


def url(name: str, person, *args) -> str:  # noqa: ANN001, ANN002
    return reverse(f"web:{name}", args=[person.fhir_id, *args])


def test_every_user_lands_on_a_useful_home_page(cast, client_for):
    expected = {
        "person": url("plan", cast.maria),
        "carer": reverse("web:cared_for"),
        "gp": reverse("web:caseload"),
        "coordinator": reverse("web:coordination"),
        "casemanager": reverse("web:case_management"),
        "zonestaff": reverse("web:zone"),
        "admin": reverse("web:admin_home"),
    }
    for username, target in expected.items():
        response = client_for(username).get("/", follow=True)
        assert response.redirect_chain[-1][0] == target, username
        assert response.status_code == 200, username
    assert "/admin/" in client_for("admin").get(reverse("web:admin_home")).content.decode()
    assert "/population/" in client_for("zonestaff").get(reverse("web:zone")).content.decode()


def test_the_person_adds_and_removes_team_members(cast, client_for):
    person = client_for("person")
    physio = Professional.objects.get(family_name="Dubois")
    found = person.get(url("team", cast.maria), {"q": "physio"}).content.decode()
    assert "Aylin Dubois" in found
    person.post(url("add_professional", cast.maria), {"professional": physio.pk, "role": "physio at home"})
    member = TeamMember.objects.get(professional=physio)
    assert member.status == TeamMember.Status.ACTIVE, "the person decides: no approval needed"
    assert "Aylin Dubois" in person.get(url("plan", cast.maria)).content.decode()

    person.post(
        url("add_network", cast.maria),
        {"given_name": "Rita", "family_name": "Buur", "relationship": "neighbour", "phone": "054 11 22 33"},
    )
    assert TeamMember.objects.get(related_person__given_name="Rita").status == TeamMember.Status.ACTIVE

    person.post(url("member_step", cast.maria, member.pk, "remove"), {"reason": "no longer needed"})
    member.refresh_from_db()
    assert member.status == TeamMember.Status.ENDED
    team_page = person.get(url("team", cast.maria)).content.decode()
    assert "Earlier members" in team_page and "no longer needed" in team_page


def test_a_professional_proposes_a_member_and_the_person_agrees(cast, client_for):
    physio = Professional.objects.get(family_name="Dubois")
    client_for("gp").post(url("add_professional", cast.maria), {"professional": physio.pk})
    member = TeamMember.objects.get(professional=physio)
    assert member.status == TeamMember.Status.PROPOSED
    home = client_for("person").get(url("plan", cast.maria)).content.decode()
    assert 'data-test="proposed-member"' in home and "Aylin Dubois" in home
    client_for("person").post(url("member_step", cast.maria, member.pk, "approve"))
    member.refresh_from_db()
    assert member.status == TeamMember.Status.ACTIVE


def test_task_assigned_by_professional_completed_by_carer_seen_done_by_person(cast, client_for):
    gp = client_for("gp")
    jan_member = cast.member(related=cast.jan)
    response = gp.post(
        url("task_add", cast.maria),
        {
            "description": "Boodschappenlijst voor de diëtist maken",
            "assignee": str(jan_member.pk),
            "goal": cast.goal.pk,
            "due_date": str(date.today() + timedelta(days=2)),
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(description__startswith="Boodschappenlijst")

    carer = client_for("carer")
    tasks_page = carer.get(reverse("web:my_tasks")).content.decode()
    assert "Boodschappenlijst" in tasks_page
    carer.post(reverse("web:my_task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED and task.completed_by == cast.jan.user

    plan_page = client_for("person").get(url("plan", cast.maria)).content.decode()
    row = plan_page[plan_page.index(f'id="task-{task.pk}"') :]
    assert 'data-test="task-status">done' in row[:1500]


def test_the_professional_adds_a_goal_and_writes_in_the_journal(cast, client_for):
    gp = client_for("gp")
    gp.post(
        url("goal_add", cast.maria),
        {"description": "Valrisico verkleinen", "kind": "care", "domain": "daily_living", "life_goal": ""},
    )
    assert cast.plan.goals.filter(description="Valrisico verkleinen").exists()
    gp.post(url("journal", cast.maria), {"text": "Medicatie aangepast", "is_medical": "on", "origin": "plan"})
    assert JournalEntry.objects.get(text="Medicatie aangepast").is_medical
    assert "Medicatie aangepast" not in client_for("carer").get(url("plan", cast.maria)).content.decode()
    assert "Medicatie aangepast" in client_for("person").get(url("plan", cast.maria)).content.decode()


def test_the_person_writes_a_note_and_the_carer_says_how_they_are_doing(cast, client_for):
    client_for("person").post(url("journal", cast.maria), {"text": "Vandaag naar de markt gewandeld!"})
    response = client_for("carer").post(
        url("carer_checkin", cast.maria), {"feeling": "too_much", "text": "Ik slaap slecht"}, follow=True
    )
    assert "You do not have to carry this alone" in response.content.decode()
    entry = JournalEntry.objects.get(is_carer_checkin=True)
    assert "Ik slaap slecht" in entry.text
    journal = client_for("coordinator").get(url("journal", cast.maria), {"kind": "checkin"}).content.decode()
    assert "Ik slaap slecht" in journal and "Vandaag naar de markt" not in journal


def test_coordination_take_on_agree_refuse_and_hand_back(cast, client_for):
    current = CoordinationEpisode.objects.get(team=cast.team, status="active")
    nurse = client_for("nurse")
    nurse.post(url("take_on_coordination", cast.maria), {"reason": "Zij wil het"})
    proposal = CoordinationEpisode.objects.get(team=cast.team, status="proposed")
    client_for("person").post(url("coordination_step", cast.maria, proposal.pk, "refuse"))
    proposal.refresh_from_db()
    assert proposal.status == CoordinationEpisode.Status.REFUSED
    current.refresh_from_db()
    assert current.status == CoordinationEpisode.Status.ACTIVE

    nurse.post(url("take_on_coordination", cast.maria))
    proposal = CoordinationEpisode.objects.get(team=cast.team, status="proposed")
    client_for("person").post(url("coordination_step", cast.maria, proposal.pk, "agree"))
    proposal.refresh_from_db()
    current.refresh_from_db()
    assert proposal.status == "active" and current.status == "ended", "the previous coordinator handed over"

    nurse.post(url("coordination_step", cast.maria, proposal.pk, "hand-back"))
    proposal.refresh_from_db()
    assert proposal.end_reason == CoordinationEpisode.EndReason.HANDED_BACK


def test_a_case_manager_cannot_take_on_coordination_and_is_told_why(cast, client_for):
    response = client_for("casemanager").post(url("take_on_coordination", cast.godelieve), follow=True)
    assert "A case manager works from outside the team" in response.content.decode()
    assert not CoordinationEpisode.objects.filter(team__person=cast.godelieve).exists()


def test_the_coordinator_calls_in_a_case_manager_and_the_zone_appoints_one(cast, client_for):
    client_for("coordinator").post(
        url("ring_the_bell", cast.maria),
        {
            "triggers": ["unstable_complex", "coordination_failed"],
            "description": "Veel ziekenhuisopnames",
        },
    )
    request = CaseManagementRequest.objects.get(person=cast.maria)
    zone = client_for("zonestaff")
    queue = zone.get(reverse("web:zone")).content.decode()
    assert "Maria Peeters" in queue and "Louis Dubois" in queue
    detail = zone.get(reverse("web:zone_request", args=[request.pk])).content.decode()
    assert "caseload 1 of 2" in detail, "capacity is shown next to each trained case manager"
    zone.post(reverse("web:zone_request", args=[request.pk]), {"do": "appoint", "case_manager": cast.case_manager.pk})
    episode = CaseManagementEpisode.objects.get(person=cast.maria)
    assert episode.case_manager == cast.case_manager
    assert client_for("casemanager").get(url("plan", cast.maria)).status_code == 200
    assert "Maria Peeters" in client_for("casemanager").get(reverse("web:case_management")).content.decode()


def test_the_zone_declines_a_request_with_a_reason(cast, client_for):
    request = CaseManagementRequest.objects.get(person=cast.louis)
    client_for("zonestaff").post(
        reverse("web:zone_request", args=[request.pk]),
        {"do": "decline", "note": "De huisarts neemt de coördinatie op."},
    )
    request.refresh_from_db()
    assert request.status == CaseManagementRequest.Status.DECLINED


def test_the_case_manager_ends_case_management(cast, client_for):
    episode = CaseManagementEpisode.objects.get(person=cast.godelieve)
    client_for("casemanager").post(reverse("web:end_case_management", args=[episode.pk]), {"reason": "stabilised"})
    episode.refresh_from_db()
    assert episode.status == CaseManagementEpisode.Status.ENDED
    assert client_for("casemanager").get(url("plan", cast.godelieve)).status_code == 403


def test_registry_shows_capacity_and_accepts_a_new_training(cast, client_for):
    zone = client_for("zonestaff")
    page = zone.get(reverse("web:zone_registry")).content.decode()
    assert "Pieter De Smet" in page and "1 of 2" in page
    zone.post(
        reverse("web:zone_registry"),
        {"professional": cast.nurse.pk, "function": "coordinator", "trained_on": "2026-10-01", "capacity": 12},
    )
    assert cast.nurse.trainings.filter(function="coordinator", capacity=12).exists()


def test_the_person_sets_who_may_see_what_and_sees_who_looked(cast, client_for):
    client_for("gp").get(url("plan", cast.maria))
    person = client_for("person")
    person.post(
        url("privacy", cast.maria), {"grantee": f"pro:{cast.social.pk}", "level": "2", "note": "mag alles zien"}
    )
    assert "HbA1c" in client_for("socialworker").get(url("plan", cast.maria)).content.decode()
    page = person.get(url("privacy", cast.maria)).content.decode()
    assert "An Claes" in page and "member of the care team" in page
    assert 'data-test="access-rule"' in page


def test_my_tasks_groups_overdue_and_today(cast, client_for):
    Task.objects.filter(pk=cast.task_for_nurse.pk).update(due_date=date.today() - timedelta(days=2))
    page = client_for("nurse").get(reverse("web:my_tasks")).content.decode()
    overdue = page.index('data-test="group-overdue"')
    assert "Voeten nakijken" in page[overdue : overdue + 3000]
    assert "Bloedafname HbA1c" in page, "a care professional sees her medical task"


def test_caseload_filters(cast, client_for):
    gp = client_for("gp")
    everyone = gp.get(reverse("web:caseload")).content.decode()
    assert everyone.count('data-test="caseload-row"') == 3
    found = gp.get(reverse("web:caseload"), {"q": "louis"}).content.decode()
    assert found.count('data-test="caseload-row"') == 1 and "Louis Dubois" in found
    Task.objects.filter(pk=cast.task_for_nurse.pk).update(due_date=date.today() - timedelta(days=2))
    overdue = gp.get(reverse("web:caseload"), {"show": "overdue"}).content.decode()
    assert overdue.count('data-test="caseload-row"') == 1 and "Maria Peeters" in overdue
    coordinating = client_for("coordinator").get(reverse("web:caseload"), {"show": "coordinating"}).content.decode()
    assert coordinating.count('data-test="caseload-row"') == 1


def test_the_printable_plan_and_its_pdf(cast, client_for):
    person = client_for("person")
    page = person.get(url("print_plan", cast.maria)).content.decode()
    assert "Ik wil weer zelf naar de markt kunnen wandelen." in page and "Voeten nakijken" in page
    pdf = person.get(url("plan_pdf", cast.maria))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    welfare = client_for("socialworker").get(url("print_plan", cast.maria)).content.decode()
    assert "HbA1c" not in welfare


def test_an_access_choice_until_a_day_includes_that_day(cast, client_for):
    from django.utils import timezone

    from careweave.access.models import AccessRule

    last_day = date.today() + timedelta(days=10)
    client_for("person").post(
        url("privacy", cast.maria), {"grantee": "sector:welfare", "level": "2", "valid_until": str(last_day)}
    )
    rule = AccessRule.objects.get(person=cast.maria, sector="welfare")
    ends = timezone.localtime(rule.valid_until)
    assert ends.date() == last_day + timedelta(days=1) and ends.hour == 0


def test_a_decision_taken_on_the_plan_page_returns_to_the_plan_page(cast, client_for):
    physio = Professional.objects.get(family_name="Dubois")
    client_for("gp").post(url("add_professional", cast.maria), {"professional": physio.pk})
    member = TeamMember.objects.get(professional=physio)
    response = client_for("person").post(
        url("member_step", cast.maria, member.pk, "approve"), {"next": url("plan", cast.maria)}
    )
    assert response["Location"] == url("plan", cast.maria)


def test_the_printed_plan_and_its_pdf_keep_the_tasks_without_a_goal_in_a_section_of_their_own(cast, client_for):
    """MDO decisions serve no goal: they were left off the printed page and ran on under the last goal in the PDF."""
    from io import BytesIO

    from pypdf import PdfReader

    from careweave.careplans import actions

    actions.assign_task(cast.gp.user, cast.plan, "Beslissing MDO: thuisverpleging opstarten",
                        assignee=cast.member(professional=cast.nurse))
    person = client_for("person")
    page = person.get(url("print_plan", cast.maria)).content.decode()
    heading = page.index('data-test="print-other-tasks"')
    assert "Decisions and tasks without a goal" in page[heading:]
    assert "Beslissing MDO: thuisverpleging opstarten" in page[heading:]

    pdf = person.get(url("plan_pdf", cast.maria))
    text = "\n".join(pg.extract_text() for pg in PdfReader(BytesIO(pdf.content)).pages)
    section = text.index("Decisions and tasks without a goal")
    assert text.index("Beslissing MDO: thuisverpleging opstarten") > section > text.index("Voeten nakijken")
