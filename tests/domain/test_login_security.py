"""§4 Security: strong password hashing and brute-force protection, independent of the web views.

Failures count per pair of user name and client address, with growing delays
(``careweave.access.login_throttle``): a stranger elsewhere cannot lock out a named professional.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.db.models import F
from django.test import RequestFactory

from careweave.access.login_throttle import pair_state

pytestmark = pytest.mark.django_db

PASSWORD = "Zorg-en-welzijn 2026!"
HOME = "192.0.2.10"
STRANGER = "198.51.100.66"


def _login(username: str, password: str, ip: str = HOME) -> User | None:
    request = RequestFactory().post("/login/", {"username": username}, REMOTE_ADDR=ip)
    return authenticate(request=request, username=username, password=password)


@pytest.fixture
def nurse_account() -> User:
    return User.objects.create_user("nora", password=PASSWORD)


def test_passwords_are_hashed_with_argon2id(settings):  # noqa: ANN001
    from careweave import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the suite hashes fast (tests/conftest.py)
    nurse_account = User.objects.create_user("nora", password=PASSWORD)
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


def test_five_mistakes_from_one_address_make_that_address_wait_even_for_the_right_password(nurse_account):
    for _ in range(5):
        assert _login("nora", "wrong password") is None
    assert _login("nora", PASSWORD) is None


def test_a_stranger_failing_twenty_times_elsewhere_does_not_stop_her_logging_in(nurse_account):
    for _ in range(20):
        _login("nora", "wrong password", ip=STRANGER)
    assert _login("nora", PASSWORD, ip=STRANGER) is None, "the stranger's own address waits"
    assert _login("nora", PASSWORD, ip=HOME) == nurse_account, "her own address is not locked"


def test_the_lock_is_not_per_shared_ip(nurse_account):
    colleague = User.objects.create_user("griet", password=PASSWORD)
    for _ in range(5):
        _login("nora", "wrong password")
    assert _login("griet", PASSWORD) == colleague, "a colleague behind the same care-home IP can still log in"


def _let_time_pass(seconds: int) -> None:
    """Move the remembered failures back in time, as if the user had waited."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def _waits_until_allowed(limit_seconds: int) -> int:
    """Seconds (in steps of 10) until a wrong password is counted again, i.e. until the wait is over."""
    waited = 0
    before = pair_state("nora", HOME).failures
    while waited <= limit_seconds:
        _login("nora", "wrong password")
        if pair_state("nora", HOME).failures > before:
            return waited
        _let_time_pass(10)
        waited += 10
    raise AssertionError("still locked")


def test_each_further_failure_of_the_same_pair_doubles_the_wait(nurse_account, settings):
    settings.LOGIN_DELAY_BASE = timedelta(minutes=1)
    settings.LOGIN_DELAY_CAP = timedelta(minutes=10)
    for _ in range(5):
        _login("nora", "wrong password")
    waits = [_waits_until_allowed(3600) for _ in range(5)]
    assert waits == [60, 120, 240, 480, 600], "doubles after each further failure, up to the cap"
    assert _login("nora", PASSWORD) is None, "right after a failure the pair waits again"
    _let_time_pass(600)
    assert _login("nora", PASSWORD) == nurse_account


def test_failures_during_the_wait_do_not_make_it_longer(nurse_account):
    for _ in range(5):
        _login("nora", "wrong password")
    for _ in range(10):
        assert _login("nora", "wrong password") is None
    assert pair_state("nora", HOME).failures == 5
    _let_time_pass(61)
    assert _login("nora", PASSWORD) == nurse_account


def test_behind_a_reverse_proxy_the_client_address_comes_from_x_forwarded_for(nurse_account, settings):
    """With CAREWEAVE_PROXY_COUNT=1 every request arrives from the proxy; the lock-out still tells clients apart."""
    settings.PROXY_COUNT = 1

    def via_proxy(password: str, client: str) -> User | None:
        request = RequestFactory().post("/login/", {"username": "nora"}, REMOTE_ADDR="127.0.0.1",
                                        HTTP_X_FORWARDED_FOR=client)
        return authenticate(request=request, username="nora", password=password)

    for _ in range(20):
        via_proxy("wrong password", STRANGER)
    assert via_proxy(PASSWORD, STRANGER) is None
    assert via_proxy(PASSWORD, HOME) == nurse_account
    assert via_proxy(PASSWORD, f"{HOME}, {STRANGER}") is None, "a client cannot pick its own address"
