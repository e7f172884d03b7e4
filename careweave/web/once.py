"""Each rendered form is saved at most once: the one mechanism behind every create form of the web app.

A form carries a random hidden token (``{% form_token %}``, name ``form_token``). A POST with a token
runs its view inside one transaction that first claims the token (``FormSubmission``, unique per user
and token): so the claim and whatever the action wrote commit together or not at all. The view's
answer decides what is kept:

* a redirect (the POST-redirect-GET of a saved form), or a page the view marked as the result of a
  saved form (``saved_here``, e.g. a new API token's secret, shown once): the claim stays, with where it led;
* anything else (the form again with an error, a refusal page): the claim is removed, so correcting
  and sending the same form again is possible.

A second POST with the same token — sent after the first, or at the same moment (its claim waits
on the unique index until the first commits, then fails) — does not run the view: it is redirected
to where the first one led, with a message that it had already been saved.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.web.models import FormSubmission

FIELD = "form_token"
KEEP = timedelta(days=2)  # a resend comes within seconds or minutes; older claims are pruned


def saved_here(request: HttpRequest, url: str) -> None:
    """Say that this response, not a redirect, is the result of a saved form; a repeat is sent to ``url``."""
    request.form_saved_at = url  # type: ignore[attr-defined]


def new_token() -> str:
    """A fresh token for one rendered form."""
    return secrets.token_urlsafe(24)


def _already_saved(request: HttpRequest, earlier: FormSubmission) -> HttpResponse:
    messages.info(request, _("This form had already been saved; it was not saved a second time."))
    return HttpResponseRedirect(earlier.result_url or request.path)


class OnceMiddleware:
    """Runs a POST that carries a form token at most once per user and token (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        user = getattr(request, "user", None)
        if not token or user is None or not user.is_authenticated or len(token) > 64:
            return self.get_response(request)
        earlier = FormSubmission.objects.filter(user=user, token=token).first()
        if earlier is not None:
            return _already_saved(request, earlier)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(user=user, token=token)
            except IntegrityError:
                earlier = FormSubmission.objects.filter(user=user, token=token).first()
                if earlier is not None:
                    return _already_saved(request, earlier)
                raise
            response = self.get_response(request)
            redirected = response.status_code in (301, 302, 303) and response.has_header("Location")
            shown_here = getattr(request, "form_saved_at", None)
            if redirected or shown_here:
                claim.result_url = (response["Location"] if redirected else shown_here)[:500]
                claim.save(update_fields=["result_url"])
                FormSubmission.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
            else:
                claim.delete()
            return response
