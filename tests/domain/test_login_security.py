"""§4 Security: strong password hashing and brute-force protection, independent of the web views."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zorg-en-welzijn 2026!"


def _login(username: str, password: str) -> User | None:
    request = RequestFactory().post("/login/", {"username": username}, REMOTE_ADDR="192.0.2.10")
    return authenticate(request=request, username=username, password=password)


@pytest.fixture
def nurse_account() -> User:
    return User.objects.create_user("nora", password=PASSWORD)


def test_passwords_are_hashed_with_argon2id(nurse_account):
    assert make_password(PASSWORD).startswith("argon2$argon2id$")
    assert nurse_account.password.startswith("argon2$argon2id$")
    assert PASSWORD not in nurse_account.password
    assert check_password(PASSWORD, nurse_account.password)


def test_the_right_password_logs_in(nurse_account):
    assert _login("nora", PASSWORD) == nurse_account
    assert _login("nora", "wrong password") is None


def test_four_mistakes_do_not_lock_the_account(nurse_account):
    for _ in range(4):
        assert _login("nora", "wrong password") is None
    assert _login("nora", PASSWORD) == nurse_account


def test_five_mistakes_lock_the_account_even_for_the_right_password(nurse_account):
    for _ in range(5):
        assert _login("nora", "wrong password") is None
    assert _login("nora", PASSWORD) is None


def test_the_lock_is_per_username_not_per_shared_ip(nurse_account):
    colleague = User.objects.create_user("griet", password=PASSWORD)
    for _ in range(5):
        _login("nora", "wrong password")
    assert _login("griet", PASSWORD) == colleague, "a colleague behind the same care-home IP can still log in"
