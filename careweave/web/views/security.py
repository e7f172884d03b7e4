"""The user's own account security: an optional second factor, the code page after login, and the
page shown while a user name must wait after too many failed logins from one address."""

from __future__ import annotations

import math
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from careweave.access import two_factor
from careweave.access.login_throttle import request_pair_state


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("Six digits; the code changes every 30 seconds."),
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Set up, confirm or remove the second factor."""
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action == "start":
            two_factor.start_enrolment(request.user)
            return redirect("web:security")
        if form.is_valid():
            code = form.cleaned_data["code"]
            if action == "confirm" and two_factor.confirm_enrolment(request, code):
                messages.success(request, _("The second factor is on. From now on you log in with a code too."))
                return redirect("web:security")
            if action == "remove" and two_factor.remove_second_factor(request, code):
                messages.success(request, _("The second factor is off."))
                return redirect("web:security")
            form.add_error("code", _("This code is not right. Check the time on your phone and try the newest code."))
    pending = None if two_factor.has_second_factor(request.user) else two_factor.pending_device(request.user)
    context = {
        "form": form,
        "enabled": two_factor.has_second_factor(request.user),
        "pending": pending,
        "qr": two_factor.qr_svg(pending) if pending else "",
        "secret": two_factor.secret_text(pending) if pending else "",
    }
    return render(request, "web/security.html", context)


def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the app."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_login(request, form.cleaned_data["code"]):
            return redirect(next_url or "web:home")
        form.add_error("code", _("This code is not right. Check the time on your phone and try the newest code."))
    return render(request, "web/verify.html", {"form": form, "next": next_url})


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: tell the user when she may try again (429 with Retry-After)."""
    wait_until = request_pair_state(request, credentials).wait_until
    now = timezone.now()
    seconds = max(1, math.ceil((wait_until - now).total_seconds())) if wait_until else 60
    minutes = math.ceil(seconds / 60)
    when = formats.time_format(timezone.localtime(now + timedelta(seconds=seconds)))
    retry = ngettext(
        "You can try again at %(time)s, in %(minutes)d minute.",
        "You can try again at %(time)s, in %(minutes)d minutes.",
        minutes,
    ) % {"time": when, "minutes": minutes}
    response = render(request, "web/locked_out.html", {"retry": retry}, status=429)
    response["Retry-After"] = str(seconds)
    return response
