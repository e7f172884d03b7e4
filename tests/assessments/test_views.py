"""The assessment pages: access (audited), the form screen by screen without JavaScript, bad input,
the result with its trend, the professional's judgement and a goal from a score."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - the web tests' cast and clients

from careweave.access.models import AuditEvent
from careweave.assessments import actions
from careweave.assessments.models import Assessment
from careweave.careplans.models import Goal

pytestmark = pytest.mark.django_db

NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY_EVERY_DAY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"


def phq2(first: str = MORE_THAN_HALF, second: str = SEVERAL) -> dict[str, str]:
    return {"phq2-1": first, "phq2-2": second}


def phq9(code: str = SEVERAL) -> dict[str, str]:
    return {f"phq9-{i}": code for i in range(1, 10)}


def completed(user, person, code: str, answers: dict, *, days_ago: int = 0) -> Assessment:  # noqa: ANN001
    assessment = actions.start_assessment(user, person, code, prefill=False)
    assessment = actions.complete_assessment(user, assessment, answers, assessment.version)
    if days_ago:
        moment = timezone.now() - timedelta(days=days_ago)
        Assessment.objects.filter(pk=assessment.pk).update(completed_at=moment, started_at=moment)
        assessment.refresh_from_db()
    return assessment


def version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def post_screen(client, url: str, answers: dict, step: str, **extra: str):  # noqa: ANN001, ANN201
    data = {f"q-{k}": v for k, v in answers.items()} | {"step": step} | extra
    return client.post(url, data)


# --- access ----------------------------------------------------------------------------------------


def test_the_plan_lists_the_latest_result_per_instrument_that_the_viewer_may_see(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-2", phq2(NOT_AT_ALL, NOT_AT_ALL), days_ago=60)
    latest = completed(cast.gp.user, cast.maria, "phq-2", phq2(NEARLY_EVERY_DAY, SEVERAL))
    plan_url = reverse("web:plan", args=[cast.maria.fhir_id])

    page = client_for("gp").get(plan_url).content.decode()
    section = page[page.index('id="assessments"'):page.index('id="who-does-what"')]
    assert section.count('data-test="assessment-row"') == 1, "one row per instrument: the latest"
    assert reverse("assessments:result", args=[latest.fhir_id]) in section
    assert re.search(r'data-test="score-value">4<', section), "the latest total (3 + 1)"

    welfare = client_for("socialworker").get(plan_url).content.decode()
    assert "PHQ-2" not in welfare and reverse("assessments:result", args=[latest.fhir_id]) not in welfare


def test_a_welfare_professional_is_refused_a_medical_result_and_the_refusal_is_audited(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-2", phq2())
    response = client_for("socialworker").get(reverse("assessments:result", args=[result.fhir_id]))
    assert response.status_code == 403
    denied = AuditEvent.objects.filter(user=cast.social.user, person=cast.maria, outcome="denied",
                                       resource_type="QuestionnaireResponse")
    assert denied.filter(resource_id=str(result.fhir_id)).exists()
    # Nor can they start a medical instrument for her, and that refusal is audited too.
    response = client_for("socialworker").get(reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"]))
    assert response.status_code == 403
    assert denied.count() == 2
    # The list of instruments offered to them holds no medical one.
    page = client_for("socialworker").get(reverse("assessments:person", args=[cast.maria.fhir_id])).content.decode()
    assert 'data-test="start-phq-2"' not in page and 'data-test="start-phq-9"' not in page


def test_an_outsider_is_refused_everything_and_every_look_is_audited(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-2", phq2())
    stranger = client_for("stranger")
    urls = [
        reverse("assessments:person", args=[cast.maria.fhir_id]),
        reverse("assessments:new", args=[cast.maria.fhir_id, "phq-2"]),
        reverse("assessments:result", args=[result.fhir_id]),
    ]
    for url in urls:
        assert stranger.get(url).status_code == 403, url
    response = stranger.post(reverse("assessments:judgement", args=[result.fhir_id]), {"reason": "x", "version": 9})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(user=cast.stranger.user, person=cast.maria, outcome="denied").count() == 4
    result.refresh_from_db()
    assert not result.judgement_differs


def test_reading_a_result_is_audited_as_a_read_of_that_response(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-2", phq2())
    assert client_for("nurse").get(reverse("assessments:result", args=[result.fhir_id])).status_code == 200
    assert AuditEvent.objects.filter(user=cast.nurse.user, action="R", resource_id=str(result.fhir_id),
                                     outcome="success").count() == 1


# --- the form without JavaScript -------------------------------------------------------------------


def test_a_professional_fills_in_the_phq9_screen_by_screen_and_sees_the_result(cast, client_for):  # noqa: F811
    gp = client_for("gp")
    new_url = reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])
    page = gp.get(new_url).content.decode()
    assert "Screen 1 of 1" in page and "novalidate" in page, "the second screen only applies once a problem is checked"
    assert Assessment.objects.count() == 0, "opening a form creates nothing"

    response = post_screen(gp, new_url, phq9(MORE_THAN_HALF), "next:0")
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:fill", args=[assessment.fhir_id]) + "?s=1"
    assert assessment.status == "in-progress" and assessment.answers == phq9(MORE_THAN_HALF)
    assert assessment.plan == cast.plan

    page = gp.get(response["Location"]).content.decode()
    assert "Screen 2 of 2" in page
    assert re.search(r'id="q-phq9-10"[^>]*data-link-id', page) and 'id="q-phq9-10"' in page
    assert not re.search(r'<fieldset[^>]*id="q-phq9-10"[^>]*hidden', page), "enabled: problems were checked off"

    response = post_screen(gp, reverse("assessments:fill", args=[assessment.fhir_id]), {"phq9-10": "somewhat"},
                           "finish:1", version=version_in(page))
    assessment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:result", args=[assessment.fhir_id])
    assert assessment.status == "completed" and assessment.scores.get(code="total").value == 18

    result = gp.get(response["Location"]).content.decode()
    assert re.search(r'data-test="score-value">18<', result)
    assert "Moderately severe" in result or "moderately severe" in result


def test_the_question_that_depends_on_an_answer_is_left_out_when_it_does_not_apply(cast, client_for):  # noqa: F811
    gp = client_for("gp")
    new_url = reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])
    response = post_screen(gp, new_url, phq9(NOT_AT_ALL), "next:0")
    assessment = Assessment.objects.get()
    # Nothing checked off: the "how difficult" screen does not apply, so this screen is the last one.
    assert response["Location"].endswith("?s=0")
    page = gp.get(response["Location"]).content.decode()
    assert re.search(r'<fieldset[^>]*id="q-phq9-10"[^>]*hidden', page)
    response = post_screen(gp, reverse("assessments:fill", args=[assessment.fhir_id]), phq9(NOT_AT_ALL), "finish:0",
                           version=version_in(page))
    assessment.refresh_from_db()
    assert assessment.status == "completed" and "phq9-10" not in assessment.answers


def test_missing_required_answers_are_refused_with_a_clear_message_and_nothing_is_saved(cast, client_for):  # noqa: F811
    gp = client_for("gp")
    new_url = reverse("assessments:new", args=[cast.maria.fhir_id, "phq-2"])
    response = post_screen(gp, new_url, {"phq2-1": SEVERAL}, "finish:0")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please answer “Feeling down, depressed, or hopeless”." in page
    assert 'data-test="problems"' in page and "Nothing has been saved yet." in page
    assert re.search(rf'value="{SEVERAL}" checked', page), "what was given stays in the form"
    assert Assessment.objects.count() == 0


def test_an_answer_out_of_the_options_or_of_the_wrong_type_is_refused(cast, client_for):  # noqa: F811
    gp = client_for("gp")
    new_url = reverse("assessments:new", args=[cast.maria.fhir_id, "phq-2"])
    response = post_screen(gp, new_url, {"phq2-1": "LA9999-9", "phq2-2": SEVERAL}, "finish:0")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Assessment.objects.count() == 0


def test_a_stale_version_shows_what_changed_meanwhile_and_overwrites_nothing(cast, client_for):  # noqa: F811
    assessment = actions.start_assessment(cast.gp.user, cast.maria, "phq-9", prefill=False)
    seen = assessment.version
    actions.save_answers(cast.nurse.user, assessment, {"phq9-1": NEARLY_EVERY_DAY}, seen)
    response = post_screen(client_for("gp"), reverse("assessments:fill", args=[assessment.fhir_id]),
                           {"phq9-1": NOT_AT_ALL}, "next:0", version=str(seen))
    page = response.content.decode()
    assert response.status_code == 409 and "Changed meanwhile" in page
    assert "Nearly every day" in page and "Not at all" in page
    assessment.refresh_from_db()
    assert assessment.answers == {"phq9-1": NEARLY_EVERY_DAY}


def test_earlier_answers_are_offered_with_when_and_by_whom(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-2", phq2(MORE_THAN_HALF, SEVERAL))
    page = client_for("nurse").get(reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])).content.decode()
    assert page.count('data-test="prior"') == 2
    assert "by An Claes" in page and "still right?" in page
    assert re.search(rf'id="q-phq9-1-\d" value="{MORE_THAN_HALF}" checked', page)


# --- the result ----------------------------------------------------------------------------------------


def test_the_result_shows_the_trend_over_earlier_assessments_as_a_plot(cast, client_for):  # noqa: F811
    for days, code in ((120, NEARLY_EVERY_DAY), (60, MORE_THAN_HALF)):
        completed(cast.gp.user, cast.maria, "phq-9", phq9(code) | {"phq9-10": "very"}, days_ago=days)
    latest = completed(cast.gp.user, cast.maria, "phq-9", phq9(SEVERAL) | {"phq9-10": "somewhat"})
    page = client_for("gp").get(reverse("assessments:result", args=[latest.fhir_id])).content.decode()
    plot = re.search(r'<polyline[^>]*points="([^"]+)"', page)
    assert plot and len(plot.group(1).split()) == 3
    ys = [float(p.split(",")[1]) for p in plot.group(1).split()]
    assert ys[0] < ys[1] < ys[2], "27, 18, 9: the line goes down (SVG y grows downwards)"
    assert "style=" not in page
    assert "27 on" in page and "9 on" in page, "the plot's description reads the values"


def test_a_positive_screen_proposes_the_longer_instrument(cast, client_for):  # noqa: F811
    positive = completed(cast.gp.user, cast.maria, "phq-2", phq2(NEARLY_EVERY_DAY, NEARLY_EVERY_DAY))
    page = client_for("gp").get(reverse("assessments:result", args=[positive.fhir_id])).content.decode()
    assert 'data-test="follow-up"' in page
    assert reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"]) in page
    negative = completed(cast.gp.user, cast.maria, "phq-2", phq2(NOT_AT_ALL, SEVERAL))
    page = client_for("gp").get(reverse("assessments:result", args=[negative.fhir_id])).content.decode()
    assert 'data-test="follow-up"' not in page


def test_the_professional_records_that_the_score_differs_from_their_judgement(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-2", phq2())
    url = reverse("assessments:judgement", args=[result.fhir_id])
    response = client_for("gp").post(url, {"reason": "", "version": result.version})
    assert response.status_code == 400 and "Write down why your judgement differs" in response.content.decode()
    response = client_for("gp").post(url, {"reason": "Rouwt om haar broer, geen depressie", "version": result.version})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.judgement_differs and result.judgement_reason == "Rouwt om haar broer, geen depressie"
    assert result.scores.get(code="total").value == 3, "the score itself is not changed"
    page = client_for("nurse").get(reverse("assessments:result", args=[result.fhir_id])).content.decode()
    assert "Rouwt om haar broer" in page
    stale = client_for("nurse").post(url, {"reason": "Anders", "version": result.version - 1})
    assert stale.status_code == 409
    result.refresh_from_db()
    assert result.judgement_reason == "Rouwt om haar broer, geen depressie"


def test_a_result_becomes_a_goal_in_the_plan(cast, client_for):  # noqa: F811
    result = completed(cast.gp.user, cast.maria, "phq-9", phq9(MORE_THAN_HALF) | {"phq9-10": "very"})
    response = client_for("gp").post(reverse("assessments:goal", args=[result.fhir_id]),
                                     {"text": "Somberheid verminderen met begeleiding"})
    goal = Goal.objects.get(description="Somberheid verminderen met begeleiding")
    assert response["Location"] == reverse("web:plan", args=[cast.maria.fhir_id]) + f"#goal-{goal.pk}"
    assert goal.plan == cast.plan and goal.is_medical


def test_the_instruments_offered_are_staged_and_follow_who_is_asking(cast, client_for):  # noqa: F811
    url = reverse("assessments:person", args=[cast.maria.fhir_id])
    gp = client_for("gp").get(url).content.decode()
    screens, rest = gp.split("Questionnaires and instruments", 1)
    assert 'data-test="start-phq-2"' in screens and 'data-test="start-phq-9"' not in screens
    later = rest[rest.index("Longer instruments"):]
    assert 'data-test="start-phq-9"' in later and 'data-test="start-gad-7"' in later
    assert 'data-test="start-bmi-for-age"' in gp and 'data-test="start-carer-strain"' not in gp
    carer = client_for("carer").get(url).content.decode()
    assert 'data-test="start-carer-strain"' in carer, "the informal carer's own questionnaire"
    assert 'data-test="start-phq-2"' not in carer, "no medical instrument without full access"
    person = client_for("person").get(url).content.decode()
    assert 'data-test="start-phq-9"' in person and 'data-test="start-bmi-for-age"' not in person


def test_the_plan_page_does_not_need_more_queries_for_more_assessments(cast, client_for):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan_url = reverse("web:plan", args=[cast.maria.fhir_id])
    gp = client_for("gp")
    completed(cast.gp.user, cast.maria, "phq-2", phq2())
    gp.get(plan_url)
    with CaptureQueriesContext(connection) as few:
        gp.get(plan_url)
    for code, answers in (("phq-2", phq2()), ("phq-9", phq9()), ("phq-9", phq9(NOT_AT_ALL))):
        completed(cast.gp.user, cast.maria, code, answers)
    with CaptureQueriesContext(connection) as more:
        gp.get(plan_url)
    assert len(more) <= len(few) + 1, f"{len(few)} queries grew to {len(more)}"


def test_the_goal_conversation_proposes_a_goal_in_the_persons_own_words(cast, client_for):  # noqa: F811
    guide = completed(cast.maria.user, cast.maria, "goal-conversation",
                      {"goal-matters": "Zelf naar de markt wandelen", "goal-energy": "Mijn kleinkinderen"})
    page = client_for("person").get(reverse("assessments:result", args=[guide.fhir_id])).content.decode()
    assert 'value="Zelf naar de markt wandelen"' in page
    assert "has no score" in page and 'data-test="judgement-submit"' not in page, "the person records no judgement"
