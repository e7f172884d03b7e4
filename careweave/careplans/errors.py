"""Rule violations carry a stable code (for the API and tests) and a translated message."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A care rule was broken. ``code`` names the rule; the message says which and why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.rule = code
        self.text = str(message)

    def __str__(self) -> str:
        return self.text


class DuplicateRecord(RuleViolation):
    """The record would duplicate one already kept (an SSIN, a NIHDI number, a source's identifier).

    A rule violation like any other for the pages; the FHIR API answers it with 409 Conflict, and a
    conditional create that lost a race to a concurrent one answers with the record that won.
    """
