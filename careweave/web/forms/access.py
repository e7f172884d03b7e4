"""Forms about access: the person's choices, and emergency access by a care professional."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.access.models import AccessRule, Level
from careweave.careplans.models import CareTeam, TeamMember
from careweave.people.identifiers import normalise_number, parse_ssin
from careweave.web.forms.base import DateInput


class SsinField(forms.CharField):
    """An SSIN as people type it (dots, dashes, spaces); the error says what is wrong with it."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("SSIN (national register number)"))
        kwargs.setdefault("help_text", _("11 digits, as on the eID card, e.g. 85.07.30-033.28."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: str) -> str:
        value = super().clean(value)
        if not value:
            return value
        return parse_ssin(normalise_number(value)).number


class EmergencyLookupForm(forms.Form):
    ssin = SsinField()


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need access now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        help_text=_("The person will see your name, the time and this reason."),
    )


class AccessChoiceForm(forms.Form):
    """The person makes access stricter or looser for one member of the team or a whole group."""

    grantee = forms.ChoiceField(label=_("Who"))
    level = forms.TypedChoiceField(
        label=_("May see"), choices=Level.choices, coerce=int, widget=forms.RadioSelect, initial=Level.PLAN
    )
    valid_until = forms.DateField(label=_("Until (optional)"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args, team: CareTeam | None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, object]] = [("", _("Choose"))]
        if team is not None:
            for m in team.members.filter(status=TeamMember.Status.ACTIVE).select_related(
                "professional", "related_person"
            ):
                key = f"pro:{m.professional_id}" if m.professional_id else f"rel:{m.related_person_id}"
                choices.append((key, f"{m.member} \u2014 {m.display_role}"))
        choices += [
            (f"sector:{value}", _("Everyone: %(group)s") % {"group": label})
            for value, label in AccessRule.Sector.choices
        ]
        self.fields["grantee"].choices = choices

    def clean_valid_until(self) -> date | None:
        value = self.cleaned_data.get("valid_until")
        if value is not None and value <= date.today():
            raise forms.ValidationError(_("Choose a date after today, or leave it empty."))
        return value

    def grantee_kwargs(self) -> dict:
        from careweave.people.models import Professional, RelatedPerson

        kind, _sep, value = self.cleaned_data["grantee"].partition(":")
        if kind == "pro":
            return {"professional": Professional.objects.get(pk=value)}
        if kind == "rel":
            return {"related_person": RelatedPerson.objects.get(pk=value)}
        return {"sector": value}
