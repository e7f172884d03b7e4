"""Forms of the programmes app; the rules themselves are checked by the actions."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import TeamMember
from careweave.people.models import Person
from careweave.programmes.models import Enrolment, PathwayVersion, Step
from careweave.programmes.registry import allowed_moves
from careweave.web.forms.base import DateInput, VersionedForm

# Which form field shows the message of which rule.
ENROL_FIELDS = {
    "expected_birth_required": "expected_birth", "expected_birth_range": "expected_birth",
    "birth_in_future": "birth_date", "birth_range": "birth_date", "no_birth_dates": "expected_birth",
    "start_in_future": "started_on", "reference_required": "reference_member",
    "reference_not_member": "reference_member", "pathway_not_usable": "pathway", "already_enrolled": "pathway",
    "not_eligible": "pathway", "programme_over": "started_on", "reason_required": "reason",
    "reference_professional": "reference_member", "agreement_required": "person_agreed",
}


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: TeamMember) -> str:
        return f"{obj.member} ({obj.display_role})"


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: PathwayVersion) -> str:
        return f"{obj.pathway.display_title()} ({obj.label})"


def _members(person: Person) -> object:
    """The team's professionals: the reference person of a programme is one of them (the action checks it)."""
    return TeamMember.objects.filter(team__person=person, team__external_id="", status=TeamMember.Status.ACTIVE,
                                     professional__isnull=False, professional__active=True) \
        .select_related("professional", "related_person").order_by("start")


class EnrolForm(forms.Form):
    pathway = VersionChoice(label=_("Programme"), queryset=PathwayVersion.objects.none(),
                            empty_label=_("Choose a programme"))
    reference_member = MemberChoice(label=_("Reference person"), queryset=TeamMember.objects.none(),
                                    required=False, empty_label=_("Choose from the team"),
                                    help_text=_("The first point of contact in the team for this programme."))
    started_on = forms.DateField(label=_("In the programme since"), widget=DateInput, initial=date.today)
    expected_birth = forms.DateField(label=_("Expected date of birth"), widget=DateInput, required=False,
                                     help_text=_("Perinatal programme: the phases follow from this date."))
    birth_date = forms.DateField(label=_("Date of birth of the child (once born)"), widget=DateInput,
                                 required=False)
    person_agreed = forms.BooleanField(label=_("The person (or their representative) agrees to this enrolment"),
                                       required=False,
                                       help_text=_("Enrol only after asking the person; their agreement is recorded."))

    def __init__(self, *args, person: Person, versions: list[PathwayVersion], ask_agreement: bool = True,  # noqa: ANN002
                 **kwargs) -> None:  # noqa: ANN003
        super().__init__(*args, **kwargs)
        if not ask_agreement:
            del self.fields["person_agreed"]  # the person (or representative) enrols themselves: that is the agreement
        self.fields["pathway"].queryset = PathwayVersion.objects.filter(pk__in=[v.pk for v in versions]) \
            .select_related("pathway")
        self.fields["reference_member"].queryset = _members(person)


class EnrolmentForm(VersionedForm):
    """Record the birth, a new expected date or another reference person."""

    expected_birth = forms.DateField(label=_("Expected date of birth"), widget=DateInput, required=False)
    birth_date = forms.DateField(label=_("Date of birth of the child"), widget=DateInput, required=False)
    reference_member = MemberChoice(label=_("Reference person"), queryset=TeamMember.objects.none(),
                                    required=False, empty_label=_("Choose from the team"))

    def __init__(self, *args, enrolment: Enrolment, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["reference_member"].queryset = _members(enrolment.person)
        if "expected_birth" not in (enrolment.pathway_version.template.get("dates") or {}):
            del self.fields["expected_birth"], self.fields["birth_date"]


class LeaveForm(VersionedForm):
    reason = forms.CharField(label=_("Why does the person leave the programme?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(VersionedForm):
    to_step = forms.ChoiceField(label=_("Move to"), choices=())
    note = forms.CharField(label=_("Note (required when sending back to co-creation)"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, version: PathwayVersion, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [(s, Step(s).label) for s in allowed_moves(version.step)]


class RequestForm(forms.Form):
    code = forms.SlugField(label=_("Short code"), max_length=60, help_text=_("Letters, digits and hyphens."))
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = forms.CharField(label=_("Owner (who is responsible)"), max_length=200)
    note = forms.CharField(label=_("Who asks for it and why"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
