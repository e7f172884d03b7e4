"""Arithmetic of a round: per-dimension statistics, the workshop suggestion and the year comparison.

Plain functions over plain values so that the rules are tested without a database.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .dimensions import SCORES, codes

WORKSHOP_MIN, WORKSHOP_MAX, WORKSHOP_DEFAULT = 3, 7, 5  # 001 l.7862-7864: "tussen 3 en 7 dimensies"


@dataclass(frozen=True)
class DimensionStats:
    dimension: str
    n: int
    mean: float | None
    median: float | None
    minimum: int | None
    maximum: int | None
    sd: float | None
    counts: tuple[int, ...]  # how many gave 0, 1, ... 5 (the bubble view, C13-R04)

    @property
    def spread(self) -> int | None:
        return None if self.n == 0 else self.maximum - self.minimum


def stats_for(dimension: str, scores: Sequence[int]) -> DimensionStats:
    if not scores:
        return DimensionStats(dimension, 0, None, None, None, None, None, tuple(0 for _ in SCORES))
    return DimensionStats(
        dimension,
        len(scores),
        round(statistics.fmean(scores), 2),
        float(statistics.median(scores)),
        min(scores),
        max(scores),
        round(statistics.pstdev(scores), 2),
        tuple(sum(1 for s in scores if s == level) for level in SCORES),
    )


def aggregate(score_sets: Iterable[Mapping[str, int]]) -> dict[str, DimensionStats]:
    """Statistics per dimension over participants' ``{dimension: score}`` maps (complete scores only)."""
    per: dict[str, list[int]] = {code: [] for code in codes()}
    for scores in score_sets:
        for code, score in scores.items():
            if code in per and score is not None:
                per[code].append(score)
    return {code: stats_for(code, values) for code, values in per.items()}


def suggest_for_workshop(stats: Mapping[str, DimensionStats], count: int = WORKSHOP_DEFAULT) -> list[str]:
    """The ``count`` (3-7) dimensions whose scores lie furthest apart (001 l.7866-7870, criterion 1).

    Rule: largest range (max - min) first, then largest standard deviation, then the model's order
    (dimension 1 before 12); dimensions scored by fewer than two people have no spread and come last.
    """
    if not WORKSHOP_MIN <= count <= WORKSHOP_MAX:
        raise ValueError(count)
    order = {code: i for i, code in enumerate(codes())}

    def key(code: str) -> tuple:
        s = stats[code]
        if s.n < 2:
            return (1, 0, 0, order[code])
        return (0, -s.spread, -s.sd, order[code])

    return sorted(stats, key=key)[:count]


@dataclass(frozen=True)
class Change:
    dimension: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


def compare(before: Mapping[str, DimensionStats], after: Mapping[str, DimensionStats]) -> list[Change]:
    """Per dimension, the mean of the earlier round against this one (C13-R13 trend)."""
    return [Change(code, before[code].mean, after[code].mean) for code in codes()]
