"""Forms of the assessment pages: one screen of an instrument, the professional's judgement, a goal.

The screen form only parses what the browser sent (a whole number is a number, a date a date);
ranges, options and required answers are the engine's rules (``Definition.validate``), so the
web form, the offline sync and the FHIR API refuse the same answers with the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.web.forms import numbers
from careweave.web.forms.base import DateInput, VersionedForm

ANSWERABLE = {"choice", "boolean", "integer", "decimal", "string", "text", "date"}


def field_name(link_id: str) -> str:
    """The HTML name of an item's input (linkIds may hold dots; names stay readable)."""
    return f"q-{link_id}"


def slug(link_id: str) -> str:
    """An id attribute for an item, safe in CSS selectors and fragment links."""
    return "q-" + re.sub(r"[^A-Za-z0-9_-]", "-", link_id)


def answerable(item: Any) -> Iterator[Any]:
    """The items under ``item`` (itself included) that take an answer, in order."""
    if item.type in ANSWERABLE:
        yield item
    for child in item.items or ():
        yield from answerable(child)


def _field(item: Any, lang: str) -> forms.Field:
    label = item.label(lang)
    if item.type == "choice":
        choices = [(o.code, o.label(lang)) for o in item.options]
        return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)
    if item.type == "boolean":
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("true", _("Yes")), ("false", _("No"))],
            coerce=lambda value: value == "true",
            empty_value=None,
            widget=forms.RadioSelect,
        )
    if item.type == "integer":
        return numbers.IntegerField(label=label, required=False)
    if item.type == "decimal":
        return numbers.FloatField(label=label, required=False)
    if item.type == "date":
        return forms.DateField(label=label, required=False, widget=DateInput)
    widget = forms.Textarea if item.type == "text" else forms.TextInput
    return forms.CharField(label=label, required=False, max_length=item.max_length, widget=widget)


class ScreenForm(forms.Form):
    """The answers of one screen (section). Nothing is required here: completing checks that."""

    def __init__(self, section: Any, lang: str, data: Any = None) -> None:
        super().__init__(data)
        self.items = list(answerable(section))
        for item in self.items:
            self.fields[field_name(item.link_id)] = _field(item, lang)

    def answers(self) -> dict[str, Any]:
        """The answered items of this screen as engine answers (a choice is its code, a date ISO)."""
        result: dict[str, Any] = {}
        for item in self.items:
            value = self.cleaned_data.get(field_name(item.link_id))
            if value is None or value == "":
                continue
            result[item.link_id] = value.isoformat() if hasattr(value, "isoformat") else value
        return result

    def errors_by_link_id(self) -> dict[str, str]:
        return {
            item.link_id: " ".join(str(e) for e in self.errors[field_name(item.link_id)])
            for item in self.items
            if field_name(item.link_id) in self.errors
        }


class JudgementForm(VersionedForm):
    """The professional's own judgement differs from the score: say why (001 l.3488)."""

    reason = forms.CharField(
        label=_("Why does your judgement differ?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write down why your judgement differs from the score.")},
    )


class GoalFromScoreForm(forms.Form):
    text = forms.CharField(
        label=_("The goal, in words the person recognises"),
        max_length=500,
        error_messages={"required": _("Write the goal.")},
    )


class VersionOnlyForm(VersionedForm):
    """Share with the team: only the version the carer saw."""
