"""Aggregation arithmetic, the workshop suggestion (3-7 by spread, ties deterministic) and the yearly delta."""

from __future__ import annotations

import pytest

from careweave.maturity.aggregation import aggregate, compare, stats_for, suggest_for_workshop
from careweave.maturity.dimensions import codes

C = codes()


def test_statistics_of_one_dimension() -> None:
    s = stats_for("funding", [1, 2, 2, 5])
    assert (s.n, s.mean, s.median, s.minimum, s.maximum, s.spread) == (4, 2.5, 2.0, 1, 5, 4)
    assert s.sd == 1.5  # population SD of 1, 2, 2, 5
    assert s.counts == (0, 1, 2, 0, 0, 1)


def test_no_scores_gives_no_numbers() -> None:
    s = stats_for("funding", [])
    assert (s.n, s.mean, s.spread, s.sd) == (0, None, None, None)
    assert s.counts == (0,) * 6


def test_aggregate_over_participants_covers_all_twelve_and_skips_missing() -> None:
    stats = aggregate([{C[0]: 3, C[1]: 0}, {C[0]: 5}, {"unknown": 4}])
    assert set(stats) == set(C)
    assert stats[C[0]].mean == 4.0 and stats[C[0]].n == 2
    assert stats[C[1]].n == 1 and stats[C[1]].minimum == 0
    assert stats[C[2]].n == 0


def _people(columns: dict[str, list[int]]) -> list[dict[str, int]]:
    n = len(next(iter(columns.values())))
    return [{code: values[i] for code, values in columns.items()} for i in range(n)]


def test_suggestion_takes_the_largest_spread_first() -> None:
    columns = {code: [2, 2, 2] for code in C}
    columns[C[4]] = [0, 5, 3]  # spread 5
    columns[C[9]] = [1, 4, 2]  # spread 3
    columns[C[2]] = [1, 3, 2]  # spread 2
    assert suggest_for_workshop(aggregate(_people(columns)), 3) == [C[4], C[9], C[2]]


def test_ties_on_spread_go_by_standard_deviation_then_by_the_models_order() -> None:
    columns = {code: [3, 3, 3, 3] for code in C}
    columns[C[7]] = [0, 4, 4, 4]  # spread 4, sd 1.73
    columns[C[5]] = [0, 0, 4, 4]  # spread 4, sd 2.0: before C[7]
    columns[C[11]] = [1, 2, 2, 2]  # spread 1
    columns[C[3]] = [1, 2, 2, 2]  # the same: dimension 4 before 12
    assert suggest_for_workshop(aggregate(_people(columns)), 4) == [C[5], C[7], C[3], C[11]]


def test_dimensions_scored_by_one_person_come_last_and_the_count_is_3_to_7() -> None:
    stats = aggregate([{C[0]: 0, C[1]: 1}, {C[1]: 5}])
    assert suggest_for_workshop(stats, 3) == [C[1], C[0], C[2]]
    assert len(suggest_for_workshop(stats, 7)) == 7
    for wrong in (2, 8):
        with pytest.raises(ValueError):
            suggest_for_workshop(stats, wrong)


def test_year_comparison_gives_the_change_of_the_mean() -> None:
    before = aggregate([{C[0]: 2, C[1]: 3}, {C[0]: 3}])
    after = aggregate([{C[0]: 4, C[2]: 1}])
    changes = {c.dimension: c for c in compare(before, after)}
    assert changes[C[0]].delta == 1.5
    assert changes[C[1]].delta is None and changes[C[1]].before == 3.0
    assert changes[C[2]].before is None and changes[C[2]].after == 1.0
