"""Offline capture: the sync endpoint (idempotent, conflicts shown, nothing saved half, access and
CSRF as every other POST), the instrument as JSON and the service worker's headers."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - the web tests' cast and clients

from careweave.access.models import AuditEvent
from careweave.assessments import actions
from careweave.assessments.models import Assessment

pytestmark = pytest.mark.django_db

SEVERAL, NEARLY_EVERY_DAY, NOT_AT_ALL = "LA6569-3", "LA6571-9", "LA6568-5"


def sync(client: Client, body: object, **headers: str):  # noqa: ANN201
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(reverse("assessments:sync"), data, content_type="application/json", **headers)


def payload(cast, **changes: object) -> dict:  # noqa: ANN001, F811
    body = {
        "person": str(cast.maria.fhir_id),
        "client_id": str(uuid.uuid4()),
        "instrument": "phq-2",
        "version": "1.0.0",
        "base_version": None,
        "answers": {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": SEVERAL},
        "complete": True,
        "plan": str(cast.plan.fhir_id),
    }
    return body | changes


def test_a_response_sent_twice_is_one_assessment(cast, client_for):  # noqa: F811
    nurse = client_for("nurse")
    body = payload(cast)
    first = sync(nurse, body)
    assert first.status_code == 200 and first.json()["outcome"] == "created"
    again = sync(nurse, body)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assessment = Assessment.objects.get()
    assert str(assessment.client_id) == body["client_id"] and assessment.status == "completed"
    assert assessment.answers == body["answers"] and assessment.author == cast.nurse.user
    assert first.json()["result_url"] == reverse("assessments:result", args=[assessment.fhir_id])
    assert assessment.scores.get(code="total").value == 4


def test_answers_sent_screen_by_screen_then_completed_stay_one_assessment(cast, client_for):  # noqa: F811
    nurse = client_for("nurse")
    body = payload(cast, instrument="phq-9", answers={"phq9-1": SEVERAL}, complete=False)
    created = sync(nurse, body).json()
    assert created["outcome"] == "created" and created["status"] == "in-progress"
    answers = {f"phq9-{i}": SEVERAL for i in range(1, 10)} | {"phq9-10": "somewhat"}
    done = sync(nurse, body | {"answers": answers, "complete": True, "base_version": created["version"]}).json()
    assert done["outcome"] == "updated" and done["status"] == "completed"
    assert Assessment.objects.count() == 1
    assert Assessment.objects.get().scores.get(code="total").value == 9


def test_answers_made_on_an_older_version_are_a_conflict_and_overwrite_nothing(cast, client_for):  # noqa: F811
    started = actions.start_assessment(cast.nurse.user, cast.maria, "phq-9", prefill=False)
    saved = actions.save_answers(cast.nurse.user, started, {"phq9-1": SEVERAL}, started.version)
    actions.save_answers(cast.gp.user, saved, {"phq9-1": NEARLY_EVERY_DAY}, saved.version)
    body = payload(cast, instrument="phq-9", client_id=str(started.client_id), base_version=saved.version,
                   answers={"phq9-1": NOT_AT_ALL}, complete=False)
    response = sync(client_for("nurse"), body)
    assert response.status_code == 409
    data = response.json()
    assert data["outcome"] == "conflict" and "Nothing has been overwritten" in data["message"]
    assert data["conflicts"] == [{
        "linkId": "phq9-1", "label": "Little interest or pleasure in doing things",
        "mine": "Not at all", "theirs": "Nearly every day", "theirs_value": NEARLY_EVERY_DAY,
    }]
    started.refresh_from_db()
    assert started.answers == {"phq9-1": NEARLY_EVERY_DAY}
    # Keeping mine is a deliberate second send, based on the version now stored.
    again = sync(client_for("nurse"), body | {"base_version": data["version"]})
    assert again.json()["outcome"] == "updated"
    started.refresh_from_db()
    assert started.answers == {"phq9-1": NOT_AT_ALL}


def test_missing_required_answers_are_refused_in_the_users_words_and_nothing_is_saved(cast, client_for):  # noqa: F811
    response = sync(client_for("nurse"), payload(cast, answers={"phq2-1": SEVERAL}))
    assert response.status_code == 422
    data = response.json()
    assert data["problems"] == [{"linkId": "phq2-2", "code": "required",
                                 "message": "Please answer “Feeling down, depressed, or hopeless”."}]
    assert "Nothing has been sent yet" in data["error"]
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("body", [b"not json", b"[]", json.dumps({"client_id": "nope", "answers": {}})])
def test_a_request_that_cannot_be_read_is_refused_and_changes_nothing(cast, client_for, body):  # noqa: F811
    response = sync(client_for("nurse"), body)
    assert response.status_code == 400 and "could not be read" in response.json()["error"]
    assert Assessment.objects.count() == 0


def test_sync_follows_the_access_rules_and_audits_refusals(cast, client_for):  # noqa: F811
    outsider = sync(client_for("stranger"), payload(cast))
    assert outsider.status_code == 403 and "no care relationship" in outsider.json()["error"]
    welfare = sync(client_for("socialworker"), payload(cast))
    assert welfare.status_code == 403, "PHQ-2 is medical: a welfare professional cannot send it"
    assert Assessment.objects.count() == 0
    for user in (cast.stranger.user, cast.social.user):
        assert AuditEvent.objects.filter(user=user, person=cast.maria, outcome="denied").exists()
    anonymous = sync(Client(), payload(cast))
    with translation.override("nl"):  # an anonymous visitor is answered in the site's default language
        expected = translation.gettext("Log in again to send your answers. They stay on this device meanwhile.")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == expected != ""


def test_sync_needs_the_csrf_header_like_every_other_post(cast):  # noqa: F811
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="nurse"))
    assert sync(browser, payload(cast)).status_code == 403
    browser.get(reverse("assessments:new", args=[cast.maria.fhir_id, "phq-2"]))
    token = browser.cookies["csrftoken"].value
    assert sync(browser, payload(cast), HTTP_X_CSRFTOKEN=token).status_code == 200
    assert Assessment.objects.count() == 1


def test_a_carer_burden_response_stays_private_until_the_carer_shares_it(cast, client_for):  # noqa: F811
    answers = {f"carer-{i}": "yes" if i <= 8 else "no" for i in range(1, 14)}
    body = payload(cast, instrument="carer-strain", answers=answers)
    response = sync(client_for("carer"), body)
    assert response.status_code == 200
    result_url = response.json()["result_url"]
    plan_url = reverse("web:plan", args=[cast.maria.fhir_id])
    assert result_url in client_for("carer").get(plan_url).content.decode()
    assert result_url not in client_for("gp").get(plan_url).content.decode()
    assert client_for("gp").get(result_url).status_code == 403
    page = client_for("carer").get(result_url).content.decode()
    assert 'data-test="share"' in page
    version = Assessment.objects.get().version
    client_for("carer").post(reverse("assessments:share", args=[Assessment.objects.get().fhir_id]),
                             {"version": version})
    assert client_for("gp").get(result_url).status_code == 200
    assert result_url in client_for("gp").get(plan_url).content.decode()


def test_the_instrument_is_served_as_a_questionnaire_for_the_offline_form(cast, client_for):  # noqa: F811
    url = reverse("assessments:questionnaire", args=["phq-9", "1.0.0"])
    assert Client().get(url).status_code == 401
    response = client_for("nurse").get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    data = response.json()
    assert data["resourceType"] == "Questionnaire" and data["version"] == "1.0.0"
    function = next(item for item in data["item"] if item["linkId"] == "phq9-function")
    assert function["item"][0]["enableBehavior"] == "any"
    assert client_for("nurse").get(reverse("assessments:questionnaire", args=["nope", "1"])).status_code == 404


def test_the_service_worker_is_served_from_the_assessments_scope_and_never_kept_stale(client):  # noqa: ANN001
    response = client.get(reverse("assessments:service_worker"))
    assert reverse("assessments:service_worker") == "/assessments/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/assessments/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body and "caches.open" in body


def test_the_form_page_carries_what_the_offline_script_needs(cast, client_for):  # noqa: F811
    page = client_for("nurse").get(reverse("assessments:new", args=[cast.maria.fhir_id, "phq-9"])).content.decode()
    assert 'data-sync-url="/assessments/sync/"' in page
    assert 'data-definition-url="/assessments/instruments/phq-9/1.0.0/questionnaire.json"' in page
    assert f'data-person="{cast.maria.fhir_id}"' in page and f'data-plan="{cast.plan.fhir_id}"' in page
    assert "assessments/assessment.js" in page and "<script>" not in page
