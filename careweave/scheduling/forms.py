"""Appointment and feed forms: they check the shape of the input; the rules are checked by the actions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import TeamMember
from careweave.consultations.forms import TimeInput
from careweave.people.models import Person
from careweave.scheduling import actions
from careweave.scheduling.models import Appointment
from careweave.web.forms.base import DateInput

TIME_FIELDS = {"appointment_times": "end_time", "appointment_start": "day", "appointment_kind": "kind",
               "not_in_team": "members", "appointment_status": "status"}


class _When(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)
    place = forms.CharField(label=_("Place"), required=False, max_length=actions.PLACE_MAX)

    def moments(self) -> tuple[datetime, datetime]:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start_time"]
        end: time = self.cleaned_data["end_time"]
        return (timezone.make_aware(datetime.combine(day, start)), timezone.make_aware(datetime.combine(day, end)))


class AppointmentForm(_When):
    kind = forms.ChoiceField(label=_("What"), choices=Appointment.Kind.choices, initial=Appointment.Kind.HOME_VISIT)
    status = forms.ChoiceField(label=_("Status"), choices=[(Appointment.Status.BOOKED, _("booked")),
                                                           (Appointment.Status.PROPOSED, _("proposed"))],
                               initial=Appointment.Status.BOOKED)
    members = forms.MultipleChoiceField(label=_("Team members taking part"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    with_person = forms.BooleanField(label=_("The person takes part"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=actions.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))
    is_medical = forms.BooleanField(label=_("The note holds medical detail"), required=False,
                                    help_text=_("Only those with full access to the file will see the note."))

    field_order = ["kind", "day", "start_time", "end_time", "place", "members", "with_person", "status", "note",
                   "is_medical"]

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_members = {
            str(m.pk): m for m in TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE)
            .select_related("team", "professional", "related_person").order_by("pk")
        }
        self.fields["members"].choices = [(k, f"{m} ({m.display_role})") for k, m in self.team_members.items()]

    def action_kwargs(self) -> dict[str, Any]:
        start, end = self.moments()
        data = self.cleaned_data
        return {"kind": data["kind"], "start": start, "end": end, "place": data["place"], "note": data["note"],
                "is_medical": data["is_medical"], "with_person": data["with_person"], "status": data["status"],
                "members": [self.team_members[k] for k in data["members"]]}


class RescheduleForm(_When):
    prefix = "move"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    @staticmethod
    def initial_for(appointment: Appointment) -> dict[str, Any]:
        start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
        return {"day": start.date(), "start_time": start.time(), "end_time": end.time(),
                "place": appointment.place, "version": appointment.version}


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = forms.CharField(label=_("Why it is cancelled"), required=False, max_length=actions.REASON_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class DoneForm(forms.Form):
    prefix = "done"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class FeedTitlesForm(forms.Form):
    show_titles = forms.BooleanField(
        label=_("Show titles and names in my calendar app"), required=False,
        help_text=_("Your calendar app (and whoever can look at it) then sees who the appointment is with and "
                    "what a task is about. Off, it only sees “Appointment”, “MDO” or “Task due” and initials."),
    )
