"""Small-cell suppression: primary (cells under k) and secondary (complementary) suppression.

Why: zone and higher levels must never show a cell that identifies a handful of persons
(PRODUCT.md §2.3), and a hidden cell must not be recomputable from the row and column totals.

A table with margins is an (R+1) x (C+1) grid whose entries each take part in one row equation
and one column equation. Seen as a bipartite graph (row nodes, column nodes, entries as edges),
a suppressed entry can be recomputed exactly when it is a *bridge* of the graph formed by the
suppressed entries (it lies on no cycle). Secondary suppression therefore closes a cheapest
rectangle through every bridge until no bridge is left. Tests check the result independently
with linear algebra (rank of the system of the suppressed unknowns).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def primary(n: np.ndarray, num: np.ndarray | None, k: int) -> np.ndarray:
    """Cells to hide: fewer than ``k`` units, or a count numerator between 1 and k-1."""
    n = np.asarray(n)
    mask = n < k
    if num is not None:
        num = np.asarray(num)
        mask |= (num > 0) & (num < k)
    return mask


def suppress_vector(n, num=None, k: int = 5) -> tuple[np.ndarray, bool]:
    """1-D breakdown with its total: (mask of hidden cells, total hidden).

    With one equation (cells add up to the total) a single hidden entry can be recomputed, so
    a second one (the smallest remaining cell) is hidden too.
    """
    n = np.asarray(n, dtype=float)
    numa = None if num is None else np.asarray(num, dtype=float)
    mask = primary(n, numa, k)
    total_hidden = bool(primary(np.array([n.sum()]), None if numa is None else np.array([numa.sum()]), k)[0])
    if total_hidden:
        return np.ones_like(mask), True
    if mask.sum() == 1:
        rest = np.flatnonzero(~mask)
        if rest.size:
            mask[rest[np.argmin(n[rest])]] = True
        else:  # a single cell equal to the total
            total_hidden = True
    return mask, total_hidden


def _bridges(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Edges of a small bipartite graph that lie on no cycle (rows as r, columns as c nodes)."""
    adj: dict[tuple[str, int], list[tuple[tuple[str, int], int]]] = defaultdict(list)
    for idx, (i, j) in enumerate(edges):
        adj[("r", i)].append((("c", j), idx))
        adj[("c", j)].append((("r", i), idx))
    out = []
    for idx, (i, j) in enumerate(edges):
        start, goal = ("r", i), ("c", j)
        seen = {start}
        stack = [start]
        found = False
        while stack and not found:
            node = stack.pop()
            for nxt, eidx in adj[node]:
                if eidx == idx or nxt in seen:
                    continue
                if nxt == goal:
                    found = True
                    break
                seen.add(nxt)
                stack.append(nxt)
        if not found:
            out.append((i, j))
    return out


def with_margins(values: np.ndarray) -> np.ndarray:
    """The table with a total column and a total row appended."""
    v = np.asarray(values, dtype=float)
    v = np.hstack([v, v.sum(axis=1, keepdims=True)])
    return np.vstack([v, v.sum(axis=0, keepdims=True)])


def suppress_table(n, num=None, k: int = 5) -> np.ndarray:
    """Mask over the (R+1) x (C+1) table with margins: True = hidden.

    ``n`` are unit counts per cell (persons), ``num`` an optional count numerator; both are
    protected since they share the suppression pattern.
    """
    grid = with_margins(n)
    num_grid = None if num is None else with_margins(num)
    mask = primary(grid, num_grid, k)
    if not mask.any():
        return mask
    cost = grid + 1.0  # hide small cells first; the grand total is the most expensive
    rows, cols = grid.shape
    while True:
        edges = [(int(i), int(j)) for i, j in zip(*np.nonzero(mask), strict=True)]
        bridges = _bridges(edges)
        if not bridges:
            return mask
        i, j = bridges[0]
        best, best_cost = None, np.inf
        for i2 in range(rows):
            if i2 == i:
                continue
            for j2 in range(cols):
                if j2 == j:
                    continue
                c = sum(cost[a, b] for a, b in ((i, j2), (i2, j), (i2, j2)) if not mask[a, b])
                if c < best_cost:
                    best, best_cost = (i2, j2), c
        if best is None:  # a single row or column: everything in the line goes
            mask[i, :] = True
            mask[:, j] = True
            continue
        i2, j2 = best
        mask[i, j2] = mask[i2, j] = mask[i2, j2] = True
