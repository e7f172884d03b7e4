"""Social-map pages: search with a map, a service, the provider's own entry, referrals in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.audit import record_access, record_list_read
from careweave.access.decisions import Decision, decide
from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person
from careweave.territory import actions
from careweave.territory.forms import WEEKDAYS, AnswerForm, ReferralForm, SearchForm, ServiceForm
from careweave.territory.geo import postal_code_centroid
from careweave.territory.models import Referral, Service
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import get_person_or_refuse, person_view, refused
from careweave.web.forms.base import add_rule_error
from careweave.web.middleware import CSP

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


def map_settings() -> dict[str, str]:
    """Tile server and attribution (settings ``CAREWEAVE_MAP_TILES``/``CAREWEAVE_MAP_ATTRIBUTION``; empty: no tiles)."""
    return {"tiles": getattr(settings, "CAREWEAVE_MAP_TILES", TILES),
            "attribution": getattr(settings, "CAREWEAVE_MAP_ATTRIBUTION", ATTRIBUTION)}


def _with_tiles_csp(response: HttpResponse, tiles: str) -> HttpResponse:
    """The strict CSP, plus the tile server's origin for images."""
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        origin = f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in tiles else parts.netloc}"
        response["Content-Security-Policy"] = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
    return response


def _marker(hit: actions.Hit) -> dict:
    s = hit.service
    return {"name": s.name, "lat": s.location.latitude, "lon": s.location.longitude,
            "url": reverse("territory:service", args=[s.fhir_id]), "discipline": str(s.get_discipline_display()),
            "distance": None if hit.distance_km is None else round(hit.distance_km, 1)}


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search the social map: filters, the list nearest first, and the same results on a map."""
    own_zone = request.user.zone_roles.select_related("zone").first()  # coordinators know their own region
    form = SearchForm(request.GET or None, initial={"zone": own_zone.zone.code} if own_zone else {})
    person = None
    hits: list[actions.Hit] = []
    searched = False
    status = 200
    if request.GET.get("person"):
        try:
            person, _decision = get_person_or_refuse(request, request.GET["person"], resource_type="Patient")
        except AccessRefused as exc:
            return refused(request, exc)
        except Exception:  # noqa: BLE001 - not a uuid
            raise Http404 from None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        near_text = d["near"] or (person.postal_code if person is not None else "")
        try:
            near = actions.resolve_point(near_text) if near_text else None
            hits = actions.search_services(
                discipline=d["discipline"], language=d["language"], category=d["category"], near=near,
                within_km=d["within_km"], open_at=timezone.now() if d["open_now"] else None, zone=d["zone"],
                text=d["q"],
            )
            searched = True
        except RuleViolation as exc:
            add_rule_error(form, exc, {"near": "near", "discipline": "discipline"})
            status = 400
    elif form.is_bound:
        status = 400
    tiles = map_settings()
    zone = form.cleaned_data.get("zone") if searched else None
    context = {"form": form, "hits": hits, "searched": searched, "person": person, "zone": zone,
               "zone_counts": actions.discipline_counts(zone) if zone else [],
               "markers": [_marker(h) for h in hits], "map": tiles}
    return _with_tiles_csp(render(request, "territory/search.html", context, status=status), tiles["tiles"])


@login_required
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("location", "organisation", "professional"),
                                fhir_id=service_id)
    may_edit = may(request.user, "territory.update_service", service)
    if not service.active and not may_edit:
        raise Http404
    days = [(label, actions.format_day_hours(service, day)) for day, label in WEEKDAYS]
    person = None
    if _is_uuid(request.GET.get("person", "")):  # offered "refer" only to those who may see the person's plan
        person = Person.objects.filter(fhir_id=request.GET["person"]).first()
        if person is not None and not decide(request.user, person).allows(Level.PLAN):
            person = None
    tiles = map_settings()
    context = {"service": service, "days": days, "person": person, "map": tiles,
               "zones": service.location.zones.order_by("kind", "name"),
               "may_edit": may_edit, "keepers": service.managed_by.all() if may_edit else [],
               "markers": [_marker(actions.Hit(service, None, None))]}
    return _with_tiles_csp(render(request, "territory/service.html", context), tiles["tiles"])


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def my_entries(request: HttpRequest) -> HttpResponse:
    """The entries this provider keeps, and a way to add one."""
    entries = actions.services_managed_by(request.user).select_related("location")
    return render(request, "territory/mine.html", {"entries": entries})


def _initial(service: Service) -> dict:
    loc = service.location
    initial = {k: getattr(service, k) for k in ("name", "description", "category", "discipline", "sector", "phone",
                                                "email", "website", "accepts_referrals", "home_visits", "active")}
    initial.update({k: getattr(loc, k) for k in ("street", "postal_code", "municipality", "latitude", "longitude",
                                                 "wheelchair_access")})
    initial["languages"] = service.language_list
    initial["version"] = service.version
    initial["zones"] = list(loc.zones.values_list("pk", flat=True))
    for day, _label in WEEKDAYS:
        initial[f"hours_{day}"] = actions.format_day_hours(service, day)
    return initial


def _point(form: ServiceForm) -> dict:
    """Coordinates from the form, else the postal code's centre; neither is a form error."""
    values = form.location_values()
    if "latitude" not in values:
        point = postal_code_centroid(values["postal_code"])
        if point is None:
            raise RuleViolation("near", _("Give the coordinates: this postal code is not known to the social map."))
        values["latitude"], values["longitude"] = point
    return values


