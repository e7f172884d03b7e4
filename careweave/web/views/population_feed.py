"""Zone staff start the zone's population pipeline from its dashboard (issue 20, decision 0027).

A door over one action (``fhir.start_population_feed``): the pipeline calls the FHIR door's own export,
so its action and job live in the FHIR app; the dashboard (population app) shows the run's progress.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.careplans.errors import RuleViolation
from careweave.fhir.actions import start_population_feed
from careweave.population.models import WorkIndicatorRun
from careweave.territory.models import Zone


@login_required
@require_POST
def run(request: HttpRequest, zone: str) -> HttpResponse:
    """Queue the run and go back to the dashboard, where its progress shows."""
    zone_obj = get_object_or_404(Zone, code=zone)
    try:
        result = start_population_feed(request.user, zone_obj)
    except RuleViolation as exc:
        messages.error(request, exc.text)
        return redirect(reverse("population:zone", args=[zone]) + "#care-work")
    if result.status == WorkIndicatorRun.Status.DONE:
        messages.success(request, _("The indicators were computed from the zone's care work."))
    elif result.status == WorkIndicatorRun.Status.FAILED:
        messages.error(request, _("The computation failed: %(error)s") % {"error": result.error})
    else:
        messages.info(request, _("The indicators are being computed; this page shows the progress."))
    return redirect(reverse("population:zone", args=[zone]) + "#care-work")
