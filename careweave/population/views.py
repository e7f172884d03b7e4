"""Zone dashboard for zone staff: pyramid, indicators with trends and equity, small multiples,
outreach (aggregated and suppressed; person-level only with a permission, and audited).

Access: superusers and members of the ``zone_staff`` group see dashboards; the person-level
outreach list also needs ``population.view_outreach_list``. Both are rows of the permission table,
asked through :mod:`careweave.population.access`. Refusals are 403. Plots are SVG
drawn by the templates from geometry computed here (no JavaScript, no CDN).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from careweave.csvexport import CONTENT_TYPE, csv_bytes
from careweave.numbers import show_number

from . import api, dashboard_cache, indicators
from .access import (
    can_view_zone,  # noqa: F401 - financing.views asks here; the answer is the table's
    may_view_outreach_list,
    require_outreach_list,
    require_zone_access,
)
from .engines import DataDirError
from .stratify import load_yaml
from .suppression import suppress_table, suppress_vector

# Pyramid colours per level: (bar, text on the bar). Dark red takes white text; every pair has a
# contrast of at least 4.5:1 (WCAG AA), checked by tests/population/test_views.py.
PYRAMID_COLOURS = {3: ("#b2182b", "#ffffff"), 2: ("#ef8a62", "#1a1a1a"), 1: ("#fddbc7", "#1a1a1a"),
                   0: ("#d1e5f0", "#1a1a1a")}
PAGE_INK = "#1a1a1a"  # a label beside its bar stands on the page


def _k() -> int:
    return int(getattr(settings, "SMALL_CELL_K", 5))


def _data_dir() -> Path:
    return Path(getattr(settings, "POPULATION_DATA_DIR", "var/population"))


def _results():
    """The data set's results, read once per version of the data files (see dashboard_cache)."""
    data_dir = _data_dir()
    try:
        signature = dashboard_cache.data_signature(data_dir) if data_dir.is_dir() else None
        if signature is None:
            return api.results(data_dir)  # raises DataDirError with the reason
        return dashboard_cache.cached(("results", signature), lambda: api.results(data_dir))
    except DataDirError:
        return None


def _empty(request: HttpRequest) -> HttpResponse:
    return render(request, "population/empty.html", {"data_dir": _data_dir()})


def index(request: HttpRequest) -> HttpResponse:
    require_zone_access(request)
    res = _results()
    if res is None:
        return _empty(request)
    k = _k()
    munis = res["municipalities"]
    counts = res["strata"].groupby("zone").size()
    zones = []
    for code, g in munis.groupby("zone", sort=True):
        n = int(counts.get(code, 0))
        if n == 0:
            continue
        zones.append({"code": code, "name": g["zone_name"].iloc[0], "municipalities": len(g),
                      "persons": n if n >= k else None})
    return render(request, "population/index.html", {"zones": zones, "manifest": api.manifest(_data_dir())})


