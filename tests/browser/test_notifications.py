"""In Chromium, in Dutch and in French: the GP assigns a task to the nurse; the nurse's inbox count rises without a
reload (two browser contexts), and an e-mail reaches her in her language without any health detail (issue 21)."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from careweave.careplans.actions import team_for
from careweave.careplans.models import Task, TeamMember
from careweave.people.models import Person

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _count(page) -> int:  # noqa: ANN001
    return int(page.locator("[data-test=inbox-count]").get_attribute("data-count"))


@pytest.mark.parametrize(("language", "description"), [
    ("nl", "Insulinepen instellen na hypoglykemie"),
    ("fr", "Régler le stylo à insuline après une hypoglycémie"),
])
def test_the_nurse_sees_the_count_rise_and_gets_a_mail_in_her_language(open_page, live_server, settings, tmp_path,
                                                                        language, description):  # noqa: ANN001
    from careweave.jobs.worker import run_worker
    from careweave.web.models import UserPreference

    settings.CAREWEAVE_INBOX_POLL_SECONDS = 1
    settings.CAREWEAVE_BASE_URL = live_server.url
    settings.TASKS = DATABASE_QUEUE  # sent by the worker, as under `careweave serve`
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    maria = Person.objects.get(user__username="person")
    nurse_member = team_for(maria).members.get(professional__user__username="nurse", status=TeamMember.Status.ACTIVE)
    UserPreference.objects.update_or_create(user=nurse_member.professional.user, defaults={"language": language})

    nurse = open_page("nurse")
    assert nurse.locator("html").get_attribute("lang") == language
    nurse.wait_for_selector("[data-test=inbox-count]")
    before = _count(nurse)
    nurse.evaluate("window.notReloaded = true")

    gp = open_page("gp")
    gp.goto(f"{live_server.url}/persons/{maria.fhir_id}/")
    gp.click("[data-test=add-task]")
    gp.fill("#id_description", description)
    gp.select_option("#id_assignee", value=str(nurse_member.pk))
    gp.click("[data-test=submit]")
    gp.wait_for_load_state("networkidle")

    # Only the browsers talk to the server while the nurse's page polls (the live server shares the test's
    # in-memory database connection).
    nurse.wait_for_function(f"() => Number(document.querySelector('[data-test=inbox-count]').dataset.count) > {before}",
                            timeout=15_000)
    assert _count(nurse) == before + 1
    assert nurse.evaluate("window.notReloaded") is True, "the count rose without a page reload"
    nurse.click("[data-test=nav-inbox]")
    item = nurse.locator("[data-test=notification][data-kind=task_assigned]").first
    assert item.is_visible() and nurse.locator("html").get_attribute("lang") == language
    screenshot(nurse, f"notifications-inbox-{language}")
    item.locator("[data-test=notification-open]").click()
    nurse.wait_for_load_state("networkidle")
    opened = nurse.url
    assert not nurse.csp_errors and not gp.csp_errors
    for page in (nurse, gp):
        page.goto("about:blank")

    task = Task.objects.get(description=description)
    assert opened.endswith(f"#task-{task.pk}")
    run_worker(batch=True, scheduler=False, interval=0)  # the worker sends what the action queued
    from careweave.notifications.models import Notification

    notification = Notification.objects.get(event__kind="task_assigned", event__target_id=str(task.pk))
    link = f"/notifications/{notification.pk}/open/"
    messages = [email.message_from_bytes(chunk.strip().encode()) for p in Path(tmp_path).iterdir()
                for chunk in p.read_text().split("-" * 79) if chunk.strip()]
    [sent] = [m for m in messages if link in m.get_payload(decode=True).decode()]
    assert sent["To"] == nurse_member.professional.email and sent["Content-Language"] == language
    text = (sent["Subject"] + sent.get_payload(decode=True).decode()).lower()
    for detail in (description.lower(), "insulin", "hypogl", "maria", "peeters"):
        assert detail not in text, f"{detail!r} in the e-mail"
    assert f"{live_server.url}{link}" in text
