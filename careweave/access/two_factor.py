"""Optional second factor: a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

Built on django-otp (devices, verification, throttling of wrong codes). A user who has set up a
second factor must enter a code after the password before any page opens; API bearer tokens are
separate credentials (the user's *My API tokens* page, ``careweave token``) and are not affected.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from careweave.access.audit import record_access


def has_second_factor(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def start_enrolment(user: AbstractBaseUser) -> TOTPDevice:
    """A fresh, unconfirmed device: it only counts once the user proves the app shows its codes."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Careweave", confirmed=False)


def pending_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app when they cannot scan the QR code."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def confirm_enrolment(request: HttpRequest, token: str) -> bool:
    """Confirm the pending device with a code from the app; the session counts as verified."""
    device = pending_device(request.user)
    if device is None or not device.verify_token(_clean(token)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record_access(
        request.user, "update", "Account", str(request.user.pk), reason="second factor enabled", request=request
    )
    return True


def verify_login(request: HttpRequest, token: str) -> bool:
    """Check a code after the password. Wrong codes are throttled by django-otp."""
    for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
        if device.verify_token(_clean(token)):
            otp_login(request, device)
            return True
    return False


def remove_second_factor(request: HttpRequest, token: str) -> bool:
    """Switching it off needs a valid code, so a stolen session cannot silently remove it."""
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not any(device.verify_token(_clean(token)) for device in devices):
        return False
    TOTPDevice.objects.filter(user=request.user).delete()
    record_access(
        request.user, "update", "Account", str(request.user.pk), reason="second factor removed", request=request
    )
    return True


def _clean(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())


class SecondFactorMiddleware:
    """Until the code is given, a user with a second factor only reaches the code page and logout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request.path)
            and has_second_factor(user)
        ):
            return redirect(f"{reverse('web:verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (reverse("web:verify"), reverse("web:logout"), "/static/", "/i18n/")
        return path.startswith(allowed)
