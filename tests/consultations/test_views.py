"""MDO pages: who sees them, what the coordinator does there, and bad input that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from careweave.access.models import AuditEvent
from careweave.careplans.models import Task
from careweave.careplans.signals import care_transition
from careweave.consultations import actions
from careweave.consultations.models import Consultation, Participant


def _detail(c: Consultation) -> str:
    return reverse("consultations:detail", args=[c.fhir_id])


def _url(name: str, c: Consultation) -> str:
    return reverse(f"consultations:{name}", args=[c.fhir_id])


def test_coordinator_sees_proposals_from_transitions(cast, client_for) -> None:  # noqa: ANN001
    care_transition.send(sender=None, person=cast.maria, kind="care_setting", label="Ontslag uit ziekenhuis",
                         on=date.today(), actor=None, source=None)
    care_transition.send(sender=None, person=cast.louis, kind="care_setting", label="Opname", on=date.today(),
                         actor=None, source=None)
    page = client_for("coordinator").get(reverse("consultations:organise"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ontslag uit ziekenhuis" in html
    assert "Opname" not in html  # Louis is not coordinated by her
    home = client_for("coordinator").get(reverse("web:coordination")).content.decode()
    assert reverse("consultations:organise") in home
    assert '<span class="badge badge--warning" data-test="mdo-count">1</span>' in home


def test_schedule_form_bad_input_changes_nothing(cast, client_for) -> None:  # noqa: ANN001
    client = client_for("coordinator")
    url = reverse("consultations:new", args=[cast.maria.fhir_id])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    base = {"mode": "in_person", "day": tomorrow, "start_time": "14:00", "end_time": "13:00", "location": "WGC",
            "reason": "Evaluatie"}
    page = client.post(url, base)
    assert page.status_code == 422 and "The end must come after the start." in page.content.decode()
    page = client.post(url, {**base, "mode": "online", "end_time": "15:00", "location": ""})
    assert page.status_code == 422 and "needs the link" in page.content.decode()
    assert not Consultation.objects.exists()
    page = client.post(url, {**base, "mode": "hybrid", "end_time": "15:00", "link": "https://teams.example/m"})
    c = Consultation.objects.get()
    assert page.status_code == 302 and page["Location"] == _detail(c)
    assert (c.mode, c.location, c.link, c.status) == ("hybrid", "WGC", "https://teams.example/m", "scheduled")


def test_the_whole_meeting_through_the_pages(cast, client_for, scheduled) -> None:  # noqa: ANN001
    client = client_for("coordinator")
    ids = {p.member.professional_id: p.pk for p in scheduled.participants.filter(member__professional__isnull=False)}
    present = {"attendance-present": [ids[cast.gp.pk], ids[cast.nurse.pk]], "attendance-version": scheduled.version}
    page = client.post(_url("attendance", scheduled), present)
    assert page.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == "held"
    minutes = {"minutes-text": "Valpreventie besproken", "minutes-version": 0}
    assert client.post(_url("minutes", scheduled), minutes).status_code == 302
    nurse = cast.member(professional=cast.nurse)
    before = Task.objects.count()
    decision = {"decision-text": "Huisbezoek ergotherapeut", "decision-assignee": ""}
    page = client.post(_url("decision", scheduled), decision)
    assert page.status_code == 422 and "Choose who will carry out this decision." in page.content.decode()
    assert Task.objects.count() == before
    page = client.post(_url("decision", scheduled), {**decision, "decision-assignee": str(nurse.pk)})
    assert page.status_code == 302 and Task.objects.filter(description="Huisbezoek ergotherapeut",
                                                           assignee=nurse).exists()
    scheduled.refresh_from_db()
    page = client.get(_detail(scheduled))
    html = page.content.decode()
    assert 'data-reimbursable="yes"' in html and "Huisbezoek ergotherapeut" in html
    assert client.post(_url("conclude", scheduled), {"conclude-version": scheduled.version}).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == "concluded"


def test_stale_attendance_is_refused(cast, client_for, scheduled) -> None:  # noqa: ANN001
    client = client_for("coordinator")
    first = scheduled.participants.first()
    stale = {"attendance-present": [first.pk], "attendance-version": scheduled.version - 1}
    page = client.post(_url("attendance", scheduled), stale)
    assert page.status_code == 422
    assert not Participant.objects.filter(attended__isnull=False).exists()


def test_non_members_are_refused_and_audited(cast, client_for, scheduled) -> None:  # noqa: ANN001
    client = client_for("stranger")
    assert client.get(_detail(scheduled)).status_code == 403
    first = scheduled.participants.first()
    assert client.post(_url("attendance", scheduled), {"attendance-present": [first.pk]}).status_code == 403
    assert client.get(reverse("consultations:person", args=[cast.maria.fhir_id])).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled"
    denied = AuditEvent.objects.filter(user=cast.stranger.user, person=cast.maria, outcome="denied")
    assert denied.count() == 3


def test_inviting_a_non_member_changes_nothing(cast, client_for) -> None:  # noqa: ANN001
    c = actions.schedule_mdo(cast.coordinator.user, cast.maria, mode="in_person",
                             start=timezone.now() + timedelta(days=1), end=timezone.now() + timedelta(days=1, hours=1),
                             location="WGC", reason="Overleg")
    louis_member = cast.louis.care_teams.first().members.first()
    page = client_for("coordinator").post(_url("invite", c), {"invite-members": [louis_member.pk]})
    assert page.status_code == 422
    assert not c.participants.exists()


def test_the_person_sees_her_mdo_and_answers(cast, client_for, scheduled) -> None:  # noqa: ANN001
    client = client_for("person")
    plan = client.get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    assert 'data-test="plan-mdos"' in plan and _detail(scheduled) in plan
    page = client.get(_detail(scheduled))
    assert page.status_code == 200 and 'data-test="mdo-accept"' in page.content.decode()
    assert 'data-test="attendance-form"' not in page.content.decode()  # she does not run the paperwork
    mine = scheduled.participants.get(member__isnull=True)
    assert client.post(reverse("consultations:respond", args=[scheduled.fhir_id, mine.pk]),
                       {"response": "accepted"}).status_code == 302
    mine.refresh_from_db()
    assert mine.response == "accepted"
    assert AuditEvent.objects.filter(user=cast.maria.user, resource_type="Appointment", action="R").exists()


def test_an_informal_carer_cannot_organise(cast, client_for, scheduled) -> None:  # noqa: ANN001
    client = client_for("carer")
    page = client.post(_url("cancel", scheduled), {"cancel-reason": "Niet nodig", "cancel-version": scheduled.version})
    assert page.status_code == 422
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled"


def test_pages_render_in_dutch(cast, client_for, scheduled) -> None:  # noqa: ANN001
    page = client_for("coordinator", "nl").get(_detail(scheduled))
    assert page.status_code == 200 and page.headers["Content-Language"] == "nl"


def test_moving_an_mdo_someone_changed_meanwhile_changes_nothing(cast, client_for, scheduled) -> None:  # noqa: ANN001
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    move = {"mode": "in_person", "day": day, "start_time": "10:00", "end_time": "11:00", "location": "Elders",
            "version": scheduled.version - 1}
    page = client_for("coordinator").post(_url("schedule", scheduled), move)
    assert page.status_code == 422
    scheduled.refresh_from_db()
    assert scheduled.location == "Wijkgezondheidscentrum Ninove"
    page = client_for("coordinator").post(_url("schedule", scheduled), {**move, "version": scheduled.version})
    assert page.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.location == "Elders" and scheduled.day.isoformat() == day


def test_an_mdo_form_sent_twice_schedules_one_mdo(cast, client_for) -> None:  # noqa: ANN001
    """Issue 18: two MDOs in the same slot from one form sent twice."""
    import re

    client = client_for("coordinator")
    url = reverse("consultations:new", args=[cast.maria.fhir_id])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"mode": "in_person", "day": tomorrow, "start_time": "14:00", "end_time": "15:00", "location": "WGC",
            "reason": "Evaluatie", "form_token": token}
    first = client.post(url, data)
    again = client.post(url, data)
    assert Consultation.objects.count() == 1
    assert (first.status_code, again.status_code) == (302, 302) and again["Location"] == first["Location"]


def test_an_mdo_in_2099_is_refused(cast, client_for) -> None:  # noqa: ANN001
    """Issue 18: an MDO could be scheduled in 2099."""
    page = client_for("coordinator").post(reverse("consultations:new", args=[cast.maria.fhir_id]), {
        "mode": "in_person", "day": "2099-05-01", "start_time": "14:00", "end_time": "15:00", "location": "WGC",
        "reason": "Evaluatie"})
    assert page.status_code == 422 and "Choose the day of the consultation from" in page.content.decode()
    assert not Consultation.objects.exists()
