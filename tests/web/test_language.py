"""Four languages on every page, remembered per user (not per browser); dates in the user's locale."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careweave.web.models import UserPreference
from web.scenario import PASSWORD

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:  # noqa: ANN001
    return re.search(r'<html lang="([a-z-]+)"', response.content.decode()).group(1)


def login(client: Client, username: str) -> None:
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "login failed"


def test_the_switch_is_on_every_page_including_login(cast, client_for):
    for page in (reverse("web:login"),):
        assert 'name="language" value="de"' in Client().get(page).content.decode()
    gp = client_for("gp")
    for page in (reverse("web:caseload"), reverse("web:my_tasks"), reverse("web:plan", args=[cast.maria.fhir_id])):
        body = gp.get(page).content.decode()
        for code in ("nl", "fr", "de", "en"):
            assert f'name="language" value="{code}"' in body


def test_the_chosen_language_is_remembered_for_the_user_on_another_device(cast):
    laptop = Client()
    login(laptop, "gp")
    response = laptop.post(reverse("web:set_language"), {"language": "fr", "next": reverse("web:caseload")})
    assert response.status_code == 302
    assert html_lang(laptop.get(reverse("web:caseload"))) == "fr"
    assert UserPreference.objects.get(user=cast.gp.user).language == "fr"

    phone = Client(HTTP_ACCEPT_LANGUAGE="de")
    login(phone, "gp")
    assert html_lang(phone.get(reverse("web:caseload"))) == "fr"


def test_the_next_user_on_a_shared_computer_gets_their_own_language(cast):
    shared = Client()
    login(shared, "gp")
    shared.post(reverse("web:set_language"), {"language": "de", "next": "/"})
    shared.post(reverse("web:logout"))
    login(shared, "louis")  # Louis's own language is French
    assert html_lang(shared.get(reverse("web:plan", args=[cast.louis.fhir_id]))) == "fr"


def test_a_person_without_a_choice_reads_their_own_language(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(client, "person")
    assert html_lang(client.get(reverse("web:plan", args=[cast.maria.fhir_id]))) == "nl"


def test_dates_follow_the_users_locale(cast, client_for):
    cast.plan.review_date = cast.plan.review_date.replace(year=2027, month=3, day=5)
    cast.plan.save()
    url = reverse("web:plan", args=[cast.maria.fhir_id])
    expected = {"nl": "5 maart 2027", "fr": "5 mars 2027", "de": "5. März 2027", "en": "5 March 2027"}
    for language, text in expected.items():
        body = client_for("gp", language).get(url).content.decode()
        review = re.search(r'data-test="review-date">(.*?)<', body).group(1)
        assert review.strip() == text, language


def test_an_unknown_language_is_ignored(cast, client_for):
    client = client_for("gp")
    client.post(reverse("web:set_language"), {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=cast.gp.user).exists()
    assert html_lang(client.get(reverse("web:caseload"))) == "en"
