"""Forms of the maturity pages (Django forms give the field errors; the actions give the rule errors)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .aggregation import WORKSHOP_DEFAULT, WORKSHOP_MAX, WORKSHOP_MIN
from .dimensions import dimensions


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    label = forms.CharField(label=_("Label (optional)"), max_length=120, required=False)


class InviteForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    role = forms.CharField(label=_("Role or background"), max_length=200, required=False)

    def clean_username(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError(_("There is no account with this user name."))
        return user


class SuggestForm(forms.Form):
    count = forms.IntegerField(
        label=_("Dimensions to suggest"), min_value=WORKSHOP_MIN, max_value=WORKSHOP_MAX, initial=WORKSHOP_DEFAULT
    )


def dimension_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.number}. {d.name}") for d in dimensions()]


class WorkshopForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(label=_("Number of attendees"), min_value=0, max_value=500, initial=0)
    chosen = forms.MultipleChoiceField(
        label=_("Dimensions to discuss (3 to 7)"), widget=forms.CheckboxSelectMultiple, choices=dimension_choices
    )
