"""An instrument asks about a recall period (PHQ-9: the last two weeks): older answers are shown as
"last time", never filled in, so Next, Finish cannot record old symptoms as today's."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - the web tests' cast and clients

from careweave.assessments import actions, engine
from careweave.assessments.models import Assessment

pytestmark = pytest.mark.django_db
SEVERAL, NEARLY_EVERY_DAY = "LA6569-3", "LA6571-9"


def completed(user, person, code: str, answers: dict, *, days_ago: int = 0) -> Assessment:  # noqa: ANN001
    assessment = actions.start_assessment(user, person, code, prefill=False)
    assessment = actions.complete_assessment(user, assessment, answers, assessment.version)
    moment = timezone.now() - timedelta(days=days_ago)
    Assessment.objects.filter(pk=assessment.pk).update(completed_at=moment, started_at=moment)
    return assessment


def phq9(code: str) -> dict[str, str]:
    return {f"phq9-{n}": code for n in range(1, 10)}


def test_every_shipped_instrument_declares_the_period_its_questions_ask_about() -> None:
    declared = {code: d.recall_days for code, d in engine.catalogue().items()}
    assert declared == {
        "phq-2": 14, "phq-9": 14, "gad-2": 14, "gad-7": 14,  # "over the last 2 weeks"
        "epds": 7,  # "in the past 7 days"
        "katz-adl": 7, "global-health": 7, "care-need-screener": 3,
        "frailty": 30, "frailty-screener": 30, "carer-strain": 30, "care-experience": 90,
        "bmi-for-age": 0,  # a measurement is of its day...
        "goal-conversation": None,  # a conversation that goes on from where it was
    }
    bmi = engine.definition("bmi-for-age")
    assert bmi.recall_for("bmi-sex") is None and bmi.recall_for("bmi-weight") == 0  # ...the sex is not


def test_an_older_phq9_is_shown_as_last_time_and_not_filled_in(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-9", phq9(NEARLY_EVERY_DAY), days_ago=35)
    url = reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])
    page = client_for("nurse").get(url).content.decode()
    assert 'data-test="prior"' not in page and not re.search(r'id="q-phq9-\d-\d" value="[^"]+" checked', page)
    assert page.count('data-test="last-time"') == 9
    assert "Nearly every day" in page and "so it is not filled in" in page

    started = actions.start_assessment(cast.nurse.user, cast.maria, "phq-9")
    assert started.answers == {} and started.reused == {}, "Next, Finish records nothing old as today's"


def test_answers_within_the_period_are_still_filled_in_with_who_and_when(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-9", phq9(NEARLY_EVERY_DAY), days_ago=35)
    recent = completed(cast.gp.user, cast.maria, "phq-2", {"phq2-1": SEVERAL, "phq2-2": SEVERAL}, days_ago=10)
    page = client_for("nurse").get(reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])).content.decode()
    assert page.count('data-test="prior"') == 2 and page.count('data-test="last-time"') == 7
    started = actions.start_assessment(cast.nurse.user, cast.maria, "phq-9")
    assert started.answers == {"phq9-1": SEVERAL, "phq9-2": SEVERAL}
    assert started.reused["phq9-1"]["from"] == str(recent.fhir_id)


def test_a_started_form_still_shows_the_older_answers_it_did_not_take_over(cast, client_for):  # noqa: F811
    completed(cast.gp.user, cast.maria, "phq-9", phq9(NEARLY_EVERY_DAY), days_ago=35)
    started = actions.start_assessment(cast.nurse.user, cast.maria, "phq-9")
    nurse = client_for("nurse", "nl")
    page = nurse.get(reverse("assessments:fill", args=[started.fhir_id])).content.decode()
    assert page.count('data-test="last-time"') == 9
    assert Assessment.objects.get(pk=started.pk).answers == {}


def test_the_recall_boundary_is_inclusive_and_lasting_facts_never_go_stale() -> None:
    phq = engine.definition("phq-9")
    today = date(2026, 3, 15)
    assert phq.is_current("phq9-1", today - timedelta(days=14), today)
    assert not phq.is_current("phq9-1", today - timedelta(days=15), today)
    bmi = engine.definition("bmi-for-age")
    assert bmi.is_current("bmi-birth-date", date(2010, 1, 1), today)
    assert not bmi.is_current("bmi-weight", today - timedelta(days=1), today)


@pytest.mark.parametrize("bad", [{"valueDuration": {"value": 2, "code": "fortnight"}}, {"valueCode": "forever"}])
def test_a_recall_period_that_cannot_be_read_refuses_the_file(bad: dict) -> None:
    questionnaire = dict(engine.definition("phq-2").questionnaire)
    questionnaire["extension"] = [e for e in questionnaire["extension"] if e["url"] != engine.EXT_RECALL] + [
        {"url": engine.EXT_RECALL, **bad}]
    with translation.override("en"), pytest.raises(engine.InstrumentError, match="recall period"):
        engine.load_definition(questionnaire)
