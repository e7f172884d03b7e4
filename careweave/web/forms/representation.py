"""Forms for "who may act for me": proxy access and the appointed representative.

The forms only carry what the user chose; the rules (who may, the signed mandate) are in
:mod:`careweave.people.actions`, so a refusal reads the same on every door.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.people.models import Person, RelatedPerson
from careweave.web.forms.base import VersionedForm


class NetworkStepForm(VersionedForm):
    """A one-button decision about one network member, based on the version the user saw."""


class AppointRepresentativeForm(forms.Form):
    """The person appoints someone from their network as representative.

    The mandate checkbox is not ``required`` here on purpose: the action refuses an unconfirmed
    mandate with the law's explanation, shown next to the checkbox.
    """

    related = forms.ModelChoiceField(
        label=_("Who will represent you"),
        queryset=RelatedPerson.objects.none(),
        empty_label=_("Choose"),
        error_messages={
            "required": _("Choose who will represent you."),
            "invalid_choice": _("Choose who will represent you."),
        },
    )
    mandate_confirmed = forms.BooleanField(
        label=_("I have signed and dated a written mandate appointing this person as my representative."),
        required=False,
        help_text=_(
            "Required by the patient-rights law (art. 14): the mandate is signed and dated by you and by your "
            "representative. Keep it with your papers; you can withdraw it at any time."
        ),
    )

    def __init__(self, *args, person: Person, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["related"].queryset = person.network.filter(active=True, is_representative=False)
        self.fields["related"].label_from_instance = lambda r: f"{r} \u2014 {r.get_relationship_display()}"
