"""Macro and PDCA pages (issue #20): the zones compared for policy makers; a zone's targets, actions,
review moments and the trend against the target, edited by its staff and read by policy makers.

Thin views over ``population.macro`` (aggregates, suppressed) and ``population.actions`` (PDCA writes).
No page here names or counts a person below the small-cell threshold.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.permissions import may
from careweave.territory.models import Zone

from . import actions, dashboard_cache, indicators
from .access import require
from .forms import ActionEditForm, ActionForm, ReviewForm, ReviewRecordForm, TargetForm, run_form
from .geography import ZONE_BY_CODE
from .macro import compare, macro_cells, macro_dir, zone_series
from .models import PdcaAction, PdcaReview, PdcaTarget
from .outreach import current_results, data_dir, small_cell_k
from .views import _fmt, _spark

CHART_W, CHART_H = 480, 180


@login_required
def macro(request: HttpRequest) -> HttpResponse:
    """All zones side by side for one indicator: values per year, trend, the latest year as bars."""
    require(request, "population.view_macro")
    cells = macro_cells()
    if cells is None:
        return render(request, "population/empty.html", {"data_dir": macro_dir()})
    k = small_cell_k()
    ids = [d["id"] for d in indicators.catalogue()]
    selected = request.GET.get("indicator", "gmd_65")
    selected = selected if selected in ids else "gmd_65"
    signature = dashboard_cache.data_signature(macro_dir())
    result = dashboard_cache.cached(("macro", signature, selected, k), lambda: compare(cells, selected, k))
    unit = result["definition"]["unit"]
    latest = [z["values"][-1] for z in result["zones"] if z["values"] and z["values"][-1] is not None]
    top = max(latest + [v for v in result["belgium"] if v is not None] or [1.0]) or 1.0
    rows = []
    for i, z in enumerate(result["zones"]):
        last = z["values"][-1] if z["values"] else None
        bar = None if last is None else round(last / top * 300, 1)
        rows.append({**z, "shown": [_fmt(v, unit) for v in z["values"]], "spark": _spark(z["values"]),
                     "bar": bar, "bar_end": None if bar is None else round(226 + bar, 1), "y": i * 22,
                     "text_y": i * 22 + 15, "bar_y": i * 22 + 4, "last": _fmt(last, unit)})
    belgium_last = result["belgium"][-1] if result["belgium"] else None
    return render(request, "population/macro.html", {
        "result": result, "rows": rows, "k": k, "selected": selected,
        "selected_name": indicators.indicator_name(selected), "unit": str(indicators.UNITS[unit][1]),
        "choices": [(d["id"], _(d["name"])) for d in indicators.catalogue()],
        "regions": [{**r, "shown": [_fmt(v, unit) for v in r["values"]]} for r in result["regions"]],
        "belgium": [_fmt(v, unit) for v in result["belgium"]],
        "belgium_x": None if belgium_last is None else round(220 + belgium_last / top * 300, 1),
        "chart_height": len(rows) * 22 + 10,
    })


# --------------------------------------------------------------------------- PDCA


def _zone_trend(zone: Zone, indicator: str, k: int) -> tuple[list[int], list[float | None]]:
    """The zone's yearly values: its own population set when it has one, else the Belgium-wide set."""
    res = current_results()
    if res is not None and zone.code in set(res["cells"]["zone"]):
        signature = dashboard_cache.data_signature(data_dir())
        cells = res["cells"][res["cells"]["zone"] == zone.code]
        table = dashboard_cache.cached(("breakdowns", signature, zone.code, k),
                                       lambda: indicators.breakdowns(cells, k=k, zone=zone.code))
        tot = table[(table["indicator"] == indicator) & (table["breakdown"] == "total")].set_index("year")
        years = sorted(int(y) for y in tot.index)
        return years, [None if tot.loc[y, "suppressed"] else float(tot.loc[y, "value"]) for y in years]
    return zone_series(zone.code, indicator, k)


def _chart(years: list[int], values: list[float | None], target: PdcaTarget) -> dict:
    """SVG geometry: the trend line over the years up to the target year, and the target as a dashed line."""
    span_years = sorted(set(years) | {target.target_year})
    known = [v for v in values if v is not None]
    top = max([*known, target.target_value]) * 1.15 or 1.0
    step = (CHART_W - 60) / max(len(span_years) - 1, 1)

    def x(year: int) -> float:
        return round(40 + span_years.index(year) * step, 1)

    def y(value: float) -> float:
        return round(CHART_H - 20 - value / top * (CHART_H - 40), 1)

    points = [(x(yr), y(v), v) for yr, v in zip(years, values, strict=True) if v is not None]
    target_y = y(target.target_value)
    return {"width": CHART_W, "height": CHART_H, "target_y": target_y, "target_label_y": round(target_y - 4, 1),
            "x_end": CHART_W - 20, "tick_y": CHART_H - 4,
            "line": " ".join(f"{px},{py}" for px, py, _v in points),
            "dots": [{"x": px, "y": py} for px, py, _v in points],
            "ticks": [{"x": x(yr), "label": yr} for yr in span_years], "target_x": x(target.target_year)}


def _zones_for(request: HttpRequest) -> list[Zone]:
    """Zone staff: their own zones; policy makers (and administrators): every zone of the population model."""
    own = list(Zone.objects.filter(staff__user=request.user).distinct().order_by("name"))
    if own and not may(request.user, "population.view_macro"):
        return own
    return list(Zone.objects.filter(code__in=list(ZONE_BY_CODE)).order_by("name"))


