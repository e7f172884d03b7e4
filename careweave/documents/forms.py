"""Forms of the document pages. The file's type and size are the action's rules (``content.check_file``);
the form only says them beforehand."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from careweave.documents.content import allowed_list, max_bytes
from careweave.documents.models import Document


def _file_field() -> forms.FileField:
    return forms.FileField(
        label=_("File"),
        help_text=_("Allowed: %(kinds)s; at most %(limit)s.") % {"kinds": allowed_list(),
                                                                 "limit": filesizeformat(max_bytes())},
        error_messages={"required": _("Choose the file to share."),
                        "empty": _("This file is empty. Choose the file again.")},
    )


class AttachForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("For example: discharge letter AZ Sint-Jan, 3 March. Empty: the file name."))
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices, initial=Document.Kind.OTHER)
    is_medical = forms.BooleanField(
        label=_("Medical detail"), required=False,
        help_text=_("Only those who may see the full file can open it (not welfare professionals nor informal "
                    "carers, unless the person allows it)."),
    )
    journal_entry = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, allow_medical: bool = True, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field()
        if not allow_medical:
            del self.fields["is_medical"]


class ReplaceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field()
        self.fields["file"].label = _("New version")


class LabelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    is_medical = forms.BooleanField(label=_("Medical detail"), required=False)


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why is it withdrawn?"), max_length=500,
                             help_text=_("For example: shared on the wrong person's plan."))
