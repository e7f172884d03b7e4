"""MDO forms: they check the shape of the input; the rules are checked by the actions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import CarePlan, TeamMember
from careweave.consultations import actions
from careweave.consultations.models import Consultation, Decision, Participant
from careweave.web.forms.base import DateInput
from careweave.web.forms.plan import PERSON_CHOICE, assignee_choices


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class ScheduleForm(forms.Form):
    mode = forms.ChoiceField(label=_("How"), choices=Consultation.Mode.choices, widget=forms.RadioSelect,
                             initial=Consultation.Mode.IN_PERSON)
    day = forms.DateField(label=_("Day"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)
    location = forms.CharField(label=_("Place"), required=False, max_length=actions.PLACE_MAX,
                               help_text=_("For an in-person or hybrid consultation."))
    link = forms.URLField(label=_("Link to the online meeting"), required=False, max_length=500,
                          assume_scheme="https", help_text=_("For an online or hybrid consultation (Teams, Zoom…)."))
    reason = forms.CharField(label=_("Why this consultation"), required=False, max_length=actions.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    FIELDS = {"mdo_mode": "mode", "mdo_start": "day", "mdo_end": "end_time", "mdo_location": "location",
              "mdo_link": "link", "required": "reason"}

    @staticmethod
    def initial_for(consultation: Consultation) -> dict[str, Any]:
        if consultation.start is None:
            return {"reason": consultation.reason, "mode": consultation.mode, "version": consultation.version}
        start, end = timezone.localtime(consultation.start), timezone.localtime(consultation.end)
        return {"mode": consultation.mode, "day": start.date(), "start_time": start.time(), "end_time": end.time(),
                "location": consultation.location, "link": consultation.link, "reason": consultation.reason,
                "version": consultation.version}

    def moments(self) -> tuple[datetime, datetime]:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start_time"]
        end: time = self.cleaned_data["end_time"]
        return (timezone.make_aware(datetime.combine(day, start)), timezone.make_aware(datetime.combine(day, end)))

    def schedule_kwargs(self) -> dict[str, Any]:
        start, end = self.moments()
        data = self.cleaned_data
        return {"mode": data["mode"], "start": start, "end": end, "location": data["location"],
                "link": data["link"], "reason": data["reason"]}


class VersionField(forms.IntegerField):
    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, min_value=0, required=False)


class InviteForm(forms.Form):
    prefix = "invite"
    members = forms.MultipleChoiceField(label=_("Team members"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    include_person = forms.BooleanField(label=_("The person"), required=False)

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invited = set(consultation.participants.values_list("member_id", flat=True))
        team = consultation.plan.team if consultation.plan_id and consultation.plan.team_id else None
        members = team.active_members() if team else TeamMember.objects.none()
        self.fields["members"].choices = [
            (str(m.pk), f"{m.member} \u2014 {m.display_role}") for m in members if m.pk not in invited
        ]
        self.fields["include_person"].label = _("%(name)s (the person)") % {"name": consultation.person}
        if None in invited:
            del self.fields["include_person"]
        self.team = team

    def chosen_members(self) -> list[TeamMember]:
        ids = [int(v) for v in self.cleaned_data.get("members") or []]
        return list(TeamMember.objects.filter(pk__in=ids).select_related("team", "professional", "related_person"))


class RespondForm(forms.Form):
    response = forms.ChoiceField(choices=[(Participant.Response.ACCEPTED, _("I will come")),
                                          (Participant.Response.DECLINED, _("I cannot come"))])


class AttendanceForm(forms.Form):
    prefix = "attendance"
    present = forms.MultipleChoiceField(label=_("Who attended"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    version = VersionField()

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        participants = consultation.participants.select_related(  # their names: no query per participant
            "member__professional", "member__related_person", "consultation__person")
        self.fields["present"].choices = [(str(p.pk), str(p)) for p in participants]


class MinutesForm(forms.Form):
    prefix = "minutes"
    text = forms.CharField(label=_("Minutes"), max_length=actions.MINUTES_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}))
    version = VersionField()


class DecisionForm(forms.Form):
    prefix = "decision"
    text = forms.CharField(label=_("Decision"), max_length=actions.DECISION_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    assignee = forms.ChoiceField(label=_("Who carries it out"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    coordination = forms.ChoiceField(label=_("About coordination"), choices=Decision.Coordination.choices,
                                     required=False)
    is_medical = forms.BooleanField(label=_("Medical detail"), required=False)

    FIELDS = {"assignee_required": "assignee", "assignee_not_member": "assignee", "due_in_past": "due_date",
              "required": "text", "too_long": "text", "mdo_no_coordination": "coordination",
              "coordination_not_reimbursable": "coordination"}

    def __init__(self, *args: Any, plan: CarePlan | None, allow_medical: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["assignee"].choices = assignee_choices(plan) if plan is not None else [("", "\u2014")]
        if not allow_medical:
            del self.fields["is_medical"]

    def assignment(self) -> dict[str, Any]:
        value = self.cleaned_data.get("assignee") or ""
        if value == PERSON_CHOICE:
            return {"assignee": None, "to_person": True}
        if not value or self.plan is None or not self.plan.team_id:
            return {"assignee": None, "to_person": False}
        return {"assignee": self.plan.team.members.filter(pk=value).first(), "to_person": False}


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=actions.PLACE_MAX)
    version = VersionField()


class ConcludeForm(forms.Form):
    prefix = "conclude"
    version = VersionField()
