"""Forms of the financing pages; rules live in ``actions`` and come back as form errors."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.people.models import Organisation, Professional
from careweave.web.forms import numbers
from careweave.web.forms.base import DateInput

from .models import CareUnitBudget, Payer, ProvisionType, Unit
from .simulator import MODELS, SHADOW_MODELS, Parameters


class TypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProvisionType) -> str:
        return obj.name


class RegisterProvisionForm(forms.Form):
    provision_type = TypeChoice(label=_("Provision"), queryset=ProvisionType.objects.filter(active=True))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    quantity = numbers.DecimalField(label=_("Quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2,
                                  initial=1)
    professional = forms.ModelChoiceField(label=_("Professional"), required=False,
                                          queryset=Professional.objects.filter(active=True))
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False, queryset=Organisation.objects.all())
    payer = forms.ChoiceField(label=_("Payer"), choices=Payer.choices, initial=Payer.RIZIV)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, types: list[ProvisionType] | None = None,  # noqa: ANN002
                 providers: list[Professional] | None = None, allow_organisation: bool = True, **kwargs) -> None:  # noqa: ANN003
        """Only the choices the permission table allows the user (``financing.actions.registrable_types``,
        ``provider_choices``); the action checks again."""
        super().__init__(*args, **kwargs)
        if types is not None:
            self.fields["provision_type"].queryset = ProvisionType.objects.filter(pk__in=[t.pk for t in types])
        if providers is not None:
            self.fields["professional"].queryset = Professional.objects.filter(pk__in=[p.pk for p in providers])
            if len(providers) == 1 and not allow_organisation:
                self.fields["professional"].initial = providers[0].pk
        if not allow_organisation:
            del self.fields["organisation"]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("professional") and not data.get("organisation") and not self.has_error("professional"):
            raise forms.ValidationError(_("Say which professional or organisation provided it."))
        return data


class CancelProvisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AllocateBudgetForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
    units = numbers.DecimalField(label=_("Care units"), min_value=0, max_digits=8, decimal_places=2)


class TransferForm(forms.Form):
    target = forms.ModelChoiceField(label=_("To the budget of"), queryset=CareUnitBudget.objects.none())
    units = numbers.DecimalField(label=_("Care units"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, source: CareUnitBudget, **kwargs) -> None:  # noqa: ANN002
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = (CareUnitBudget.objects.filter(zone=source.zone, period_start=source.period_start,
                                                        period_end=source.period_end)
                          .exclude(pk=source.pk).select_related("person"))
        field.label_from_instance = lambda b: f"{b.person} ({b.period_start}–{b.period_end})"


class TariffForm(forms.Form):
    provision_type = TypeChoice(label=_("Provision"), queryset=ProvisionType.objects.all())
    payer = forms.ChoiceField(label=_("Payer"), choices=Payer.choices)
    amount = numbers.DecimalField(label=_("Amount (EUR)"), min_value=0, max_digits=10, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    source = forms.CharField(label=_("Source"), max_length=300)


MAX_EUR_PER_PERSON = 100_000.0
MAX_WEIGHT = 100.0


class SimulatorForm(forms.Form):
    """The simulator's parameters (GET, so a result can be bookmarked); defaults are example values."""

    year = forms.IntegerField(label=_("Reference year"), required=False, min_value=2000, max_value=2100)
    # Upper bounds keep every amount a number a budget could be ("1e308" made the plot show "€ inf").
    capitation_base = numbers.FloatField(label=_("Forfait per person per year (EUR)"), min_value=0,
                                       max_value=MAX_EUR_PER_PERSON, initial=160)
    weight_0 = numbers.FloatField(label=_("Risk weight, level 0"), min_value=0, max_value=MAX_WEIGHT, initial=0.6)
    weight_1 = numbers.FloatField(label=_("Risk weight, level 1"), min_value=0, max_value=MAX_WEIGHT, initial=1.0)
    weight_2 = numbers.FloatField(label=_("Risk weight, level 2"), min_value=0, max_value=MAX_WEIGHT, initial=1.8)
    weight_3 = numbers.FloatField(label=_("Risk weight, level 3"), min_value=0, max_value=MAX_WEIGHT, initial=3.0)
    bim_uplift = numbers.FloatField(label=_("Uplift for increased reimbursement (BIM), %"), min_value=0,
                                  max_value=500, initial=20)
    bundle_min_level = forms.IntegerField(label=_("Bundled payment from risk level"), min_value=0, max_value=3,
                                          initial=2)
    bundle_2 = numbers.FloatField(label=_("Bundle price per episode, level 2 (EUR)"), min_value=0,
                                max_value=MAX_EUR_PER_PERSON, initial=300)
    bundle_3 = numbers.FloatField(label=_("Bundle price per episode, level 3 (EUR)"), min_value=0,
                                max_value=MAX_EUR_PER_PERSON, initial=600)
    reinvest = numbers.FloatField(label=_("Share of an efficiency gain reinvested, %"), min_value=0, max_value=100,
                                initial=50)
    shadow = forms.ChoiceField(label=_("Virtual payment: model computed in the shadow"),
                               choices=[(m, MODELS[m]) for m in SHADOW_MODELS], initial="capitation")
    transition = numbers.FloatField(label=_("Transition: share paid under the shadow model, %"), min_value=0,
                                  max_value=100, initial=50)
    p4p_bonus = numbers.FloatField(label=_("Bonus per person per indicator target met (EUR)"), min_value=0,
                                 max_value=MAX_EUR_PER_PERSON, initial=10)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False  # a missing parameter keeps its default

    def parameters(self) -> Parameters:
        d = self.cleaned_data
        p = Parameters()

        def get(name: str) -> float:
            value = d.get(name)
            return self.fields[name].initial if value is None else value

        p.year = d.get("year")
        p.capitation_base = get("capitation_base")
        p.level_weights = {lv: get(f"weight_{lv}") for lv in range(4)}
        p.bim_uplift = get("bim_uplift") / 100
        p.bundle_min_level = int(get("bundle_min_level"))
        p.bundle_prices = {2: get("bundle_2"), 3: get("bundle_3")}
        p.bundle_prices.setdefault(1, p.bundle_prices[2])
        p.bundle_prices.setdefault(0, p.bundle_prices[2])
        p.reinvest_share = get("reinvest") / 100
        p.shadow_model = d.get("shadow") or "capitation"
        p.transition_share = get("transition") / 100
        for t in p.targets:
            t.bonus = get("p4p_bonus")
        return p
