"""A form sent twice saves once (issue 18, item 3): a double click, a resend, two tabs of one rendered form."""

from __future__ import annotations

import contextlib
import re
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from careweave.careplans.models import Agreement, Goal, JournalEntry, LifeGoal, Task
from careweave.web.forms.plan import PERSON_CHOICE
from careweave.web.language import SESSION_KEY
from careweave.web.models import FormSubmission

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _token(client: Client, url: str) -> str:
    """The token of the form as the page renders it (what the browser sends back)."""
    return TOKEN.search(client.get(url).content.decode()).group(1)


CREATE_FORMS = {
    "agreement_add": (Agreement, {"text": "We bellen elke maandag"}),
    "life_goal_add": (LifeGoal, {"text": "Terug kunnen fietsen"}),
    "goal_add": (Goal, {"description": "Elke dag buiten", "kind": "care", "domain": "daily_living", "life_goal": ""}),
    "task_add": (Task, {"description": "Rollator bestellen", "assignee": PERSON_CHOICE}),
    "journal": (JournalEntry, {"text": "Goed geslapen", "origin": "plan"}),
}


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_create_form_sent_twice_creates_one_record(cast, client_for, name):
    model, data = CREATE_FORMS[name]
    gp = client_for("gp")
    url = reverse(f"web:{name}", args=[cast.maria.fhir_id])
    data = dict(data, form_token=_token(gp, url))
    before = model.objects.count()

    first = gp.post(url, data)
    assert first.status_code == 302
    second = gp.post(url, data, follow=True)

    assert model.objects.count() == before + 1
    assert second.redirect_chain[0][0] == first["Location"], "the repeat lands where the first one did"
    assert "This form had already been saved" in second.content.decode()
    fresh = dict(data, form_token=_token(gp, url))
    assert gp.post(url, fresh).status_code == 302
    assert model.objects.count() == before + 2, "a newly rendered form saves again"


def test_a_form_refused_with_an_error_can_be_corrected_and_sent_again(cast, client_for):
    gp = client_for("gp")
    url = reverse("web:agreement_add", args=[cast.maria.fhir_id])
    token = _token(gp, url)
    assert gp.post(url, {"text": "", "form_token": token}).status_code == 200
    assert gp.post(url, {"text": "Afspraak", "form_token": token}).status_code == 302
    assert Agreement.objects.filter(text="Afspraak").count() == 1
    assert FormSubmission.objects.count() == 1


def test_another_users_token_is_not_theirs(cast, client_for):
    url = reverse("web:agreement_add", args=[cast.maria.fhir_id])
    token = _token(client_for("gp"), url)
    client_for("gp").post(url, {"text": "Van de huisarts", "form_token": token})
    client_for("nurse").post(url, {"text": "Van de verpleegkundige", "form_token": token})
    assert Agreement.objects.filter(text__startswith="Van de").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_create_one_goal(fast_hashing):  # noqa: ANN001
    from web.scenario import build_cast

    cast = build_cast()
    url = reverse("web:goal_add", args=[cast.maria.fhir_id])
    user = User.objects.get(username="gp")
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    data = {"description": "Samen op tijd", "kind": "care", "domain": "daily_living", "life_goal": "",
            "form_token": _token(client, url)}
    cookies = client.cookies
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    # SQLite's shared in-memory test database fails a concurrent writer at once instead of waiting (a
    # real SQLite file waits on its busy timeout, PostgreSQL on the unique index), so there they take turns.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def send() -> None:
        try:
            browser = Client()
            browser.cookies = cookies
            barrier.wait()
            with turns:
                statuses.append(browser.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Goal.objects.filter(description="Samen op tijd").count() == 1


def test_an_api_token_form_sent_twice_issues_one_token(cast, client_for):
    """The secret is shown on the answer itself (no redirect); a repeat issues no second token."""
    from careweave.access.models import ApiToken

    gp = client_for("gp")
    url = reverse("web:api_tokens")
    data = {"name": "Praktijksoftware", "days": "30", "form_token": _token(gp, url)}
    assert gp.post(url, data).status_code == 200
    again = gp.post(url, data, follow=True)
    assert ApiToken.objects.filter(user__username="gp", name="Praktijksoftware").count() == 1
    assert "This form had already been saved" in again.content.decode()
