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


def bubbles(counts: Mapping[str, Sequence[int]]) -> dict:
    """How many gave which score to which dimension (001 l.7812-7816): one row per dimension, a circle
    per score whose area grows with the count (the view the seeds propose for large groups)."""
    dims = dimensions()
    biggest = max((c for row in counts.values() for c in row), default=0) or 1
    left, top, column, row_height = 40, 24, 44, 26
    rows = []
    for i, d in enumerate(dims):
        y = top + i * row_height + row_height / 2
        cells = [
            {"x": left + s * column + column / 2, "r": round(11 * math.sqrt(n / biggest), 1) if n else 0, "n": n,
             "score": s}
            for s, n in enumerate(counts.get(d.code, [0] * (MAX_SCORE + 1)))
        ]
        rows.append({"y": y, "number": d.number, "name": d.name, "cells": cells})
    width = left + (MAX_SCORE + 1) * column + 8
    height = top + len(dims) * row_height + 4
    heads = [{"x": left + s * column + column / 2, "score": s} for s in range(MAX_SCORE + 1)]
    return {"width": width, "height": height, "rows": rows, "heads": heads, "left": left}


def vote_bars(room: Sequence[int], questionnaire: Sequence[int]) -> dict:
    """The room's vote per score (0-5) beside the questionnaire's scores of the same dimension (C13-R07).

    Two bars per score, each scaled to its own total so that 6 votes and 20 questionnaires compare as
    shares; the bar's number is the count. The template adds a table with the same numbers.
    """
    left, top, column, height, bar = 28, 18, 52, 150, 18
    room_total, asked_total = sum(room) or 1, sum(questionnaire) or 1
    bars = []
    for score in range(MAX_SCORE + 1):
        x = left + score * column
        n, m = room[score], questionnaire[score]
        h_room, h_asked = round(height * n / room_total, 1), round(height * m / asked_total, 1)
        bars.append({
            "score": score, "x": x + column / 2, "room": n, "asked": m,
            "room_x": x + 6, "room_y": round(top + height - h_room, 1), "room_h": h_room,
            "asked_x": x + 6 + bar + 2, "asked_y": round(top + height - h_asked, 1), "asked_h": h_asked,
        })
    return {"width": left + (MAX_SCORE + 1) * column + 4, "height": top + height + 22, "bars": bars, "bar": bar,
            "base": top + height, "left": left, "label_y": top + height + 16}
