"""Login, logout, language and the home page that sends every user to their most useful screen."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from careweave.access.audit import record_list_read
from careweave.careplans.models import CarePlan, CaseManagementRequest
from careweave.people.models import Person, Professional
from careweave.web.language import store_language
from careweave.web.roles import roles_for


def demo_accounts() -> tuple[list[dict], str]:
    """The demo's accounts for the login page, only when the demo runs (``CAREWEAVE_DEMO=1``)."""
    if not getattr(settings, "CAREWEAVE_DEMO", False):
        return [], ""
    try:
        from careweave.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    except ImportError:
        return [], ""
    return DEMO_ACCOUNTS, DEMO_PASSWORD


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context["demo_accounts"], context["demo_password"] = demo_accounts()
        return context


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, plus remembering the choice for this user on every device."""
    response = django_set_language(request)
    store_language(request, request.POST.get("language", ""))
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(roles_for(request).home_url())


@login_required
def cared_for(request: HttpRequest) -> HttpResponse:
    """An informal carer who helps several people chooses whose plan to open."""
    roles = roles_for(request)
    record_list_read(request.user, roles.cared_for, "cared_for", request=request)
    return render(request, "web/cared_for.html", {"persons": roles.cared_for, "network": roles.network})


@login_required
def admin_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied(_("This page is for administrators."))
    counts = {
        "persons": Person.objects.count(),
        "plans": CarePlan.objects.count(),
        "professionals": Professional.objects.count(),
        "open_requests": CaseManagementRequest.objects.filter(status=CaseManagementRequest.Status.OPEN).count(),
    }
    return render(request, "web/admin_home.html", {"counts": counts})


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "web/no_role.html")
