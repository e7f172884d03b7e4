"""The web tests' cast (Maria's team), with English readers by default and locmem e-mail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from web.scenario import Cast, build_cast

from careweave.web.language import SESSION_KEY


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sending runs inline, whatever the environment chose; the worker tests switch to the database queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


@pytest.fixture
def cast(db, fast_hashing) -> Cast:  # noqa: ANN001
    return build_cast()


@pytest.fixture
def user(cast) -> Callable[[str], User]:  # noqa: ANN001
    return lambda name: User.objects.get(username=name)


@pytest.fixture
def client_for(cast) -> Callable[..., Client]:  # noqa: ANN001
    def make(username: str, language: str = "en") -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.session
        session[SESSION_KEY] = language
        session.save()
        return client

    return make
