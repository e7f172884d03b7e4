"""Forms of the social map: search, the provider's own entry, referral and the receiver's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careweave.people.models import Discipline, Language, Sector
from careweave.territory.actions import REFERRAL_NOTE_MAX, parse_day_hours
from careweave.territory.models import OpeningHours, Referral, Service, Zone
from careweave.web.forms import numbers


class SearchForm(forms.Form):
    """GET form: works without JavaScript; the map only adds markers on top of the list."""

    q = forms.CharField(label=_("Name or keyword"), required=False, max_length=100)
    discipline = forms.ChoiceField(label=_("Discipline"), required=False,
                                   choices=[("", _("any discipline")), *Discipline.choices])
    language = forms.ChoiceField(label=_("Speaks"), required=False,
                                 choices=[("", _("any language")), *Language.choices])
    category = forms.ChoiceField(label=_("Kind of service"), required=False,
                                 choices=[("", _("any kind")), *Service.Category.choices])
    near = forms.CharField(label=_("Near (postal code or latitude,longitude)"), required=False, max_length=40)
    within_km = forms.IntegerField(label=_("Within (km)"), required=False, min_value=1, max_value=300)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    zone = forms.ModelChoiceField(label=_("Only in zone"), required=False, queryset=Zone.objects.none(),
                                  empty_label=_("all zones"), to_field_name="code")
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.exclude(kind=Zone.Kind.STATISTICAL_SECTOR).order_by("kind", "name")


WEEKDAYS = list(OpeningHours.Weekday.choices)


class ServiceForm(forms.Form):
    """The provider's own entry, opening hours as one line per weekday ("09:00-12:00 13:00-17:00")."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    name = forms.CharField(label=_("Name of the service"), max_length=200)
    description = forms.CharField(label=_("What you offer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("Kind of service"), choices=Service.Category.choices)
    discipline = forms.ChoiceField(label=_("Discipline"), choices=Discipline.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    languages = forms.MultipleChoiceField(label=_("Languages spoken"), choices=Language.choices,
                                          widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    street = forms.CharField(label=_("Street and number"), required=False, max_length=200)
    postal_code = forms.RegexField(label=_("Postal code"), regex=r"^\d{4}$",
                                   error_messages={"invalid": _("A Belgian postal code has four digits.")})
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    latitude = numbers.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                help_text=_("Leave empty to use the centre of the postal code."))
    longitude = numbers.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    wheelchair_access = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    home_visits = forms.BooleanField(label=_("Home visits"), required=False)
    accepts_referrals = forms.BooleanField(label=_("Accepts referrals through Careweave"), required=False,
                                           initial=True)
    active = forms.BooleanField(label=_("Shown on the map"), required=False, initial=True)
    zones = forms.ModelMultipleChoiceField(
        label=_("Also part of these zones"), required=False, queryset=Zone.objects.none(),
        help_text=_("Zones found from the address are added by themselves; add others you know of."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.order_by("kind", "name")
        for day, label in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label, required=False, max_length=100, help_text=_("e.g. 09:00-12:00 13:30-17:00")
            )

    def clean(self) -> dict:
        data = super().clean()
        hours = {}
        for day, _label in WEEKDAYS:
            try:
                hours[day] = parse_day_hours(data.get(f"hours_{day}") or "")
            except ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
        data["hours"] = hours
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return data

    def service_values(self) -> dict:
        d = self.cleaned_data
        keys = ("name", "description", "category", "discipline", "sector", "phone", "email", "website",
                "accepts_referrals", "home_visits", "active")
        return {**{k: d[k] for k in keys}, "languages": ",".join(d["languages"])}

    def location_values(self) -> dict:
        d = self.cleaned_data
        keys = ("street", "postal_code", "municipality", "wheelchair_access", "latitude", "longitude")
        return {k: d[k] for k in keys if d.get(k) is not None}


class ReferralForm(forms.Form):
    service = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why do you refer?"), max_length=300)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    note = forms.CharField(label=_("Note for the receiver"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=REFERRAL_NOTE_MAX,
                           help_text=_("Only what the receiver needs; the plan itself is shared once they join "
                                       "the team with the person's agreement."))


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason or note"), required=False, max_length=300)
