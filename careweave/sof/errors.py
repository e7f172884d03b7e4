"""Errors of the SQL-on-FHIR engine."""

from __future__ import annotations


class ViewDefinitionError(ValueError):
    """The ViewDefinition is not valid or cannot be run (the message says which part and why)."""
