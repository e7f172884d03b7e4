"""A self-harm answer (PHQ-9 item 9, EPDS item 10) is an unmistakable alert with what to do now, on
the result, on the person's plan and on the coordinator's home: never the same small badge as a
moderate total. Which answers are critical, and the guidance, are data on the instrument."""

from __future__ import annotations

import pytest
from django.urls import reverse
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - the web tests' cast and clients

from careweave.access.models import AuditEvent
from careweave.assessments import actions, engine
from careweave.assessments.models import Assessment

pytestmark = pytest.mark.django_db
NOT_AT_ALL, SEVERAL, MORE_THAN_HALF = "LA6568-5", "LA6569-3", "LA6570-1"
ALERT = 'data-test="critical-alert"'


def completed(user, person, code: str, answers: dict) -> Assessment:  # noqa: ANN001
    started = actions.start_assessment(user, person, code, prefill=False)
    return actions.complete_assessment(user, started, answers, started.version)


def phq9(item9: str, others: str = SEVERAL) -> dict[str, str]:
    return {f"phq9-{n}": others for n in range(1, 9)} | {"phq9-9": item9}


def test_the_critical_items_are_declared_on_the_instruments_with_their_guidance() -> None:
    critical = {(code, item.link_id): item.critical for code, d in engine.catalogue().items()
                for item in d.answerable() if item.critical}
    assert set(critical) == {("phq-9", "phq9-9"), ("epds", "epds-10")}
    phq = critical[("phq-9", "phq9-9")]
    assert phq.min_score == 1 and "1813" in phq.guidance_text("nl") and "0800 32 123" in phq.guidance_text("fr")
    assert engine.definition("phq-9").critical_findings(phq9(NOT_AT_ALL, MORE_THAN_HALF)) == []


def test_the_result_page_shows_the_alert_with_what_to_do_now(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-9", phq9(SEVERAL))
    page = client_for("gp").get(reverse("assessments:result", args=[result.fhir_id])).content.decode()
    assert page.count(ALERT) == 1 and 'role="alert"' in page
    assert "assess the suicide risk today" in page and "do not leave the person alone" in page
    assert "Several days" in page.split(ALERT)[1]

    in_french = client_for("gp", "fr").get(reverse("assessments:result", args=[result.fhir_id])).content.decode()
    assert "0800 32 123" in in_french and "risque suicidaire" in in_french


def test_a_moderate_total_without_a_self_harm_answer_raises_no_alert(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-9", phq9(NOT_AT_ALL, MORE_THAN_HALF))  # 16: moderately severe
    page = client_for("gp").get(reverse("assessments:result", args=[result.fhir_id])).content.decode()
    assert ALERT not in page


def test_the_epds_self_harm_item_uses_the_same_alert(cast, client_for):  # noqa: F811
    answers = {f"epds-{n}": f"epds-{n}-0" for n in range(1, 10)} | {"epds-10": "epds-10-1"}  # "hardly ever"
    result = completed(cast.gp.user, cast.maria, "epds", answers)
    page = client_for("gp", "nl").get(reverse("assessments:result", args=[result.fhir_id])).content.decode()
    assert page.count(ALERT) == 1 and "1813" in page and "Zelden" in page


def test_the_plan_shows_the_alert_to_those_who_may_see_the_result_only(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-9", phq9(MORE_THAN_HALF))
    plan = reverse("web:plan", args=[cast.maria.fhir_id])
    page = client_for("gp").get(plan).content.decode()
    assert page.count(ALERT) == 1 and "assess the suicide risk today" in page
    assert page.index(ALERT) < page.index('data-test="plan-assessments"'), "at the top, not in the list"
    welfare = client_for("socialworker").get(plan)  # plan level: may not see the PHQ-9
    assert welfare.status_code == 200 and ALERT not in welfare.content.decode()
    own = client_for("person").get(plan)  # the guidance is for professionals
    assert own.status_code == 200 and ALERT not in own.content.decode()


def test_the_coordinators_home_lists_the_alert_until_a_later_result_ends_it(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-9", phq9(SEVERAL))
    home = client_for("coordinator").get(reverse("web:coordination")).content.decode()
    assert home.count(ALERT) == 1 and "Maria Peeters: an answer needs action today" in home
    assert reverse("assessments:result", args=[result.fhir_id]) in home
    assert AuditEvent.objects.filter(user=cast.coordinator.user, person=cast.maria, action="R",
                                     resource_id=str(result.fhir_id), reason="critical answer alert").exists()

    completed(cast.gp.user, cast.maria, "phq-9", phq9(NOT_AT_ALL))
    assert ALERT not in client_for("coordinator").get(reverse("web:coordination")).content.decode()
