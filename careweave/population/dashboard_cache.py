"""The zone dashboard answers from memory once it has been computed (issue 11.8).

Computing a zone's breakdowns takes about a second (more on a busy machine); they only change
when the population data set changes. Results are kept in this process, keyed by a signature of
the data files (path, size and modification time of every Parquet file and the manifest), so a
regenerated or re-imported data set is picked up on the next request without a restart.
The cache is small (a few zones x languages) and bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 64

_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def data_signature(data_dir: str | Path) -> tuple:
    """What identifies this version of the data set: every data file's name, size and mtime."""
    root = Path(data_dir)
    files = []
    for path in sorted(root.rglob("*")):
        if path.relative_to(root).parts[0] == "_results":
            continue  # derived from the files below, recomputed by ``api.results`` when they change
        if path.suffix in (".parquet", ".json") and path.is_file():
            stat = path.stat()
            files.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return (str(root.resolve()), tuple(files))


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for ``key``, computed once (concurrent first requests may compute it twice)."""
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value = compute()
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
