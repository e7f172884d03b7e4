"""Fixtures for the web tests: the shared cast, and logged-in clients per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from careweave.web.language import SESSION_KEY
from web.scenario import Cast, build_cast


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # noqa: ANN001
    """Argon2 is deliberately slow; the tests log in many times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db, fast_hashing) -> Cast:  # noqa: ANN001
    return build_cast()


@pytest.fixture
def client_for(cast) -> Callable[[str], Client]:  # noqa: ANN001
    """A client logged in as the named user, without the login form, reading English unless told otherwise.

    Tests assert the English msgids; the language tests switch explicitly.
    """

    def make(username: str, language: str = "en") -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.session
        session[SESSION_KEY] = language
        session.save()
        return client

    return make