@login_required
def service_edit(request: HttpRequest, service_id: str | None = None) -> HttpResponse:
    """Add an entry, or change one's own; someone else's entry cannot even be opened for editing."""
    service = None
    if service_id is not None:
        service = get_object_or_404(Service.objects.select_related("location"), fhir_id=service_id)
        if not may(request.user, "territory.update_service", service):
            record_access(request.user, "update", "HealthcareService", str(service.fhir_id), outcome="denied",
                          reason="territory.update_service: not the provider of this entry", request=request)
            return render(request, "web/403.html",
                          {"message": _("Only the provider who keeps this entry can change it.")}, status=403)
    form = ServiceForm(request.POST or None, initial=_initial(service) if service else {"languages": ["nl"]})
    conflict = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                location = _point(form)
                kwargs = {"service": form.service_values(), "location": location, "hours": form.cleaned_data["hours"],
                          "zones": list(form.cleaned_data["zones"])}
                if service is None:
                    location["name"] = form.cleaned_data["name"]
                    service = actions.register_service(request.user, **kwargs)
                else:
                    actions.update_service(request.user, service, form.cleaned_data["version"] or 0, **kwargs)
                messages.success(request, _("The entry is saved."))
                return redirect("territory:service", service.fhir_id)
            except ChangedMeanwhile:
                service.refresh_from_db()
                conflict = []
                status = 409
                data = request.POST.copy()
                data["version"] = service.version
                form = ServiceForm(data)
                form.is_valid()
            except RuleViolation as exc:
                add_rule_error(form, exc, {"service_languages": "languages", "near": "latitude"})
    title = _("Change my entry") if service else _("Put my service on the social map")
    return render(request, "territory/service_form.html",
                  {"form": form, "service": service, "title": title, "conflict": conflict}, status=status)


@require_POST
@login_required
def add_keeper(request: HttpRequest, service_id: str) -> HttpResponse:
    """Share the entry with a colleague, found by the e-mail address of their professional record."""
    from careweave.people.models import Professional

    service = get_object_or_404(Service, fhir_id=service_id)
    email = (request.POST.get("email") or "").strip()
    colleague = Professional.objects.filter(email__iexact=email).first() if email else None
    try:
        if colleague is None and may(request.user, "territory.add_keeper", service):
            raise RuleViolation("keeper", _("No professional with this e-mail address is known."))
        actions.add_keeper(request.user, service, colleague)
    except RuleViolation as exc:
        if exc.rule == "not_allowed":
            return render(request, "web/403.html", {"message": str(exc)}, status=403)
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s now keeps this entry too.") % {"name": colleague})
    return redirect("territory:service", service.fhir_id)


@person_view(resource_type="ServiceRequest")
def refer(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    """Refer the person to a service found on the map (from the plan or the team page)."""
    service_id = request.POST.get("service") or request.GET.get("service") or ""
    service = Service.objects.filter(fhir_id=service_id).select_related("location").first() \
        if _is_uuid(service_id) else None
    if service is None:
        return redirect(reverse("territory:search") + f"?person={person.fhir_id}")
    form = ReferralForm(request.POST or None, initial={"service": service.fhir_id, "urgency": "routine"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.refer_to_service(request.user, person, service, reason=d["reason"], urgency=d["urgency"],
                                         note=d["note"])
            except RuleViolation as exc:
                add_rule_error(form, exc, {"referral_reason": "reason", "too_long": "note"})
            else:
                messages.success(request, _("The referral is sent to %(name)s.") % {"name": service})
                return redirect("territory:referrals")
    return render(request, "territory/refer.html", {"form": form, "person": person, "service": service},
                  status=status)


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    """Referrals received by the services this user keeps, and those this user sent."""
    managed = actions.services_managed_by(request.user)
    received = Referral.objects.filter(service__in=managed).select_related("person", "service", "requester")
    sent = Referral.objects.filter(requested_by=request.user).select_related("person", "service", "receiver")
    received, sent = list(received[:100]), list(sent[:100])
    # The receiver reads the referral's content, the sender sees whom they referred: personal data, audited.
    record_list_read(request.user, [r.person for r in received], "referrals", resource_type="ServiceRequest",
                     basis="referral", request=request)
    record_list_read(request.user, [r.person for r in sent], "referrals", resource_type="ServiceRequest",
                     request=request)
    return render(request, "territory/referrals.html", {"received": received, "sent": sent, "answer": AnswerForm()})


STEPS = {"accept": actions.accept_referral, "refuse": actions.refuse_referral, "done": actions.complete_referral}


@require_POST
@login_required
def referral_step(request: HttpRequest, referral_id: str, step: str) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("service", "person"), fhir_id=referral_id)
    if step not in STEPS:
        raise Http404
    if not may(request.user, "territory.see_referral", referral):
        return render(request, "web/403.html", {"message": _("This referral is not addressed to you.")}, status=403)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect("territory:referrals")
    version, reason = form.cleaned_data["version"], form.cleaned_data["reason"]
    try:
        if step == "accept":
            actions.accept_referral(request.user, referral, version)
        elif step == "refuse":
            actions.refuse_referral(request.user, referral, reason, version)
        else:
            actions.complete_referral(request.user, referral, reason, version)
    except ChangedMeanwhile:
        messages.error(request, _("This referral was changed meanwhile: look again before you answer."))
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        done = {"accept": _("Accepted. You are proposed for the care team; the person decides on that."),
                "refuse": _("Refused: the referrer sees your reason."),
                "done": _("Marked as done.")}
        messages.success(request, done[step])
    return redirect("territory:referrals")
