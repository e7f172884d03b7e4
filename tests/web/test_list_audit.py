"""List pages that show several persons audit one read per person shown (security issue 17, item 11).

Each person then sees, in "who looked at my file", who saw them on which list.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.signals import care_transition


def _listed(username: str, code: str):  # noqa: ANN202 - an AuditEvent queryset
    return AuditEvent.objects.filter(user__username=username, reason__startswith=f"list:{code}", outcome="success")


def _who_looked(client, person) -> str:  # noqa: ANN001
    return client.get(reverse("web:privacy", args=[person.fhir_id])).content.decode()


@pytest.mark.parametrize(
    ("username", "url", "code", "persons", "basis"),
    [
        ("gp", "web:caseload", "caseload", ("maria", "godelieve", "louis"), "care_relationship"),
        ("nurse", "web:my_tasks", "tasks", ("maria",), "care_relationship"),
        ("coordinator", "web:coordination", "coordination", ("maria",), "care_relationship"),
        ("casemanager", "web:case_management", "case_management", ("godelieve",), "case_management"),
        ("zonestaff", "web:zone", "zone_requests", ("louis", "godelieve"), "zone"),
        ("carer", "web:cared_for", "cared_for", ("maria", "godelieve"), "proxy"),
    ],
)
def test_a_list_page_audits_each_person_shown(cast, client_for, username, url, code, persons, basis):  # noqa: ANN001
    assert client_for(username).get(reverse(url)).status_code == 200
    events = _listed(username, code)
    assert {e.person_id for e in events} == {getattr(cast, name).pk for name in persons}
    assert events.count() == len(persons), "one entry per person, not per row"
    if basis != "proxy":  # Jan is in Maria's team (care relationship) and represents Godelieve (proxy)
        assert {e.basis for e in events} == {basis}
    assert all(e.action == "R" and e.channel == "web" for e in events)


def test_the_person_sees_who_saw_her_on_which_list(cast, client_for):  # noqa: ANN001
    client_for("gp").get(reverse("web:caseload"))
    client_for("nurse").get(reverse("web:my_tasks"))
    page = _who_looked(client_for("person"), cast.maria)
    assert "An Claes" in page and "saw you on their caseload" in page
    assert "Sofie Van Damme" in page and "saw your tasks in their task list" in page
    assert "member of the care team" in page


def test_the_mdo_list_audits_each_person(cast, client_for):  # noqa: ANN001
    care_transition.send(sender=None, person=cast.maria, kind="care_setting", label="Ontslag uit ziekenhuis",
                         on=date.today(), actor=None, source=None)
    assert client_for("coordinator").get(reverse("consultations:organise")).status_code == 200
    events = _listed("coordinator", "consultations")
    assert [e.person_id for e in events] == [cast.maria.pk]
    assert events.get().resource_type == "Appointment"
    assert "saw your MDO among the MDOs to organise" in _who_looked(client_for("person"), cast.maria)


def test_an_emergency_opened_file_on_the_caseload_is_audited_as_emergency_access(cast, client_for):  # noqa: ANN001
    stranger = client_for("stranger")
    stranger.post(reverse("web:break_glass", args=[cast.maria.fhir_id]), {"reason": "Found unconscious at home"})
    stranger.get(reverse("web:caseload"))
    assert _listed("stranger", "caseload").get().basis == "break_glass"
