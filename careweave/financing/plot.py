"""Geometry of the simulator's bar plot (server-side SVG, no JavaScript) and its table rows."""

from __future__ import annotations

import pandas as pd

from .simulator import MODELS, paid

# Okabe-Ito colours (distinguishable with colour-vision deficiencies); each bar also carries its value as text.
COLOURS = {"ffs": "#0072B2", "capitation": "#E69F00", "bundled": "#009E73", "guarantee": "#CC79A7",
           "virtual": "#56B4E9", "p4p": "#D55E00"}


def model_labels() -> list[dict]:
    return [{"id": m, "label": str(label), "colour": COLOURS[m]} for m, label in MODELS.items()]


def _eur(value: float) -> str:
    return f"€\u00a0{value:,.0f}".replace(",", "\u202f")


def table(zones: pd.DataFrame) -> list[dict]:
    rows = []
    for _i, r in zones.iterrows():
        p = paid(r)
        rows.append({
            "zone": r["zone"], "persons": int(r["persons"]), "actual": _eur(r["actual"]),
            "paid": [_eur(p[m]) for m in MODELS], "per_person": [_eur(p[m] / r["persons"]) for m in MODELS],
            "efficiency": _eur(r["efficiency"]), "gain": r["efficiency"] >= 0, "reinvested": _eur(r["reinvested"]),
            "shadow": _eur(r["virtual"]), "shadow_difference": _eur(r["virtual_difference"]),
            "transition": _eur(r["transition"]),
            "bonus": _eur(r["p4p_bonus"]), "targets_met": int(r["targets_met"]),
        })
    return rows


def bars(zones: pd.DataFrame, language: str | None = None, width: int = 760) -> dict:
    """Grouped horizontal bars: per zone, what each model pays per person (so zones of any size compare)."""
    label_w, bar_h, gap = 120, 12, 14
    models = list(MODELS)
    values = [[paid(r)[m] / r["persons"] for m in models] for _i, r in zones.iterrows()]
    top = max((v for row in values for v in row), default=0) or 1.0
    plot_w = width - label_w - 90
    groups, y = [], 8
    for (_i, r), row in zip(zones.iterrows(), values, strict=True):
        bars_ = []
        for j, (m, v) in enumerate(zip(models, row, strict=True)):
            w = max(1.0, v / top * plot_w)
            bars_.append({"model": m, "colour": COLOURS[m], "x": label_w, "y": y + j * bar_h, "w": round(w, 1),
                          "h": bar_h - 2, "value": _eur(v), "tx": round(label_w + w + 4, 1),
                          "ty": y + j * bar_h + bar_h - 3, "label": str(MODELS[m])})
        groups.append({"zone": r["zone"], "y": y + len(models) * bar_h / 2 + 4, "bars": bars_})
        y += len(models) * bar_h + gap
    return {"width": width, "height": y + 4, "groups": groups, "label_w": label_w}
