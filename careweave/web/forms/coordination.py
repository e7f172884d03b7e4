"""Forms of the zone's contact point, the registry, case managers and the caseload filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import CaseManagementEpisode, TrainingRecord
from careweave.people.models import Professional
from careweave.territory.models import Zone
from careweave.web.forms.base import DateInput


class AppointForm(forms.Form):
    case_manager = forms.ModelChoiceField(
        label=_("Case manager"), queryset=Professional.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, zone: Zone | None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = Professional.objects.filter(
            trainings__zone=zone, trainings__function=TrainingRecord.Function.CASE_MANAGER, trainings__active=True
        ).distinct()


class DeclineRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Why case management is not needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person who rang the bell will read this."),
    )


class TrainingForm(forms.Form):
    professional = forms.ModelChoiceField(label=_("Professional"), queryset=Professional.objects.none())
    function = forms.ChoiceField(label=_("Function"), choices=TrainingRecord.Function.choices)
    trained_on = forms.DateField(label=_("Trained on"), widget=DateInput)
    capacity = forms.IntegerField(label=_("Caseload capacity"), min_value=1, max_value=500, initial=20)

    def __init__(self, *args, zone: Zone, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = Professional.objects.filter(active=True).order_by(
            "family_name", "given_name"
        )


class EndCaseManagementForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why case management ends"),
        choices=[("", _("Choose"))] + list(CaseManagementEpisode.EndReason.choices),
    )


class CaseloadFilterForm(forms.Form):
    SHOW = [
        ("all", _("Everyone")),
        ("coordinating", _("I coordinate")),
        ("overdue", _("Overdue tasks")),
        ("review", _("Review due")),
        ("waiting", _("Waiting for agreement")),
        ("carer_help", _("A carer asks for help")),
    ]
    SORT = [("name", _("Name")), ("review", _("Next review")), ("overdue", _("Most overdue tasks"))]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False, initial="all")
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT, required=False, initial="name")
