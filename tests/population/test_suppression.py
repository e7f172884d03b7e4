"""Small-cell suppression: no small cell shown, no hidden cell recomputable from the totals."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from careweave.population.suppression import suppress_table, suppress_vector, with_margins


def _determinable(mask: np.ndarray) -> list[tuple[int, int]]:
    """Hidden entries of a table with margins that linear algebra can recover (independent check)."""
    rows, cols = mask.shape
    unknown = [tuple(x) for x in np.argwhere(mask)]
    if not unknown:
        return []
    index = {u: i for i, u in enumerate(unknown)}
    eqs = []
    for i in range(rows):  # each row: interior cells minus its total (last column) = 0
        eq = np.zeros(len(unknown))
        for j in range(cols):
            if (i, j) in index:
                eq[index[(i, j)]] = -1.0 if j == cols - 1 else 1.0
        eqs.append(eq)
    for j in range(cols):
        eq = np.zeros(len(unknown))
        for i in range(rows):
            if (i, j) in index:
                eq[index[(i, j)]] = -1.0 if i == rows - 1 else 1.0
        eqs.append(eq)
    a = np.array(eqs)
    rank = np.linalg.matrix_rank(a)
    found = []
    for u, i in index.items():
        e = np.zeros(len(unknown))
        e[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.append(u)
    return found


tables = st.tuples(st.integers(1, 6), st.integers(1, 5)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 40)))


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 10))
def test_two_way_tables_protect_small_cells(n, k):
    mask = suppress_table(n, None, k)
    grid = with_margins(n)
    assert mask.shape == grid.shape
    assert not ((grid < k) & ~mask).any(), "a cell under k is shown"
    assert _determinable(mask) == [], "a hidden cell can be recomputed from the totals"


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(2, 8))
def test_numerators_are_protected_too(n, k):
    num = n // 2
    mask = suppress_table(n, num, k)
    gnum = with_margins(num)
    assert not ((gnum > 0) & (gnum < k) & ~mask).any()
    assert _determinable(mask) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=12), st.integers(2, 10))
def test_vectors_never_leave_one_hidden_cell(values, k):
    n = np.array(values)
    mask, total_hidden = suppress_vector(n, None, k)
    shown_small = (n < k) & ~mask
    assert not shown_small.any()
    if not total_hidden:
        assert mask.sum() != 1, "one hidden cell equals the total minus the others"
    else:
        assert mask.all() or n.sum() >= k


def test_known_example():
    n = np.array([[20, 3, 30], [25, 40, 35]])
    mask = suppress_table(n, None, 5)
    assert mask[0, 1]                      # the small cell
    assert mask[0].sum() >= 2 and mask[:, 1].sum() >= 2  # and its complements
    assert not mask[-1, -1]                # the grand total stays visible
