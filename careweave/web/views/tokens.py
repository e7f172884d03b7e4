"""My API tokens: the user's own bearer tokens for the FHIR API, listed, created and revoked.

The secret of a new token is shown once, in the answer to the form that created it (never
stored, never in a redirect or the session). Creating and revoking are actions
(``careweave.access.actions``) that check the token is the user's own.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from careweave.access import actions
from careweave.access.models import ApiToken
from careweave.careplans.errors import RuleViolation
from careweave.web.once import saved_here


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Where you use it, e.g. \"practice software\" or \"my laptop\"."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label=gettext_lazy("Valid for (days)"),
            min_value=1,
            max_value=settings.API_TOKEN_MAX_DAYS,
            initial=settings.API_TOKEN_DAYS,
        )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; a valid POST creates one and shows its secret this once."""
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.create_api_token(request.user, name=form.cleaned_data["name"],
                                              days=form.cleaned_data["days"])
        except RuleViolation as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm()
            saved_here(request, reverse("web:api_tokens"))
    context = {
        "form": form,
        "issued": issued,
        "tokens": ApiToken.objects.filter(user=request.user),
        "default_days": settings.API_TOKEN_DAYS,
    }
    response = render(request, "web/api_tokens.html", context)
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        actions.revoke_api_token(request.user, token)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The token \"%(name)s\" is revoked: it no longer works.") % {"name": token.name})
    return redirect("web:api_tokens")
