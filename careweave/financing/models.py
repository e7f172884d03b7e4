"""Provisions (verstrekkingen), tariffs with validity periods, care-unit budgets and transfers (C9).

The seeds give the Protocol 3 provision set (003 l.6-27, l.231-235) but no amounts (SEED-REQUIREMENTS C9,
"No tariffs ... are given anywhere"): tariffs are data with validity periods, and the ones shipped are
marked ``is_example`` and labelled "example tariff" wherever they are shown or exported.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel


class Payer(models.TextChoices):
    """Who pays a provision; P3 provisions and MDO fees are paid by the federal insurance (RIZIV/INAMI)."""

    RIZIV = "riziv", _("RIZIV/INAMI (federal health insurance)")
    FLEMISH = "vsb", _("Flemish Social Protection (VSB)")
    REGION = "region", _("Region or community")
    PERSON = "person", _("The person (own contribution)")


class Unit(models.TextChoices):
    SESSION = "session", _("per session")
    HOUR = "hour", _("per hour")
    CARE_UNIT = "care_unit", _("per care unit")


class ProvisionType(models.Model):
    """A kind of provision. ``code`` is the label printed in the P3 table (003 l.6-27); MDO is the fee of C8."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    default_unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.SESSION)
    care_units = models.DecimalField(
        _("care units per unit"), max_digits=6, decimal_places=2, default=1,
        help_text=_("How many of the person's care units one unit of this provision uses (0: outside the budget)."),
    )
    group = models.BooleanField(_("group session"), default=False)
    active = models.BooleanField(_("active"), default=True)
    disciplines = models.JSONField(
        _("disciplines that may provide it"), default=list, blank=True,
        help_text=_("Discipline codes of the professionals who may provide this type (e.g. psychologist)."),
    )
    medical = models.BooleanField(
        _("medical"), default=False,
        help_text=_("Seen only by those with full access to the person's file."),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("provision type")
        verbose_name_plural = _("provision types")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        """The type's name in the reader's language (codes are stored, names rendered, decision 0012)."""
        from .catalogue import TYPE_NAMES

        return str(TYPE_NAMES.get(self.code, self.code))


class Tariff(models.Model):
    """An amount per unit for a type and payer, valid from ``valid_from`` to ``valid_to`` (both inclusive)."""

    provision_type = models.ForeignKey(ProvisionType, on_delete=models.PROTECT, related_name="tariffs",
                                       verbose_name=_("provision type"))
    payer = models.CharField(_("payer"), max_length=20, choices=Payer.choices, default=Payer.RIZIV)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.SESSION)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: open-ended."))
    is_example = models.BooleanField(_("example tariff"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["provision_type__order", "payer", "valid_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="financing_tariff_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="financing_tariff_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provision_type.code} {self.payer} {self.amount} ({self.valid_from}–{self.valid_to or '…'})"

    @property
    def source_text(self) -> str:
        """The source as typed; for an example tariff without one, the note in the reader's language."""
        if self.source or not self.is_example:
            return self.source
        return str(_("No real amount yet: replace it with the tariff in force."))


class Provision(VersionedModel):
    """One billing line: ``quantity`` units of a type for a person by a provider on a date."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        BILLED = "billed", _("billed")
        CANCELLED = "cancelled", _("cancelled")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="provisions",
                               verbose_name=_("person"))
    professional = models.ForeignKey("people.Professional", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="provisions", verbose_name=_("professional"))
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="provisions", verbose_name=_("organisation"))
    provision_type = models.ForeignKey(ProvisionType, on_delete=models.PROTECT, related_name="provisions",
                                       verbose_name=_("provision type"))
    date = models.DateField(_("date"), db_index=True)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=1)
    care_units = models.DecimalField(_("care units"), max_digits=8, decimal_places=2, default=0)
    payer = models.CharField(_("payer"), max_length=20, choices=Payer.choices, default=Payer.RIZIV)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="provisions", verbose_name=_("tariff"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    billing_code = models.CharField(
        _("billing (pseudo)code"), max_length=20, blank=True,
        help_text=_("The payer's code for this line, e.g. the pseudocode of the MDO reimbursement rule."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=~models.Q(external_id=""),
                                    name="financing_provision_external_id_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="financing_provision_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(professional__isnull=False) | models.Q(organisation__isnull=False),
                name="financing_provision_has_provider",
            ),
        ]
        indexes = [models.Index(fields=["provision_type", "date"]), models.Index(fields=["person", "date"])]

    def __str__(self) -> str:
        return f"{self.provision_type.code} {self.date} × {self.quantity}"

    @property
    def provider(self) -> object:
        return self.professional or self.organisation


class CareUnitBudget(VersionedModel):
    """The care units allocated to a person for a period ("toegewezen zorgeenheden per persoon", 001 l.3823)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_unit_budgets",
                               verbose_name=_("person"))
    zone = models.ForeignKey("territory.Zone", on_delete=models.PROTECT, related_name="care_unit_budgets",
                             verbose_name=_("zone"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    allocated = models.DecimalField(_("allocated care units"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["-period_start", "person_id"]
        verbose_name = _("care-unit budget")
        verbose_name_plural = _("care-unit budgets")
        constraints = [
            models.UniqueConstraint(fields=["person", "period_start"], name="financing_one_budget_per_period"),
            models.CheckConstraint(condition=models.Q(allocated__gte=0), name="financing_budget_not_negative"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="financing_budget_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period_start}–{self.period_end}: {self.allocated}"


class BudgetTransfer(models.Model):
    """Care units moved from one person's budget to another's (pooling, 001 l.3821-3827)."""

    source = models.ForeignKey(CareUnitBudget, on_delete=models.PROTECT, related_name="transfers_out",
                               verbose_name=_("from budget"))
    target = models.ForeignKey(CareUnitBudget, on_delete=models.PROTECT, related_name="transfers_in",
                               verbose_name=_("to budget"))
    units = models.DecimalField(_("care units"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                       related_name="+")
    transferred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-transferred_at"]
        verbose_name = _("budget transfer")
        verbose_name_plural = _("budget transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gt=0), name="financing_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.units} {self.source_id} → {self.target_id}"
