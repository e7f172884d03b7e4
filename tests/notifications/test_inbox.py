"""The inbox, the menu's count and the read-time permission filter (decision 0030)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careweave.careplans import actions as plan_actions
from careweave.notifications.inbox import inbox, unread_count
from careweave.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_menu_count_is_an_htmx_fragment_that_polls(cast, client_for, settings):  # noqa: ANN001
    settings.CAREWEAVE_INBOX_POLL_SECONDS = 7
    nurse = client_for("nurse")
    page = nurse.get(reverse("web:caseload")).content.decode()
    assert 'hx-get="/notifications/count/"' in page and 'hx-trigger="load, every 7s"' in page
    fragment = nurse.get(reverse("notifications:count")).content.decode()
    # two tasks and Jan's journal message of the cast
    assert 'data-count="3"' in fragment
    plan_actions.assign_task(cast.gp.user, cast.plan, "Steunkousen aandoen", assignee=cast.member(cast.nurse))
    assert 'data-count="4"' in nurse.get(reverse("notifications:count")).content.decode()


def test_the_inbox_groups_per_person_and_links_to_the_place(cast, client_for):  # noqa: ANN001
    plan_actions.write_in_journal(cast.jan.user, cast.plan, "Gaat goed")
    page = client_for("nurse").get(reverse("notifications:inbox")).content.decode()
    assert page.count('data-test="inbox-group"') == 1 and "Maria Peeters" in page
    assert "A task was assigned to you." in page and "There is a new message in the journal." in page
    assert "Voeten nakijken" not in page and "Gaat goed" not in page, "no content in the inbox, only what happened"
    first = Notification.objects.filter(recipient=cast.nurse.user).first()
    response = client_for("nurse").get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == first.event.url
    first.refresh_from_db()
    assert first.read_at is not None


def test_the_inbox_read_is_audited_on_each_persons_file(cast, client_for):  # noqa: ANN001
    from careweave.access.models import AuditEvent

    before = AuditEvent.objects.filter(person=cast.maria, user=cast.nurse.user).count()
    client_for("nurse").get(reverse("notifications:inbox"))
    assert AuditEvent.objects.filter(person=cast.maria, user=cast.nurse.user).count() == before + 1


def test_mark_read_and_mark_all_read(cast, client_for):  # noqa: ANN001
    nurse = client_for("nurse")
    one = Notification.objects.filter(recipient=cast.nurse.user).first()
    response = nurse.post(reverse("notifications:read", args=[one.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-test="mark-read"' not in response.content.decode()
    assert unread_count(cast.nurse.user) == 2
    nurse.post(reverse("notifications:read_all"))
    assert unread_count(cast.nurse.user) == 0


def test_someone_elses_notification_cannot_be_read_or_opened(cast, client_for):  # noqa: ANN001
    theirs = Notification.objects.filter(recipient=cast.nurse.user).first()
    gp = client_for("gp")
    assert gp.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    gp.post(reverse("notifications:read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notification_of_a_file_one_lost_access_to_disappears(cast, client_for):  # noqa: ANN001
    """The nurse leaves Maria's team: her notifications about Maria vanish from the inbox, the count and the link."""
    nurse = client_for("nurse")
    assert unread_count(cast.nurse.user) == 3
    kept = Notification.objects.filter(recipient=cast.nurse.user).first()
    plan_actions.remove_team_member(cast.nurse.user, cast.member(cast.nurse), reason="Andere ronde")
    assert unread_count(cast.nurse.user) == 0
    assert inbox(cast.nurse.user) == []
    assert 'data-count="0"' in nurse.get(reverse("notifications:count")).content.decode()
    assert "Maria Peeters" not in nurse.get(reverse("notifications:inbox")).content.decode()
    assert nurse.get(reverse("notifications:open", args=[kept.pk])).status_code == 404


def test_a_medical_task_is_shown_only_to_readers_with_full_access(cast):  # noqa: ANN001
    """The social worker (welfare sector: the plan only) is told of a plain task, not of a medical one."""
    member = cast.member(cast.social)
    plan_actions.assign_task(cast.gp.user, cast.plan, "Premie aanvragen", assignee=member)
    plan_actions.assign_task(cast.gp.user, cast.plan, "Insuline bijsturen", assignee=member, is_medical=True)
    assert Notification.objects.filter(recipient=cast.social.user, event__kind="task_assigned").count() == 2
    shown = [n.event.medical for g in inbox(cast.social.user) for n in g.items if n.event.kind == "task_assigned"]
    assert shown == [False]


def test_settings_page_saves_the_choice_per_kind(cast, client_for):  # noqa: ANN001
    from careweave.notifications.kinds import KINDS
    from careweave.notifications.models import EmailChoice

    nurse = client_for("nurse")
    page = nurse.get(reverse("notifications:settings")).content.decode()
    assert page.count("<select") == len(KINDS)
    data = {code: kind.default for code, kind in KINDS.items()} | {"journal_message": "never"}
    response = nurse.post(reverse("notifications:settings"), data)
    assert response.status_code == 302
    assert EmailChoice.objects.get(user=cast.nurse.user, kind="journal_message").choice == "never"
    bad = nurse.post(reverse("notifications:settings"), data | {"task_assigned": "hourly"})
    assert bad.status_code == 200 and EmailChoice.objects.get(user=cast.nurse.user, kind="task_assigned").choice \
        == "immediate"


def test_the_push_worker_covers_the_whole_app(client):  # noqa: ANN001
    response = client.get("/push-sw.js")
    assert response.status_code == 200 and response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'addEventListener("push"' in body and "showNotification" in body
