"""Helpers shared by the domain tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from careweave.careplans.errors import RuleViolation


def refused(call: Callable, *args, **kwargs) -> RuleViolation:  # noqa: ANN002, ANN003
    """Call an action that must be refused; return the violation after checking it says why."""
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert str(caught.value).strip(), "every violated rule says what is wrong"
    return caught.value
