"""Shared form pieces: date inputs, the hidden version of versioned edits, rule violations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from careweave.careplans.errors import RuleViolation
from careweave.dates import check_date
from careweave.versioning import ChangedMeanwhile


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO, whatever the display locale."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def clean_date(kind: str, value: date | None, **context: Any) -> date | None:
    """The date rule of ``careweave.dates`` checked in the form too, so its message appears beside the field."""
    try:
        check_date(kind, value, **context)
    except RuleViolation as exc:
        raise ValidationError(str(exc), code=exc.rule) from None
    return value


class VersionedForm(forms.Form):
    """An edit form that says which version of the record the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def add_rule_error(form: forms.Form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a rule violation next to the field it concerns, or at the top of the form."""
    rule = getattr(exc, "rule", None)
    field = (fields or {}).get(rule or "")
    message = str(exc) if isinstance(exc, RuleViolation) else exc.messages[0]
    form.add_error(field if field in form.fields else None, message)


def run_form(form: forms.Form, run: Callable[[], object], fields: dict[str, str] | None = None) -> bool:
    """Run an action with a valid form; False, with the error beside the form, when the form, a change made
    meanwhile or a broken rule stops it (the action then changed nothing)."""
    if not form.is_valid():
        return False
    try:
        run()
    except ChangedMeanwhile as exc:
        form.add_error(None, str(exc))
    except RuleViolation as exc:
        add_rule_error(form, exc, fields)
    else:
        return True
    return False
