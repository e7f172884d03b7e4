"""Small helpers shared by the views: safe redirects back, conflicts shown as a diff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def back(request: HttpRequest, default: str, anchor: str = "") -> HttpResponseRedirect:
    """Return to where the user came from (``next``), if it is on this site, else to ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target + anchor if "#" not in target else target)
    return redirect(default + anchor)


def show(value: Any, form_field: forms.Field | None = None) -> str:
    """A value as a user reads it: choice labels, localized dates, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "\u2014"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, models.Model):
        return str(value)
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {str(k): v for k, v in choices}
        if str(value) in labels:
            return str(labels[str(value)])
    return str(value)


def conflict_rows(form: forms.Form, current: dict[str, Any]) -> list[dict[str, str]]:
    """What someone else saved meanwhile next to what this user typed, for the fields that differ."""
    rows = []
    for name, theirs in current.items():
        if name not in form.fields:
            continue
        yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
        theirs_text, yours_text = show(theirs, form.fields[name]), show(yours, form.fields[name])
        if theirs_text != yours_text:
            rows.append({"label": str(form.fields[name].label), "theirs": theirs_text, "yours": yours_text})
    return rows


def rebind_with_version(form_class: type[forms.Form], request: HttpRequest, version: int, **kwargs: Any) -> forms.Form:
    """The user's input, kept as typed, now based on the current version: saving again is a deliberate choice."""
    data = request.POST.copy()
    prefix = kwargs.get("prefix") or getattr(form_class, "prefix", None)
    data[f"{prefix}-version" if prefix else "version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form
