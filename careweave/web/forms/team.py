"""Forms for the care team: adding members, coordination, calling in a case manager."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import CareTeam, CoordinationEpisode, TeamMember
from careweave.careplans.models.coordination import Trigger
from careweave.people.models import RelatedPerson


class ProfessionalSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a professional"),
        required=False,
        max_length=100,
        help_text=_("Name, discipline, organisation or municipality."),
    )


class AddProfessionalForm(forms.Form):
    professional = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.CharField(label=_("Role in the team (optional)"), required=False, max_length=100)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=300)


class AddNetworkForm(forms.Form):
    """Someone from the person's informal network: already known, or new."""

    existing = forms.ModelChoiceField(
        label=_("Someone already known"),
        queryset=RelatedPerson.objects.none(),
        required=False,
        empty_label=_("(someone new, fill in below)"),
    )
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    relationship = forms.ChoiceField(
        label=_("Relationship"),
        required=False,
        choices=[("", _("Choose"))] + list(RelatedPerson.Relationship.choices),
    )
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40)

    def __init__(self, *args, team: CareTeam, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        in_team = team.members.filter(
            status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED], related_person__isnull=False
        ).values_list("related_person_id", flat=True)
        self.fields["existing"].queryset = team.person.network.filter(active=True).exclude(pk__in=in_team)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("existing"):
            return data
        for name in ("given_name", "family_name", "relationship"):
            if not data.get(name):
                self.add_error(name, _("Fill this in for someone new, or choose someone already known."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)


class TakeOnCoordinationForm(forms.Form):
    reason = forms.CharField(
        label=_("Why coordination is needed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assessment = forms.CharField(label=_("Supporting assessment (optional)"), required=False, max_length=200)


class ProposeCoordinatorForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Team member"), queryset=TeamMember.objects.none())
    reason = forms.CharField(label=_("Why (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, team: CareTeam, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team.members.filter(status=TeamMember.Status.ACTIVE).select_related(
            "professional", "related_person"
        )
        self.fields["member"].label_from_instance = lambda m: f"{m.member} \u2014 {m.display_role}"


class EndCoordinationForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why coordination ends"),
        choices=[("", _("Choose"))]
        + [
            c
            for c in CoordinationEpisode.EndReason.choices
            if c[0] not in (CoordinationEpisode.EndReason.HANDED_OVER, CoordinationEpisode.EndReason.LEFT_TEAM)
        ],
    )


class RingTheBellForm(forms.Form):
    triggers = forms.MultipleChoiceField(
        label=_("Why is a case manager needed?"),
        choices=Trigger.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one reason.")},
    )
    description = forms.CharField(
        label=_("Describe the situation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is going wrong, who is involved, what was tried."),
    )
