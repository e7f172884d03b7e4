"""The zone's central contact point (meldpunt): requests for case management, and the registry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access, record_list_read
from careweave.careplans import actions
from careweave.careplans.actions.coordination import caseload
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CaseManagementRequest, TrainingRecord
from careweave.territory.models import Zone
from careweave.web.forms.base import add_rule_error
from careweave.web.forms.coordination import AppointForm, DeclineRequestForm, TrainingForm
from careweave.web.roles import roles_for


def _zones(request: HttpRequest) -> list[Zone]:
    zones = [r.zone for r in roles_for(request).zone_roles]
    if not zones:
        raise PermissionDenied(_("This page is for the staff of a primary-care zone."))
    return list(dict.fromkeys(zones))


def case_managers(zone: Zone | None) -> list[dict]:
    """Trained case managers of the zone with their caseload, the least loaded first."""
    rows = []
    for record in TrainingRecord.objects.filter(
        zone=zone, function=TrainingRecord.Function.CASE_MANAGER, active=True
    ).select_related("professional"):
        load = caseload(record.professional)
        rows.append(
            {
                "professional": record.professional,
                "capacity": record.capacity,
                "caseload": load,
                "full": load >= record.capacity,
            }
        )
    return sorted(rows, key=lambda r: (r["full"], r["caseload"] / max(r["capacity"], 1)))


@login_required
def zone(request: HttpRequest) -> HttpResponse:
    zones = _zones(request)
    open_requests = (
        CaseManagementRequest.objects.filter(zone__in=zones, status=CaseManagementRequest.Status.OPEN)
        .select_related("person", "zone")
        .order_by("created_at")
    )
    decided = (
        CaseManagementRequest.objects.filter(zone__in=zones)
        .exclude(status=CaseManagementRequest.Status.OPEN)
        .select_related("person", "zone")
        .order_by("-decided_at")[:10]
    )
    now = timezone.now()
    for request_ in open_requests:
        request_.waiting_days = (now - request_.created_at).days
    shown = [r.person for r in (*open_requests, *decided)]
    record_list_read(
        request.user, shown, "zone_requests", resource_type="ServiceRequest", basis="zone", request=request
    )
    context = {"zones": zones, "open_requests": open_requests, "decided": decided}
    return render(request, "web/zone.html", context)


@login_required
def zone_request(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: appoint a trained case manager (capacity shown) or decline with a reason."""
    zones = _zones(request)
    cm_request = get_object_or_404(
        CaseManagementRequest.objects.select_related("person", "zone"), pk=pk, zone__in=zones
    )
    if request.method == "GET":
        record_access(
            request.user,
            "read",
            "ServiceRequest",
            str(cm_request.pk),
            person=cm_request.person,
            request=request,
            basis="zone",
        )
    appoint = AppointForm(request.POST if request.POST.get("do") == "appoint" else None, zone=cm_request.zone)
    decline = DeclineRequestForm(request.POST if request.POST.get("do") == "decline" else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "appoint" and appoint.is_valid():
                episode = actions.appoint_case_manager(
                    request.user, cm_request, appoint.cleaned_data["case_manager"], appoint.cleaned_data["note"]
                )
                messages.success(
                    request,
                    _("%(cm)s is now case manager of %(person)s.")
                    % {"cm": episode.case_manager, "person": cm_request.person},
                )
                return redirect("web:zone")
            if request.POST.get("do") == "decline" and decline.is_valid():
                actions.decline_case_management(request.user, cm_request, decline.cleaned_data["note"])
                messages.success(request, _("The request has been declined; the reporter can read why."))
                return redirect("web:zone")
        except RuleViolation as exc:
            target = appoint if request.POST.get("do") == "appoint" else decline
            add_rule_error(
                target,
                exc,
                {
                    "case_manager_capacity": "case_manager",
                    "case_manager_trained": "case_manager",
                    "case_manager_not_in_team": "case_manager",
                    "decline_reason": "note",
                },
            )
    context = {
        "r": cm_request,
        "appoint": appoint,
        "decline": decline,
        "case_managers": case_managers(cm_request.zone),
        "history": CaseManagementRequest.objects.filter(person=cm_request.person).exclude(pk=cm_request.pk),
        "active": actions.active_case_management(cm_request.person),
    }
    return render(request, "web/zone_request.html", context)


@login_required
def zone_registry(request: HttpRequest) -> HttpResponse:
    """The registry of trained coordinators and case managers, with capacity and current caseload."""
    zones = _zones(request)
    zone_ = zones[0]
    if request.GET.get("zone"):
        zone_ = next((z for z in zones if str(z.pk) == request.GET["zone"]), zone_)
    form = TrainingForm(request.POST or None, zone=zone_)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_training(request.user, zone=zone_, **form.cleaned_data)
        except RuleViolation as exc:
            add_rule_error(form, exc, {"capacity": "capacity"})
        else:
            messages.success(request, _("The registry has been updated."))
            return redirect("web:zone_registry")
    rows = actions.zone_capacity(zone_)
    for row in rows:
        row["full"] = row["caseload"] >= row["capacity"]
    rows.sort(key=lambda r: (r["record"].function, str(r["record"].professional)))
    context = {"zones": zones, "zone": zone_, "rows": rows, "form": form}
    return render(request, "web/zone_registry.html", context)
