"""My API tokens (#17.10): the user lists, creates and revokes her own tokens; a password change
through a page revokes them all."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from careweave.access.actions import create_api_token
from careweave.access.models import ApiToken, AuditEvent
from web.scenario import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = reverse("web:api_tokens")


def _secret(html: str) -> str:
    match = re.search(r'data-test="token-secret">(cw_[^<]+)<', html)
    assert match, "the new token is shown"
    return match.group(1)


def test_the_user_menu_links_to_the_page(cast, client_for):
    home = client_for("gp").get(reverse("web:my_tasks"))
    assert f'href="{PAGE}"' in home.content.decode()


def test_creating_a_token_shows_its_secret_once_and_lists_it_without_it(cast, client_for):
    client = client_for("gp")
    created = client.post(PAGE, {"name": "Practice software", "days": "30"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    page = created.content.decode()
    secret = _secret(page)
    assert "it is shown only this once" in page
    token = ApiToken.objects.get(user=cast.gp.user)
    assert token.name == "Practice software" and token.digest == ApiToken.hash(secret)
    assert (token.expires_at - token.created_at).days == 30
    listing = client.get(PAGE).content.decode()
    assert "Practice software" in listing and token.prefix in listing
    assert secret not in listing, "never the secret after creation"
    assert 'data-label="Last used">never<' in listing
    assert ApiToken.authenticate(secret) == cast.gp.user
    assert 'data-label="Last used">never<' not in client.get(PAGE).content.decode(), "the last use is shown"
    assert AuditEvent.objects.filter(user=cast.gp.user, resource_type="Account", action="C").count() == 1


def test_the_page_lists_only_the_users_own_tokens(cast, client_for):
    create_api_token(cast.nurse.user, name="Nurse's ward tablet")
    create_api_token(cast.gp.user, name="GP desk")
    page = client_for("gp").get(PAGE).content.decode()
    assert "GP desk" in page and "ward tablet" not in page


def test_bad_input_shows_an_error_and_creates_nothing(cast, client_for, settings):
    client = client_for("gp")
    for data in ({"name": "", "days": "30"}, {"name": "x", "days": str(settings.API_TOKEN_MAX_DAYS + 1)}):
        response = client.post(PAGE, data)
        assert response.status_code == 200
        assert "Please check the fields marked below." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(cast, client_for):
    issued = create_api_token(cast.gp.user, name="Old laptop")
    client = client_for("gp")
    response = client.post(reverse("web:revoke_api_token", args=[issued.token.pk]), follow=True)
    assert 'The token "Old laptop" is revoked' in html.unescape(response.content.decode())
    assert ApiToken.authenticate(issued.secret) is None
    assert "revoked" in client.get(PAGE).content.decode()


def test_nobody_revokes_someone_elses_token(cast, client_for):
    issued = create_api_token(cast.nurse.user, name="Ward")
    response = client_for("gp").post(reverse("web:revoke_api_token", args=[issued.token.pk]), follow=True)
    assert "You can only manage your own API tokens." in response.content.decode()
    assert ApiToken.authenticate(issued.secret) == cast.nurse.user


def test_a_password_change_on_the_admin_pages_revokes_the_tokens(cast, client_for):
    secret = create_api_token(cast.gp.user, name="Desk").secret
    admin = client_for("admin")
    url = reverse("admin:auth_user_password_change", args=[cast.gp.user.pk])
    response = admin.post(url, {"password1": "Een nieuw wachtwoord 42", "password2": "Een nieuw wachtwoord 42",
                                "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ApiToken.authenticate(secret) is None
    assert AuditEvent.objects.filter(user=cast.admin, resource_type="Account", reason__contains="password changed")


def test_changing_ones_own_password_revokes_ones_tokens(cast):
    admin = User.objects.get(username="admin")
    secret = create_api_token(admin, name="Scripts").secret
    client = Client()
    assert client.post(reverse("web:login"), {"username": "admin", "password": PASSWORD}).status_code == 302
    new = "Een nieuw wachtwoord 42"
    response = client.post(reverse("admin:password_change"),
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ApiToken.authenticate(secret) is None
