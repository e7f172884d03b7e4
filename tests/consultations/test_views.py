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


def test_two_editors_of_the_minutes_see_both_texts_and_merge(cast, client_for, scheduled) -> None:  # noqa: ANN001
    """Issue 18 item 1: the second save showed "changed by someone else (version 0, now 1)" and every retry was
    refused; now it shows both texts and keeps the typed text, and saving again stores the merged text."""
    ids = [p.pk for p in scheduled.participants.filter(member__professional__isnull=False)]
    actions.record_attendance(cast.coordinator.user, scheduled, ids)
    gp, nurse = client_for("gp"), client_for("nurse")
    assert gp.post(_url("minutes", scheduled), {"minutes-text": "GP: medication reviewed",
                                                  "minutes-version": 0}).status_code == 302
    page = nurse.post(_url("minutes", scheduled), {"minutes-text": "Nurse: wound care daily", "minutes-version": 0})
    html = page.content.decode()
    assert page.status_code == 409
    assert 'data-test="conflict-theirs">GP: medication reviewed' in html
    assert 'data-test="conflict-yours">Nurse: wound care daily' in html
    assert 'name="minutes-version" value="1"' in html and "Nurse: wound care daily</textarea>" in html
    merged = {"minutes-text": "GP: medication reviewed\nNurse: wound care daily", "minutes-version": 1}
    assert nurse.post(_url("minutes", scheduled), merged).status_code == 302
    scheduled.minutes.refresh_from_db()
    assert scheduled.minutes.text == "GP: medication reviewed\nNurse: wound care daily"


def test_the_gp_has_a_menu_entry_and_a_list_of_her_mdo_invitations(cast, client_for, scheduled) -> None:  # noqa: ANN001
    """Issue 18 item 30: the GP had no MDO menu entry and no list of her invitations."""
    gp_invitation = scheduled.participants.get(member__professional=cast.gp)
    actions.respond_to_invitation(cast.gp.user, gp_invitation, "accepted")
    client = client_for("gp")
    home = client.get(reverse("web:home"), follow=True).content.decode()
    assert 'data-test="nav-my-mdos"' in home
    page = client.get(reverse("consultations:mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-test="my-mdo" data-response="accepted"' in html and str(cast.maria) in html and "will come" in html
    assert AuditEvent.objects.filter(user=cast.gp.user, person=cast.maria, reason="list:my_mdos").exists()
    jan = client_for("carer").get(reverse("web:home"), follow=True).content.decode()
    assert 'data-test="nav-my-mdos"' not in jan


def test_a_transition_generated_while_a_french_user_acted_reads_in_dutch_on_a_dutch_page(cast, client_for
                                                                                       ) -> None:  # noqa: ANN001
    """Issue 18 item 25: "X joins the programme…" was stored in the language of whoever triggered it."""
    from django.utils import translation

    from careweave.programmes import actions as programme_actions

    frail = next(v for v in programme_actions.usable_versions() if v.pathway.code == "frail-persons")
    with translation.override("fr"):
        programme_actions.enrol_in_programme(cast.gp.user, cast.maria, frail, reference_member=cast.member(
            professional=cast.gp), person_agreed=True)
    proposal = Consultation.objects.get(person=cast.maria, transition_kind="programme_phase")
    assert proposal.reason == "" and proposal.message_code == "programmes.joins"
    dutch = client_for("coordinator", "nl")
    organise = dutch.get(reverse("consultations:organise")).content.decode()
    detail = dutch.get(_detail(proposal)).content.decode()
    programme, phase = frail.pathway.title["nl"], frail.template["phases"][0]["title"]["nl"]
    sentence = f"{cast.maria} stapt in het programma “{programme}” in de fase “{phase}”."
    assert sentence in detail and sentence[:60] in organise
    assert "rejoint" not in detail and frail.pathway.title["fr"] not in detail
    french = client_for("coordinator", "fr").get(_detail(proposal)).content.decode()
    assert frail.pathway.title["fr"] in french and sentence not in french


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
