"""Financing pages: a person's provisions and budget, reports, the payer's CSV, tariffs, the simulator.

Access: a person's provisions are personal data (professionals with plan access through ``careweave.access``,
or staff of the person's zone; every look is audited). Reports and budgets per zone are for that zone's staff
(any ZoneStaff role) and superusers, small cells hidden; the payer export lists persons, so it is for the
zone's staff or contact point and audited per person. Bad input re-renders the form and changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from careweave.access.audit import record_list_read
from careweave.access.guard import AccessRefused
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.csvexport import CONTENT_TYPE
from careweave.people.models import Person
from careweave.population.indicators import indicator_name
from careweave.territory.models import Zone
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import get_person_or_refuse, refused
from careweave.web.forms.base import add_rule_error, run_form

from . import actions, plot, reports
from .forms import (
    AllocateBudgetForm,
    CancelProvisionForm,
    RegisterProvisionForm,
    SimulatorForm,
    TariffForm,
    TransferForm,
)
from .models import CareUnitBudget, Payer, Provision, Tariff


def _k() -> int:
    return int(getattr(settings, "SMALL_CELL_K", 5))


def _zones_or_refuse(request: HttpRequest) -> list[Zone]:
    zones = actions.zones_of(request.user)
    if not zones:
        raise PermissionDenied(_("Financing reports are for the staff of a zone."))
    return zones


def _chosen_zone(request: HttpRequest, zones: list[Zone]) -> Zone:
    code = request.GET.get("zone") or zones[0].code
    for z in zones:
        if z.code == code:
            return z
    raise PermissionDenied(_("You do not work for this zone."))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    zones = actions.zones_of(request.user)
    return render(request, "financing/index.html", {"zones": zones})


# --- a person's provisions and budget -------------------------------------------------------------------------


def _person(request: HttpRequest, person_id: str) -> Person:
    """The person, for whom the table lets see their provisions (audited here); anyone else gets the access
    decision's explained refusal (audited there)."""
    person = get_object_or_404(Person, fhir_id=person_id)
    if may(request.user, "financing.see_provisions", person):
        if request.method in ("GET", "HEAD"):
            actions.audit_list(request.user, person, request)
        return person
    person, _decision = get_person_or_refuse(request, person_id, resource_type="Claim")
    return person


