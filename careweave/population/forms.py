"""Forms of the outreach, macro and PDCA pages (field errors here; rule errors come from the actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from careweave.web.forms.base import DateInput, VersionedForm, clean_date, run_form
from careweave.web.forms.numbers import FloatField

from .indicators import catalogue
from .models import OutreachItem, PdcaAction
from .stratify import load_yaml


class SendListForm(forms.Form):
    """Which of the zone's lists to send to the GPs."""

    reason = forms.ChoiceField(label=_lazy("Reason"), required=False)
    level = forms.ChoiceField(label=_lazy("Pyramid level"), required=False)
    note = forms.CharField(label=_lazy("Note for the GPs (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        everyone = [("", _("all"))]
        from .outreach import gap_label, gap_lists

        self.fields["reason"].choices = everyone + [
            (o["id"], _(o["reason"])) for o in load_yaml("stratification")["outreach"]] + [
            (code, gap_label(d)) for code, d in gap_lists().items()]
        levels = load_yaml("stratification")["levels"]
        self.fields["level"].choices = everyone + [(str(lv), f"{lv} · {_(levels[lv])}") for lv in (3, 2, 1, 0)]


class FollowUpForm(VersionedForm):
    state = forms.ChoiceField(choices=OutreachItem.State.choices)


def indicator_choices() -> list[tuple[str, str]]:
    return [(d["id"], _(d["name"])) for d in catalogue()]


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_lazy("Indicator"))
    target_value = FloatField(label=_lazy("Target value"))
    target_year = forms.IntegerField(label=_lazy("Target year"), min_value=2000, max_value=2100)
    rationale = forms.CharField(label=_lazy("Why this target (optional)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()


class ActionForm(forms.Form):
    description = forms.CharField(label=_lazy("Action"), max_length=300)
    owner_name = forms.CharField(label=_lazy("Owner"), max_length=120)
    due_date = forms.DateField(label=_lazy("Date"), widget=DateInput())

    def clean_due_date(self):  # noqa: ANN201
        return clean_date("pdca_date", self.cleaned_data.get("due_date"))


class ActionEditForm(VersionedForm):
    description = forms.CharField(label=_lazy("Action"), max_length=300)
    owner_name = forms.CharField(label=_lazy("Owner"), max_length=120)
    due_date = forms.DateField(label=_lazy("Date"), widget=DateInput())
    status = forms.ChoiceField(label=_lazy("Status"), choices=PdcaAction.Status.choices)


class ReviewForm(forms.Form):
    planned_on = forms.DateField(label=_lazy("Review on"), widget=DateInput())

    def clean_planned_on(self):  # noqa: ANN201
        return clean_date("pdca_date", self.cleaned_data.get("planned_on"))


class ReviewRecordForm(VersionedForm):
    learned = forms.CharField(label=_lazy("What we learned and what we change"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


__all__ = ["ActionEditForm", "ActionForm", "FollowUpForm", "ReviewForm", "ReviewRecordForm", "SendListForm",
           "TargetForm", "run_form"]
