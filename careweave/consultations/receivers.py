"""What the consultations app does when another context signals something."""

from __future__ import annotations

from typing import Any


def propose_at_transition(sender: Any, person: Any, kind: str = "", label: str = "", on: Any = None,
                          actor: Any = None, source: Any = None, message: dict | None = None, **kwargs: Any) -> None:
    """A phase or care setting changed: propose an MDO (SEED C8-R01, 001 l. 19370-19376, l. 19479-19485)."""
    from careweave.consultations.actions import propose_for_transition

    propose_for_transition(person, kind, label, on, actor=actor, source=source, generated=message)