@login_required
def pdca(request: HttpRequest, zone: str | None = None) -> HttpResponse:
    """A zone's targets with their trend, planned actions and review moments (learning, not sanctioning)."""
    require(request, "population.view_pdca")
    zones = _zones_for(request)
    if zone is None:
        if not zones:
            raise Http404
        with_targets = set(PdcaTarget.objects.filter(zone__in=zones).values_list("zone_id", flat=True))
        first = next((z for z in zones if z.pk in with_targets), zones[0])
        return redirect("population:pdca_zone", first.code)
    zone_obj = get_object_or_404(Zone, code=zone)
    if zone_obj not in zones:
        raise Http404
    require(request, "population.view_pdca", zone_obj)
    k = small_cell_k()
    may_edit = may(request.user, "population.set_target", zone_obj)
    targets = list(PdcaTarget.objects.filter(zone=zone_obj).prefetch_related("actions", "reviews"))
    blocks = []
    for target in targets:
        years, values = _zone_trend(zone_obj, target.indicator, k)
        definition = next((d for d in indicators.catalogue() if d["id"] == target.indicator), None)
        unit = definition["unit"] if definition else "percent"
        latest = next((v for v in reversed(values) if v is not None), None)
        better = (definition or {}).get("better", "higher")
        reached = None if latest is None else (latest >= target.target_value if better == "higher"
                                               else latest <= target.target_value)
        blocks.append({
            "target": target, "name": indicators.indicator_name(target.indicator),
            "chart": _chart(years, values, target),
            "values": list(zip(years, [_fmt(v, unit) for v in values], strict=True)),
            "target_shown": _fmt(target.target_value, unit), "unit": str(indicators.UNITS[unit][1]),
            "reached": reached, "latest": _fmt(latest, unit),
            "actions": [{"action": a, "form": ActionEditForm(initial={
                "version": a.version, "description": a.description, "owner_name": a.owner_name,
                "due_date": a.due_date, "status": a.status}, prefix=f"a{a.pk}")} for a in target.actions.all()],
            "reviews": [{"review": r, "form": ReviewRecordForm(initial={"version": r.version, "learned": r.learned},
                                                               prefix=f"r{r.pk}")} for r in target.reviews.all()],
            "action_form": ActionForm(prefix=f"t{target.pk}"), "review_form": ReviewForm(prefix=f"t{target.pk}"),
        })
    return render(request, "population/pdca.html", {
        "zone": zone_obj, "zones": zones, "blocks": blocks, "may_edit": may_edit, "k": k,
        "target_form": TargetForm(initial={"target_year": _this_year() + 1}),
    })


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _done(request: HttpRequest, form, zone: str, saved: str) -> HttpResponse:  # noqa: ANN001
    if form.is_valid() and not form.errors:
        messages.success(request, saved)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("population:pdca_zone", zone)


@login_required
@require_POST
def set_target(request: HttpRequest, zone: str) -> HttpResponse:
    zone_obj = get_object_or_404(Zone, code=zone)
    form = TargetForm(request.POST)
    run_form(form, lambda: actions.set_target(
        request.user, zone_obj, form.cleaned_data["indicator"], form.cleaned_data["target_value"],
        form.cleaned_data["target_year"], rationale=form.cleaned_data["rationale"],
        expected_version=form.cleaned_data["version"]))
    return _done(request, form, zone, _("The target has been saved."))


@login_required
@require_POST
def plan_action(request: HttpRequest, zone: str, pk: int) -> HttpResponse:
    target = get_object_or_404(PdcaTarget, pk=pk, zone__code=zone)
    form = ActionForm(request.POST, prefix=f"t{pk}")
    run_form(form, lambda: actions.plan_action(request.user, target, form.cleaned_data["description"],
                                               form.cleaned_data["owner_name"], form.cleaned_data["due_date"]))
    return _done(request, form, zone, _("The action has been planned."))


@login_required
@require_POST
def update_action(request: HttpRequest, zone: str, pk: int) -> HttpResponse:
    action = get_object_or_404(PdcaAction, pk=pk, target__zone__code=zone)
    form = ActionEditForm(request.POST, prefix=f"a{pk}")
    run_form(form, lambda: actions.update_action(
        request.user, action, form.cleaned_data["version"], status=form.cleaned_data["status"],
        description=form.cleaned_data["description"], owner_name=form.cleaned_data["owner_name"],
        due_date=form.cleaned_data["due_date"]))
    return _done(request, form, zone, _("The action has been saved."))


@login_required
@require_POST
def plan_review(request: HttpRequest, zone: str, pk: int) -> HttpResponse:
    target = get_object_or_404(PdcaTarget, pk=pk, zone__code=zone)
    form = ReviewForm(request.POST, prefix=f"t{pk}")
    run_form(form, lambda: actions.plan_review(request.user, target, form.cleaned_data["planned_on"]))
    return _done(request, form, zone, _("The review moment has been planned."))


@login_required
@require_POST
def record_review(request: HttpRequest, zone: str, pk: int) -> HttpResponse:
    review = get_object_or_404(PdcaReview, pk=pk, target__zone__code=zone)
    form = ReviewRecordForm(request.POST, prefix=f"r{pk}")
    run_form(form, lambda: actions.record_review(request.user, review, form.cleaned_data["version"],
                                                 form.cleaned_data["learned"]))
    return _done(request, form, zone, _("The review has been recorded."))
