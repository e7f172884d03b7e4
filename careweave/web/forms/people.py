"""Forms to register a person and to keep their contact details up to date.

The checks are the domain's own (:mod:`careweave.people.registration`), run per field here so that
every mistake is shown at once, next to its field; the domain function checks them again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from careweave.careplans.errors import RuleViolation
from careweave.people import registration
from careweave.people.models import Language, Person, Sex
from careweave.web.forms.access import SsinField
from careweave.web.forms.base import DateInput, VersionedForm

#: Which field a rule of the domain concerns, so its message is shown there.
RULE_FIELDS = {
    "consent_required": "consent_recorded",
    "person_name": "given_name",
    "ssin_required": "ssin",
    "ssin_length": "ssin",
    "ssin_checksum": "ssin",
    "ssin_month": "ssin",
    "ssin_sequence": "ssin",
    "ssin_birth_date": "ssin",
    "already_registered": "ssin",
    "ssin_birth_date_mismatch": "birth_date",
    "birth_date_future": "birth_date",
    "ssin_sex_mismatch": "sex",
    "sex_invalid": "sex",
    "phone_invalid": "phone",
    "email_invalid": "email",
    "postal_code_invalid": "postal_code",
    "language_invalid": "language",
}


def _label(name: str) -> str:
    """The label of a field of the person's record, as the rest of Careweave names it."""
    return capfirst(Person._meta.get_field(name).verbose_name)


def _default_language() -> str:
    current = (get_language() or "nl")[:2]
    return current if current in Language.values else Language.NL


class ContactFieldsMixin(forms.Form):
    """Phone, e-mail, address, language and communication needs, as on the person's record."""

    phone = forms.CharField(
        label=_label("phone"),
        required=False,
        max_length=40,
        help_text=_("For example 053 12 34 56 or +32 470 12 34 56."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.CharField(label=_label("email"), required=False, max_length=254, widget=forms.EmailInput)
    street = forms.CharField(label=_label("street"), required=False, max_length=200)
    postal_code = forms.CharField(
        label=_label("postal_code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    municipality = forms.CharField(label=_label("municipality"), required=False, max_length=100)
    language = forms.ChoiceField(
        label=_label("language"),
        choices=Language.choices,
        help_text=_("The language the team uses to talk and write to the person."),
    )
    communication_needs = forms.CharField(
        label=_label("communication_needs"),
        required=False,
        max_length=200,
        help_text=Person._meta.get_field("communication_needs").help_text,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = self.fields["language"].initial or _default_language()

    def clean_phone(self) -> str:
        return registration.clean_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self) -> str:
        return registration.clean_email(self.cleaned_data.get("email", ""))

    def clean_postal_code(self) -> str:
        return registration.clean_postal_code(self.cleaned_data.get("postal_code", ""))

    def contact_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in registration.CONTACT_FIELDS}


class RegisterPersonForm(ContactFieldsMixin, forms.Form):
    """Who the person is (checked against the SSIN), how to reach them, and their agreement."""

    ssin = SsinField()
    given_name = forms.CharField(label=_label("given_name"), max_length=100)
    family_name = forms.CharField(label=_label("family_name"), max_length=100)
    birth_date = forms.DateField(
        label=_label("birth_date"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to take it from the SSIN."),
    )
    sex = forms.ChoiceField(
        label=_label("sex"),
        choices=Sex.choices,
        initial=Sex.UNKNOWN,
        help_text=_("Leave “unknown” to take it from the SSIN."),
    )
    consent_recorded = forms.BooleanField(
        label=_("The person (or their representative) agrees to a shared care plan, with me in their care team."),
        required=False,
        help_text=_(
            "They can see the plan, decide who else joins the team and see who opened their file. "
            "They can remove you from the team at any time."
        ),
    )

    field_order = [
        "ssin",
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "phone",
        "email",
        "street",
        "postal_code",
        "municipality",
        "language",
        "communication_needs",
        "consent_recorded",
    ]

    #: The fields per part of the page (a fieldset each).
    SECTIONS = [
        (_("Who is it?"), ["ssin", "given_name", "family_name", "birth_date", "sex"]),
        (_("How to reach them"), ["phone", "email", "street", "postal_code", "municipality"]),
        (_("Language and communication"), ["language", "communication_needs"]),
        (_("Agreement"), ["consent_recorded"]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name", "phone", "email", "street", "postal_code", "municipality"):
            # Someone else's details: the browser must not fill in the professional's own.
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_consent_recorded(self) -> bool:
        value = self.cleaned_data.get("consent_recorded", False)
        registration.require_agreement(value)
        return value

    def clean(self) -> dict[str, Any]:
        """The SSIN, date of birth and sex must agree; the message goes next to the field to correct."""
        data = super().clean()
        if data.get("ssin") and "birth_date" not in self.errors and "sex" not in self.errors:
            try:
                _ssin, birth_date, sex = registration.check_identity(
                    data["ssin"], data.get("birth_date"), data.get("sex", "")
                )
            except RuleViolation as exc:
                self.add_error(RULE_FIELDS.get(exc.rule) or None, str(exc))
            else:
                data["birth_date"], data["sex"] = birth_date, sex
        return data

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def registration_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "ssin": data["ssin"],
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "birth_date": data.get("birth_date"),
            "sex": data.get("sex") or Sex.UNKNOWN,
            "consent_recorded": data["consent_recorded"],
            **self.contact_data(),
        }


class ContactDetailsForm(VersionedForm, ContactFieldsMixin):
    """The contact details of a person, edited from the version the editor loaded."""

    field_order = [*registration.CONTACT_FIELDS, "version"]

    SECTIONS = [
        (_("How to reach you"), ["phone", "email"]),
        (_("Address"), ["street", "postal_code", "municipality"]),
        (_("Language and communication"), ["language", "communication_needs"]),
    ]

    #: Autocomplete tokens (WCAG 1.3.5) when the person fills in their own details.
    AUTOCOMPLETE = {
        "phone": "tel",
        "email": "email",
        "street": "street-address",
        "postal_code": "postal-code",
        "municipality": "address-level2",
    }

    def __init__(self, *args: Any, about_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token if about_self else "off"

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


def initial_contact_details(person: Any) -> dict[str, Any]:
    """The saved contact details, keyed like the form's fields (also what "changed meanwhile" compares)."""
    return {name: getattr(person, name) for name in registration.CONTACT_FIELDS}