def _fmt(value, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    digits = 0 if unit == "per_capita" and value >= 100 else (2 if unit in ("per_capita", "mean") else 1)
    return show_number(value, digits, grouping=True)


def _text_width(text: str, font_size: float = 12) -> float:
    """A generous estimate of the rendered width of SVG text (0.6 em per character)."""
    return len(text) * font_size * 0.6


def _spark(values: list[float | None], width: int = 90, height: int = 24) -> str:
    """SVG polyline points for a small trend line; gaps (hidden values) are skipped."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None and not np.isnan(v)]
    if len(pts) < 2:
        return ""
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in pts)


def zone_dashboard(request: HttpRequest, zone: str) -> HttpResponse:
    """The dashboard, computed once per data-set version, zone, language and indicator."""
    require_zone_access(request, zone)
    res = _results()
    if res is None:
        return _empty(request)
    munis = res["municipalities"]
    if zone not in set(munis["zone"]):
        raise Http404(_("Unknown zone"))
    k = _k()
    selected = request.GET.get("indicator", "gmd_65")
    if selected not in {d["id"] for d in indicators.catalogue()}:
        selected = "gmd_65"
    signature = dashboard_cache.data_signature(_data_dir())
    key = ("zone", signature, zone, k, get_language(), selected)
    context = dashboard_cache.cached(key, lambda: _zone_context(res, zone, k, selected))
    work = _work_context(request, zone, k)
    return render(request, "population/zone.html", {
        **context, "can_list": may_view_outreach_list(request.user, zone), "work": work,
        "aims": _with_work_sources(context["aims"], work),
    })


# --- issue 20: process indicators from the zone's own work (decision 0027) -------------------------------


def _work_context(request: HttpRequest, zone: str, k: int) -> dict:
    """The zone's latest pipeline run (its progress) and latest results: value, source and coverage per
    indicator. Results are stored suppressed (care_work.suppressed): nothing here is about one person."""
    from careweave.access.permissions import may
    from careweave.territory.models import Zone

    from .care_work import SOURCES
    from .care_work import catalogue as work_catalogue
    from .models import WorkIndicatorRun

    runs = list(WorkIndicatorRun.objects.filter(zone=zone).order_by("-created_at", "-pk")[:1])
    latest = runs[0] if runs else None
    done = latest if latest is not None and latest.status == WorkIndicatorRun.Status.DONE else (
        WorkIndicatorRun.objects.filter(zone=zone, status=WorkIndicatorRun.Status.DONE)
        .order_by("-finished_at", "-pk").first())
    zone_obj = Zone.objects.filter(code=zone).first()
    out: dict = {"run": latest, "done": done, "rows": [], "coverage": None,
                 "running": latest is not None and latest.status in (WorkIndicatorRun.Status.QUEUED,
                                                                      WorkIndicatorRun.Status.RUNNING),
                 "may_run": zone_obj is not None and may(request.user, "fhir.start_population_feed", zone_obj),
                 "source": SOURCES["careweave"], "claims_source": SOURCES["claims"]}
    if done is None:
        return out
    results = done.results or {}
    by_id = {r["indicator"]: r for r in results.get("indicators", [])}
    cov = results.get("coverage") or {}
    out["coverage"] = {
        "held": cov.get("held"), "zone_persons": cov.get("zone_persons"),
        "share": None if cov.get("share") is None else _fmt(cov["share"], "percent"),
    }
    for d in work_catalogue():
        r = by_id.get(d["id"])
        if r is None:
            continue
        out["rows"].append({
            "id": d["id"], "name": _(d["name"]), "description": _(d["description"]), "type": d["type"],
            "unit": str(indicators.UNITS[d["unit"]][1]), "value": _fmt(r.get("value"), d["unit"]),
            "suppressed": bool(r.get("suppressed")), "n": r.get("n"), "replaces": d.get("replaces"),
        })
    return out


def _with_work_sources(aims: list[dict], work: dict) -> list[dict]:
    """The claims-like rows that the work measures too say where each figure comes from."""
    measured = {r["replaces"] for r in work["rows"] if r["replaces"] and not r["suppressed"]}
    return [{**a, "rows": [{**r, "measured_in_work": r["id"] in measured} for r in a["rows"]]} for a in aims]


def work_section(request: HttpRequest, zone: str) -> HttpResponse:
    """The work indicators' section alone (htmx polls it while a run is going)."""
    require_zone_access(request, zone)
    k = _k()
    return render(request, "population/_care_work.html",
                  {"zone": zone, "k": k, "work": _work_context(request, zone, k)})


def _breakdowns(res: dict, zone: str, k: int):  # noqa: ANN202 - a DataFrame
    """The zone's indicator breakdowns (the slow part), shared by every language and indicator."""
    cells = res["cells"][res["cells"]["zone"] == zone]
    signature = dashboard_cache.data_signature(_data_dir())
    return dashboard_cache.cached(("breakdowns", signature, zone, k),
                                  lambda: indicators.breakdowns(cells, k=k, zone=zone))


def _zone_context(res: dict, zone: str, k: int, selected: str) -> dict:
    """Everything the dashboard shows, in the active language; no user-specific data."""
    munis = res["municipalities"]
    zone_name = munis.loc[munis["zone"] == zone, "zone_name"].iloc[0]
    names = dict(zip(munis["nis"].astype(int), munis["name"], strict=True))
    table = _breakdowns(res, zone, k)
    years = sorted(int(y) for y in table["year"].unique()) if not table.empty else []
    latest = years[-1] if years else None
    defs = indicators.catalogue()
    by_id = {d["id"]: d for d in defs}

    # pyramid (latest year) with suppression of small levels
    levels_cfg = load_yaml("stratification")["levels"]
    pyr = res["pyramid"]
    pyr = pyr[(pyr["zone"] == zone) & (pyr["year"] == latest)].groupby("level")["n"].sum()
    counts = np.array([int(pyr.get(lv, 0)) for lv in range(4)])
    mask, _total_hidden = suppress_vector(counts, None, k)
    total = int(counts.sum())
    pyramid = []
    for lv in (3, 2, 1, 0):
        frac = counts[lv] / total if total else 0
        width = 60 + 340 * (lv == 0) + 260 * (lv == 1) + 180 * (lv == 2) + 100 * (lv == 3)
        label = f"{lv} · {_(levels_cfg[lv])}"
        x, y = (480 - width) / 2, (3 - lv) * 46 + 4
        inside = _text_width(label) <= width - 12
        pyramid.append({
            "level": lv, "label": label, "count": None if mask[lv] else int(counts[lv]),
            "fill": PYRAMID_COLOURS[lv][0], "ink": PYRAMID_COLOURS[lv][1],
            "label_ink": PYRAMID_COLOURS[lv][1] if inside else PAGE_INK,
            "share": None if mask[lv] else round(100 * frac, 1), "width": width, "x": x, "y": y,
            # a label wider than its bar goes beside it, and the count sits alone in the bar
            "inside": inside, "label_x": 240 if inside else x + width + 8, "label_y": y + (17 if inside else 25),
            "count_y": y + (33 if inside else 25),
        })
    pyramid_width = max(480, *(p["label_x"] + _text_width(p["label"]) + 4 for p in pyramid if not p["inside"]))

    # indicator table: totals per year, trend, equity (BIM vs non-BIM, ratio)
    rows = []
    aims = []
    for d in defs:
        t = table[table["indicator"] == d["id"]]
        if t.empty:
            continue
        tot = t[t["breakdown"] == "total"].set_index("year")
        values = [None if y not in tot.index or tot.loc[y, "suppressed"] else float(tot.loc[y, "value"])
                  for y in years]
        eq = t[(t["year"] == latest) & (t["breakdown"].isin(["bim", "bim_ratio"]))]

        def pick(breakdown: str, group: str, eq=eq):
            r = eq[(eq["breakdown"] == breakdown) & (eq["group"] == group)]
            if r.empty or bool(r["suppressed"].iloc[0]):
                return None
            return float(r["value"].iloc[0])

        if d["aim"] not in [a["code"] for a in aims]:
            aims.append({"code": d["aim"], "label": indicators.AIMS[d["aim"]]})
        ratio = pick("bim_ratio", "BIM/non-BIM")
        rows.append({
            "id": d["id"], "name": _(d["name"]), "aim": d["aim"], "type": d["type"],
            "unit": str(indicators.UNITS[d["unit"]][1]),
            "values": [_fmt(v, d["unit"]) for v in values], "spark": _spark(values),
            "bim": _fmt(pick("bim", "True"), d["unit"]), "non_bim": _fmt(pick("bim", "False"), d["unit"]),
            "ratio": "—" if ratio is None or np.isnan(ratio) else show_number(ratio, 2),
        })
    for a in aims:
        a["rows"] = [r for r in rows if r["aim"] == a["code"]]

    # small multiples: one indicator per municipality over the years
    nis_rows = table[(table["indicator"] == selected) & (table["breakdown"] == "nis")]
    all_values = nis_rows.loc[~nis_rows["suppressed"], "value"]
    vmax = float(all_values.max()) if not all_values.empty else 1.0
    multiples = []
    for nis, g in nis_rows.groupby("group", sort=True):
        g = g.set_index("year")
        vals = [None if y not in g.index or g.loc[y, "suppressed"] else float(g.loc[y, "value"]) for y in years]
        pts = [(i, v) for i, v in enumerate(vals) if v is not None]
        step = 140 / max(len(years) - 1, 1)
        multiples.append({
            "nis": nis, "name": names.get(int(nis), nis),
            "points": " ".join(f"{10 + i * step:.1f},{70 - v / (vmax or 1) * 60:.1f}" for i, v in pts),
            "dots": [{"x": 10 + i * step, "y": 70 - v / (vmax or 1) * 60} for i, v in pts],
            "last": _fmt(vals[-1] if vals else None, by_id[selected]["unit"]),
            "hidden": sum(v is None for v in vals),
        })

    # outreach, aggregated: municipality x main reason, with complementary suppression
    strata = res["strata"]
    zs = strata[(strata["zone"] == zone) & strata["outreach"]].copy()
    outreach_ids = [o["id"] for o in load_yaml("stratification")["outreach"]]
    zs["main"] = zs["outreach_reasons"].str.split(";").str[0]
    piv = zs.pivot_table(index="nis", columns="main", values="person_id", aggfunc="count", fill_value=0)
    piv = piv.reindex(columns=outreach_ids, fill_value=0).reindex(
        index=sorted(munis.loc[munis["zone"] == zone, "nis"].astype(int)), fill_value=0)
    omask = suppress_table(piv.to_numpy(dtype=float), None, k) if len(piv) else np.zeros((1, 1), bool)
    ovals = np.vstack([np.hstack([piv.to_numpy(), piv.to_numpy().sum(axis=1, keepdims=True)]),
                       np.append(piv.to_numpy().sum(axis=0), piv.to_numpy().sum())]) if len(piv) else []
    reasons_cfg = {o["id"]: _(o["reason"]) for o in load_yaml("stratification")["outreach"]}
    outreach_rows = []
    for i, nis in enumerate([*piv.index, "total"]):
        outreach_rows.append({
            "name": names.get(int(nis), nis) if nis != "total" else _("Zone total"),
            "cells": [None if omask[i, j] else int(ovals[i][j]) for j in range(len(outreach_ids) + 1)],
        })
    return {
        "zone": zone, "zone_name": zone_name, "years": years, "latest": latest, "k": k,
        "pyramid": pyramid, "pyramid_width": round(pyramid_width), "pyramid_total": total if total >= k else None,
        "aims": aims,
        "selected": selected, "selected_name": _(by_id[selected]["name"]),
        "indicator_choices": [(d["id"], _(d["name"])) for d in defs if "nis" in d["breakdowns"]],
        "multiples": multiples, "outreach_columns": [reasons_cfg[o] for o in outreach_ids],
        "outreach_rows": outreach_rows,
    }


OUTREACH_PAGE = 50


class OutreachFilterForm(forms.Form):
    """Filters of the person-level outreach list; an unknown value is an error, not a silent "all"."""

    level = forms.ChoiceField(label=_lazy("Pyramid level"), required=False)
    municipality = forms.ChoiceField(label=_lazy("Municipality"), required=False)
    reason = forms.ChoiceField(label=_lazy("Reason"), required=False)

    def __init__(self, *args, municipalities: list[tuple[str, str]], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        everyone = [("", _("all"))]
        levels = load_yaml("stratification")["levels"]
        self.fields["level"].choices = everyone + [(str(lv), f"{lv} · {_(levels[lv])}") for lv in (3, 2, 1, 0)]
        self.fields["municipality"].choices = everyone + municipalities
        self.fields["reason"].choices = everyone + [
            (o["id"], _(o["reason"])) for o in load_yaml("stratification")["outreach"]
        ]


def _outreach_rows(request: HttpRequest, zone: str, res: dict) -> tuple[OutreachFilterForm, object, dict]:
    """The zone's outreach persons, filtered as asked (level, municipality, reason), highest level first."""
    munis = res["municipalities"]
    zone_munis = munis[munis["zone"] == zone].sort_values("name")
    names = dict(zip(munis["nis"].astype(int), munis["name"], strict=True))
    form = OutreachFilterForm(
        request.GET or None,
        municipalities=[(str(int(n)), name) for n, name in zip(zone_munis["nis"], zone_munis["name"], strict=True)],
    )
    st = res["strata"]
    rows = st[(st["zone"] == zone) & st["outreach"]]
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    if "level" in filters:
        rows = rows[rows["level"] == int(filters["level"])]
    if "municipality" in filters:
        rows = rows[rows["nis"].astype(int) == int(filters["municipality"])]
    if "reason" in filters:
        rows = rows[rows["outreach_reasons"].str.split(";").apply(lambda rs: filters["reason"] in rs)]
    rows = rows.sort_values(["level", "person_id"], ascending=[False, True])
    return form, rows, {"names": names, "filters": filters}


def _outreach_person(r, names: dict) -> dict:  # noqa: ANN001 - a pandas row
    reasons_cfg = {o["id"]: _(o["reason"]) for o in load_yaml("stratification")["outreach"]}
    levels_cfg = load_yaml("stratification")["levels"]
    return {
        "person_id": int(r.person_id), "age": int(r.age), "sex": r.sex, "municipality": names.get(int(r.nis), r.nis),
        "level": int(r.level), "level_label": _(levels_cfg[int(r.level)]),
        "reasons": [reasons_cfg.get(x, x) for x in str(r.outreach_reasons).split(";") if x],
        "bim": bool(r.bim), "living_alone": bool(r.living_alone),
    }


def _outreach_data(request: HttpRequest, zone: str):  # noqa: ANN202
    res = _results()
    if res is None:
        return None
    if zone not in set(res["municipalities"]["zone"]):
        raise Http404(_("Unknown zone"))
    return _outreach_rows(request, zone, res)


def outreach_list(request: HttpRequest, zone: str) -> HttpResponse:
    """Person-level outreach list: permission required, every view (and refusal) audited; paged and filtered."""
    from careweave.access.audit import record_access

    require_outreach_list(request, zone)
    data = _outreach_data(request, zone)
    if data is None:
        return _empty(request)
    form, rows, extra = data
    page = Paginator(range(len(rows)), OUTREACH_PAGE).get_page(request.GET.get("page"))
    chunk = rows.iloc[page.start_index() - 1:page.end_index()] if len(rows) else rows
    persons = [_outreach_person(r, extra["names"]) for r in chunk.itertuples()]
    record_access(request.user, "read", "PopulationOutreachList", zone, request=request,
                  reason=f"outreach list viewed ({len(rows)} persons, page {page.number}, "
                         f"filters {extra['filters'] or 'none'})")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "population/outreach.html", {
        "zone": zone, "persons": persons, "total": len(rows), "shown": len(persons), "page": page, "form": form,
        "query": query.urlencode(),
    })


def outreach_csv(request: HttpRequest, zone: str) -> HttpResponse:
    """The filtered outreach list as CSV for the outreach team: same permission, audited as an export."""
    from careweave.access.audit import record_access

    require_outreach_list(request, zone)
    data = _outreach_data(request, zone)
    if data is None:
        return _empty(request)
    _form, rows, extra = data
    header = [_("Pseudonym"), _("Age"), _("Sex"), _("Municipality"), _("Level"), _("Level name"), _("Reasons"),
              _("BIM"), _("Living alone")]
    lines = []
    for r in rows.itertuples():
        p = _outreach_person(r, extra["names"])
        lines.append([p["person_id"], p["age"], p["sex"], p["municipality"], p["level"], p["level_label"],
                      "; ".join(p["reasons"]), _("yes") if p["bim"] else _("no"),
                      _("yes") if p["living_alone"] else _("no")])
    response = HttpResponse(csv_bytes(header, lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="outreach-{zone}-{date.today():%Y-%m-%d}.csv"'
    record_access(request.user, "execute", "PopulationOutreachList", zone, request=request,
                  reason=f"outreach list exported as CSV ({len(rows)} persons, filters {extra['filters'] or 'none'})")
    return response
