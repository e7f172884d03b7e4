"""``{{ obj|generated:"field" }}``: a generated text in the reader's language (careweave.generated)."""

from __future__ import annotations

from typing import Any

from django import template

from careweave.generated import shown

register = template.Library()


@register.filter
def generated(obj: Any, field: str) -> str:
    """The record's generated sentence rendered now, or the field as typed when a person wrote it."""
    return shown(obj, field)
