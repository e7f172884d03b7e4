"""Optional second factor (TOTP): set up, required at login, wrong codes refused, removal needs a code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from careweave.access.models import AuditEvent

pytestmark = pytest.mark.django_db

# The default language is Dutch: the user sees the error in Dutch.
NOT_RIGHT = "Deze code klopt niet"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("an", password="a-long-password-1", first_name="An")


def test_setting_up_a_second_factor_needs_a_code_from_the_app(client, user) -> None:
    client.force_login(user)
    page = client.get("/account/security/")
    assert page.status_code == 200 and b'data-test="2fa-off"' in page.content
    client.post("/account/security/", {"action": "start"})
    page = client.get("/account/security/")
    assert b"<svg" in page.content and b'data-test="2fa-secret"' in page.content
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False

    wrong = client.post("/account/security/", {"action": "confirm", "code": "000000"})
    assert NOT_RIGHT in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/account/security/", {"action": "confirm", "code": code_for(device)})
    assert ok.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed is True
    assert AuditEvent.objects.filter(user=user, reason="second factor enabled").exists()


def test_with_a_second_factor_no_page_opens_before_the_code(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    blocked = client.get("/tasks/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/login/code/")
    assert "next=%2Ftasks%2F" in blocked["Location"]

    wrong = client.post("/login/code/", {"code": "123456", "next": "/tasks/"})
    assert wrong.status_code == 200 and NOT_RIGHT in wrong.content.decode()
    assert client.get("/tasks/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/login/code/", {"code": code_for(device), "next": "/tasks/"})
    assert ok.status_code == 302 and ok["Location"] == "/tasks/"
    assert not client.get("/tasks/").get("Location", "").startswith("/login/code/")


def test_the_code_page_never_redirects_to_another_site(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    response = client.post("/login/code/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_switching_it_off_needs_a_valid_code(client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post("/login/code/", {"code": code_for(device)})
    device.refresh_from_db()
    refused = client.post("/account/security/", {"action": "remove", "code": "999999"})
    assert NOT_RIGHT in refused.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    # The code just used at login is not accepted twice (replay protection): use the next step's code.
    client.post("/account/security/", {"action": "remove", "code": code_for(device, offset=1)})
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_users_without_a_second_factor_are_not_bothered(client, user) -> None:
    client.force_login(user)
    response = client.get("/tasks/")
    assert not response.get("Location", "").startswith("/login/code/")