def _guarded(view):  # noqa: ANN001, ANN202
    """Render the explained 403 page when the access decision refuses."""

    @login_required
    def wrapper(request: HttpRequest, person_id, *args, **kwargs) -> HttpResponse:  # noqa: ANN001, ANN002, ANN003
        try:
            person = _person(request, person_id)
        except AccessRefused as exc:
            return refused(request, exc)
        return view(request, person, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_guarded
def person_provisions(request: HttpRequest, person: Person) -> HttpResponse:
    related = ("provision_type", "professional", "organisation", "tariff")
    provisions = list(actions.visible_provisions(request.user, person).select_related(*related)[:200])
    budgets = [actions.budget_status(b) for b in person.care_unit_budgets.all()]
    return render(request, "financing/person.html", {
        "person": person, "provisions": provisions, "budgets": budgets,
        "register_target": actions.ProvisionRequest(person),
        "cancel_form": CancelProvisionForm(),
    })


def _person_form(request: HttpRequest, person: Person, form, act, fields: dict[str, str], *, title: str,  # noqa: ANN001
                 submit: str, done: str, intro: str = "") -> HttpResponse:
    """A form page whose valid POST calls ``act(cleaned_data)``; a rule error is shown and nothing changes."""
    if request.method == "POST" and run_form(form, lambda: act(form.cleaned_data), fields):
        messages.success(request, done)
        return redirect("financing:person", person.fhir_id)
    return render(request, "web/form_page.html", {
        "title": title, "person": person, "form": form, "submit": submit, "intro": intro,
        "cancel_url": f"/financing/person/{person.fhir_id}/"}, status=400 if form.errors else 200)


@_guarded
def register(request: HttpRequest, person: Person) -> HttpResponse:
    types = actions.registrable_types(request.user, person)
    if not types:
        raise PermissionDenied(_("You cannot register provisions for this person."))
    providers = actions.provider_choices(request.user, person)
    own = getattr(request.user, "professional", None)
    form = RegisterProvisionForm(request.POST or None, initial={"date": timezone.localdate()}, types=types,
                                 providers=providers, allow_organisation=providers != [own])
    return _person_form(
        request, person, form,
        lambda d: actions.register_provision(request.user, person, d["provision_type"], d["date"], d["quantity"],
                                             professional=d["professional"], organisation=d.get("organisation"),
                                             payer=d["payer"], note=d["note"]),
        {"no_tariff": "date", "provision_date": "date", "over_budget": "quantity", "bad_quantity": "quantity",
         "after_death": "date", "not_allowed": "professional", "mdo_fee_by_hand": "provision_type"},
        title=_("Register a provision"), submit=_("Register"), done=_("The provision is registered."))


@_guarded
def cancel(request: HttpRequest, person: Person, provision_id: str) -> HttpResponse:
    provision = get_object_or_404(Provision, fhir_id=provision_id, person=person)
    if request.method != "POST":
        return redirect("financing:person", person.fhir_id)
    form = CancelProvisionForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_provision(request.user, provision, form.cleaned_data["version"], form.cleaned_data["reason"])
            messages.success(request, _("The provision is cancelled."))
        except (RuleViolation, ChangedMeanwhile) as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Say why the provision is cancelled."))
    return redirect("financing:person", person.fhir_id)


@_guarded
def allocate(request: HttpRequest, person: Person) -> HttpResponse:
    if not may(request.user, "financing.allocate_budget", person):
        raise PermissionDenied(_("Only the staff of the person's zone can allocate care units."))
    year = timezone.localdate().year
    form = AllocateBudgetForm(request.POST or None,
                              initial={"period_start": date(year, 1, 1), "period_end": date(year, 12, 31)})
    return _person_form(
        request, person, form,
        lambda d: actions.allocate_budget(request.user, person, d["period_start"], d["period_end"], d["units"]),
        {"bad_period": "period_end", "bad_units": "units"},
        title=_("Allocate care units"), submit=_("Allocate"), done=_("The care units are allocated."))


@_guarded
def transfer(request: HttpRequest, person: Person, budget_id: str) -> HttpResponse:
    source = get_object_or_404(CareUnitBudget, fhir_id=budget_id, person=person)
    if not may(request.user, "financing.transfer_units", source):
        raise PermissionDenied(_("Only the staff of the zone can transfer care units."))
    left = actions.budget_status(source).remaining
    return _person_form(
        request, person, TransferForm(request.POST or None, source=source),
        lambda d: actions.transfer_units(request.user, source, d["target"], d["units"], d["reason"]),
        {"not_enough_units": "units", "bad_units": "units", "no_reason": "reason"},
        title=_("Transfer care units"), submit=_("Transfer"), done=_("The care units are transferred."),
        intro=_("%(left)s care units left in this budget.") % {"left": left})


# --- zone pages ----------------------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    zones = _zones_or_refuse(request)
    zone = _chosen_zone(request, zones)
    by = "quarter" if request.GET.get("by") == "quarter" else "year"
    statuses = ((Provision.Status.BILLED, Provision.Status.REGISTERED) if request.GET.get("status") == "all"
                else (Provision.Status.BILLED,))
    rep = reports.build([zone], by, suppress=not request.user.is_superuser, k=_k(), statuses=statuses)
    years = sorted({p.year for p in rep.periods})
    return render(request, "financing/report.html", {
        "report": rep, "zones": zones, "zone": zone, "by": by, "all_statuses": len(statuses) > 1,
        "years": years, "payers": Payer.choices, "may_export": actions.may_manage_budgets(request.user, zone),
        "k": _k(),
    })


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The payer's billing lines of one year (or quarter) for one zone, as CSV (audited per person)."""
    zones = _zones_or_refuse(request)
    zone = _chosen_zone(request, zones)
    if not actions.may_manage_budgets(request.user, zone):
        raise PermissionDenied(_("The payer export lists persons: it is for the zone's staff."))
    payer = request.GET.get("payer", "")
    if payer not in Payer.values:
        raise Http404(_("Unknown payer"))
    try:
        year = int(request.GET.get("year", ""))
        quarter = int(request.GET["quarter"]) if request.GET.get("quarter") else None
        if quarter is not None and not 1 <= quarter <= 4:
            raise ValueError
    except ValueError:
        raise Http404(_("Give a year (and optionally a quarter from 1 to 4).")) from None
    start = date(year, 3 * quarter - 2, 1) if quarter else date(year, 1, 1)
    end = (date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - date.resolution
           if quarter else date(year, 12, 31))
    lines = list(reports.payer_lines([zone], payer, start, end))
    record_list_read(request.user, [line.person for line in lines], "payer_export", resource_type="Claim",
                     action="search", basis="zone", detail=f"{payer} {start}–{end}", request=request)
    name = f"provisions-{zone.code}-{payer}-{year}{f'-Q{quarter}' if quarter else ''}.csv"
    response = HttpResponse(reports.payer_csv(lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    zones = _zones_or_refuse(request)
    zone = _chosen_zone(request, zones)
    try:
        on = parse_date(request.GET["on"]) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        on = None
    if on is None:
        raise Http404(_("Give the date as YYYY-MM-DD."))
    summary, statuses = reports.zone_budgets(zone, on)
    show_persons = actions.may_manage_budgets(request.user, zone)
    if show_persons:
        record_list_read(request.user, [s.budget.person for s in statuses], "budgets", resource_type="Account",
                         action="search", basis="zone", request=request)
    hide = not request.user.is_superuser and 0 < summary.budgets < _k()
    return render(request, "financing/budgets.html", {
        "zones": zones, "zone": zone, "summary": summary, "hide": hide, "on": on,
        "statuses": statuses if show_persons else []})


@login_required
def tariffs(request: HttpRequest) -> HttpResponse:
    form = TariffForm(request.POST or None) if request.user.is_staff else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only an administrator can change tariffs."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.add_tariff(request.user, d["provision_type"], d["payer"], d["amount"], d["unit"],
                                   d["valid_from"], d["valid_to"], source=d["source"])
            except RuleViolation as exc:
                add_rule_error(form, exc, {"tariff_overlap": "valid_from", "bad_period": "valid_to",
                                           "tariff_in_use": "valid_from"})
            else:
                messages.success(request, _("The tariff is added."))
                return redirect("financing:tariffs")
    rows = Tariff.objects.select_related("provision_type")
    return render(request, "financing/tariffs.html", {"tariffs": rows, "form": form, "today": timezone.localdate()},
                  status=400 if form is not None and form.errors else 200)


@login_required
def simulator_page(request: HttpRequest) -> HttpResponse:
    from careweave.population import dashboard_cache
    from careweave.population.engines import DataDirError, DuckDBEngine
    from careweave.population.views import _data_dir, can_view_zone

    from . import simulator

    if not (can_view_zone(request.user) or actions.zones_of(request.user)):
        raise PermissionDenied(_("The simulator is for zone staff and policy makers."))
    form = SimulatorForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "financing/simulator.html", {"form": form, "result": None}, status=400)
    if not request.GET:
        form = SimulatorForm(initial={n: f.initial for n, f in SimulatorForm.base_fields.items()})
        form.is_valid()  # unbound: parameters() falls back to the initial values
        form.cleaned_data = {}
    params = form.parameters()
    data_dir = _data_dir()
    try:
        signature = dashboard_cache.data_signature(data_dir)
        if signature is None:
            raise DataDirError(str(data_dir))

        def compute() -> dict:
            engine = DuckDBEngine(data_dir)
            try:
                return simulator.run(engine, params)
            finally:
                engine.close()

        result = dashboard_cache.cached(("financing-simulator", signature, repr(params)), compute)
    except DataDirError:
        return render(request, "financing/simulator.html", {"form": form, "result": None, "no_data": True,
                                                            "data_dir": data_dir})
    except simulator.NoDataForYear as exc:
        form.add_error("year", _("There are no data for %(year)s; the data set covers %(years)s.") % {
            "year": exc.year, "years": ", ".join(map(str, exc.known))})
        return render(request, "financing/simulator.html", {"form": form, "result": None}, status=400)
    zones = result["zones"]
    k = _k()
    visible = zones[zones["persons"] >= k]
    table = plot.table(visible)
    return render(request, "financing/simulator.html", {
        "form": form, "result": result, "rows": table, "models": plot.model_labels(), "year": result["year"],
        "hidden_zones": int((zones["persons"] < k).sum()), "chart": plot.bars(visible, get_language()),
        "shadow": simulator.MODELS[params.shadow_model],
        "targets": [{"name": indicator_name(t.indicator), "target": t.target, "higher_is_better": t.higher_is_better}
                    for t in params.targets],
        "transition": round(params.transition_share * 100),
    })
