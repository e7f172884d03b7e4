"""My exports: the FHIR bulk exports the user asked for, their progress, files and a way to cancel.

The files are downloaded from the FHIR API's file URLs, which accept the logged-in session as they accept
the token the export was asked with (issue 20, decision 0026). Only the user's own exports are listed;
each control asks the permission table.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.careplans.errors import RuleViolation
from careweave.fhir import actions
from careweave.fhir.models import ExportJob


@login_required
def my_exports(request: HttpRequest) -> HttpResponse:
    exports = list(ExportJob.objects.filter(requester=request.user).exclude(status=ExportJob.Status.CANCELLED)[:50])
    context = {"exports": exports, "refresh": any(e.is_active for e in exports)}
    return render(request, "web/my_exports.html", context)


@login_required
@require_POST
def cancel_export(request: HttpRequest, key: str) -> HttpResponse:
    export = get_object_or_404(ExportJob, key=key)
    try:
        actions.cancel_bulk_export(request.user, export)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The export is cancelled and its files are removed."))
    return redirect("web:my_exports")
