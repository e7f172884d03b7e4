"""Spider (radar) chart geometry for server-side SVG: 12 axes, rings 0-5, one polygon per series.

The template draws it; a table next to it carries the same numbers for screen readers (no JavaScript).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .dimensions import dimensions

SIZE = 360
CENTRE = SIZE / 2
RADIUS = 130
MAX_SCORE = 5


def _point(index: int, value: float, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # dimension 1 at the top, clockwise
    r = RADIUS * value / MAX_SCORE
    return round(CENTRE + r * math.cos(angle), 1), round(CENTRE + r * math.sin(angle), 1)


def _points(values: Sequence[float]) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(i, v, len(values)) for i, v in enumerate(values)))


@dataclass
class Series:
    label: str
    points: str
    css: str


def radar(series: Sequence[tuple[str, Mapping[str, float | None], str]]) -> dict:
    """``series``: (label, {dimension: value}, css class). Missing values are drawn at 0 (and shown as "–")."""
    dims = dimensions()
    count = len(dims)
    axes = []
    for i, d in enumerate(dims):
        x, y = _point(i, MAX_SCORE, count)
        lx, ly = _point(i, MAX_SCORE + 0.55, count)
        anchor = "middle" if abs(lx - CENTRE) < 8 else ("start" if lx > CENTRE else "end")
        axes.append({"x": x, "y": y, "lx": lx, "ly": ly, "anchor": anchor, "number": d.number, "name": d.name})
    rings = [{"score": s, "points": _points([s] * count), "ly": round(CENTRE - RADIUS * s / MAX_SCORE, 1)}
             for s in range(1, MAX_SCORE + 1)]
    drawn = [
        Series(label, _points([float(values.get(d.code) or 0) for d in dims]), css) for label, values, css in series
    ]
    return {"size": SIZE, "centre": CENTRE, "axes": axes, "rings": rings, "series": drawn}
