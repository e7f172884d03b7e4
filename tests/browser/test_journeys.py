"""End to end in Chromium: the person adds a team member, the GP assigns a task, the carer completes it,
the person sees it done — each in their own language (Dutch, French, German)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import formats, translation

from careweave.careplans.actions import team_for
from careweave.careplans.models import Task, TeamMember
from careweave.people.models import Person, Professional

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lang(page) -> str:  # noqa: ANN001
    return page.locator("html").get_attribute("lang")


def switch_language(page, code: str) -> None:  # noqa: ANN001
    page.click(f"[data-test=lang-{code}]")
    page.wait_for_load_state("networkidle")
    assert lang(page) == code


def test_add_member_assign_task_carer_completes_person_sees_it_done(open_page, live_server):
    maria = Person.objects.get(user__username="person")
    team = team_for(maria)
    in_team = team.members.exclude(professional=None).values_list("professional_id", flat=True)
    newcomer = Professional.objects.filter(discipline="psychologist").exclude(pk__in=in_team).first()
    jan = team.members.get(related_person__user__username="carer", status=TeamMember.Status.ACTIVE)
    plan_url = f"{live_server.url}/persons/{maria.fhir_id}/"

    # 1. Maria (Dutch) adds a psychologist to her team.
    person = open_page("person")
    assert lang(person) == "nl", "Maria's own language"
    assert person.url == plan_url
    person.goto(plan_url + "team/")
    person.fill("#id_q", newcomer.family_name)
    person.click("[data-test=search-submit]")
    result = person.locator("[data-test=search-result]", has_text=str(newcomer))
    result.locator("[data-test=add-professional]").click()
    person.wait_for_load_state("networkidle")
    assert person.locator("[data-test=member]", has_text=str(newcomer)).count() == 1
    assert team.members.get(professional=newcomer).status == TeamMember.Status.ACTIVE

    # 2. The GP switches to French and assigns a task to Jan.
    gp = open_page("gp")
    switch_language(gp, "fr")
    gp.click(f"[data-test=caseload-person]:has-text('{maria}')")
    gp.click("[data-test=add-task]")
    due = date.today() + timedelta(days=3)
    gp.fill("#id_description", "Lijst met vragen voor de diabetesconsulent opstellen")
    gp.select_option("#id_assignee", value=str(jan.pk))
    gp.select_option("#id_goal", index=1)
    gp.fill("#id_due_date", due.isoformat())
    gp.click("[data-test=submit]")
    gp.wait_for_load_state("networkidle")
    task = Task.objects.get(description__startswith="Lijst met vragen")
    row = gp.locator(f"#task-{task.pk}").first
    with translation.override("fr"):
        french_due = formats.date_format(due, "DATE_FORMAT")
    assert french_due in row.inner_text(), "the due date is written the French way"
    assert gp.url.startswith(plan_url)

    # 3. Jan (German) marks it done from his task list; htmx updates the list in place.
    carer = open_page("carer")
    switch_language(carer, "de")
    carer.goto(f"{live_server.url}/tasks/")
    carer.locator(f"li[data-task='{task.pk}'] [data-test=task-done]").click()
    carer.wait_for_selector(f"li[data-task='{task.pk}'] [data-test=task-status]")
    assert lang(carer) == "de"
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED

    # 4. Maria sees it done on her plan, still in Dutch.
    person.goto(plan_url)
    status = person.locator(f"#task-{task.pk} [data-test=task-status]").first
    assert status.is_visible()
    assert lang(person) == "nl"
    for page in (person, gp, carer):
        assert not page.csp_errors, page.csp_errors


def test_second_editor_sees_changed_meanwhile_in_the_browser(open_page, live_server):
    maria = Person.objects.get(user__username="person")
    edit_url = f"{live_server.url}/persons/{maria.fhir_id}/plan/edit/"
    gp, nurse = open_page("gp"), open_page("nurse")
    switch_language(gp, "en")
    gp.goto(edit_url)
    nurse.goto(edit_url)
    nurse.fill("#id_title", "Safe at home, together")
    nurse.click("[data-test=submit]")
    nurse.wait_for_load_state("networkidle")
    gp.fill("#id_title", "Healthy at home")
    gp.click("[data-test=submit]")
    gp.wait_for_selector("[data-test=conflict]")
    conflict = gp.locator("[data-test=conflict]").inner_text()
    assert "Safe at home, together" in conflict and "Healthy at home" in conflict
    assert gp.input_value("#id_title") == "Healthy at home", "the user's input is kept"
    assert maria.care_plans.order_by("-created_at").first().title == "Safe at home, together"
