"""Forms for the shared plan: life goals, care and support goals, tasks, journal, reviews."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from careweave.careplans import limits
from careweave.careplans.models import CarePlan, Goal, JournalEntry, LifeGoal, Task, TeamMember
from careweave.web.forms.base import DateInput, VersionedForm, clean_date

PERSON_CHOICE = "person"


class StartPlanForm(forms.Form):
    title = forms.CharField(label=_("Title of the plan"), max_length=limits.PLAN_TITLE_MAX)
    description = forms.CharField(
        label=_("Summary of the situation"),
        required=False,
        max_length=limits.PLAN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    review_date = forms.DateField(label=_("Next review"), required=False, widget=DateInput)


class PlanForm(VersionedForm):
    title = forms.CharField(label=_("Title of the plan"), max_length=limits.PLAN_TITLE_MAX)
    description = forms.CharField(
        label=_("Summary of the situation"),
        required=False,
        max_length=limits.PLAN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=CarePlan.Status.choices)
    review_date = forms.DateField(label=_("Next review"), required=False, widget=DateInput)

    field_order = ["title", "description", "status", "review_date", "version"]


class LifeGoalForm(forms.Form):
    text = forms.CharField(
        label=_("What matters, in the person's own words"),
        max_length=limits.LIFE_GOAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “I want to keep walking to the market on Saturday.”"),
    )


class LifeGoalEditForm(VersionedForm, LifeGoalForm):
    field_order = ["text", "version"]


class GoalForm(forms.Form):
    description = forms.CharField(
        label=_("Goal"), max_length=limits.GOAL_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    life_goal = forms.ModelChoiceField(
        label=_("Serves this life goal"), queryset=LifeGoal.objects.none(), required=False, empty_label=_("(none)")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Goal.Kind.choices, initial=Goal.Kind.CARE)
    domain = forms.ChoiceField(label=_("Life domain"), choices=Goal.Domain.choices, initial=Goal.Domain.HEALTH)
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=DateInput,
        help_text=_("Optional: goals may take shape over time."),
    )
    is_medical = forms.BooleanField(
        label=_("Medical detail"),
        required=False,
        help_text=_("Hidden from welfare professionals and informal carers unless the person allows it."),
    )

    def __init__(self, *args, plan: CarePlan, allow_medical: bool = True, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["life_goal"].queryset = plan.life_goals.all()
        if not allow_medical:
            del self.fields["is_medical"]

    def clean_target_date(self) -> date | None:
        """A new goal's target date lies in the plan's horizon (``careweave.dates``)."""
        return clean_date("goal_target", self.cleaned_data.get("target_date"))


class GoalEditForm(VersionedForm, GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    field_order = ["description", "status", "life_goal", "kind", "domain", "target_date", "is_medical", "version"]

    def clean_target_date(self) -> date | None:
        """An existing goal may keep a target date that has passed; the action refuses a new past date."""
        return self.cleaned_data.get("target_date")


def assignee_choices(plan: CarePlan) -> list[tuple[str, str]]:
    members = []
    if plan.team_id:
        members = plan.team.members.filter(status=TeamMember.Status.ACTIVE).select_related(
            "professional", "related_person"
        )
    choices = [("", _("Choose who will do it")), (PERSON_CHOICE, _("%(name)s (the person)") % {"name": plan.person})]
    choices += [(str(m.pk), f"{m.member} \u2014 {m.display_role}") for m in members]
    return choices


class TaskForm(forms.Form):
    description = forms.CharField(
        label=_("Task"), max_length=limits.TASK_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ChoiceField(
        label=_("Who does it"),
        error_messages={
            "required": _("Choose who will do this task."),
            "invalid_choice": _("This person is no longer in the team. Choose someone else."),
        },
    )
    goal = forms.ModelChoiceField(
        label=_("For the goal"), queryset=Goal.objects.none(), required=False, empty_label=_("(none)")
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    is_medical = forms.BooleanField(label=_("Medical detail"), required=False)

    def __init__(
        self,
        *args,  # noqa: ANN002
        plan: CarePlan,
        allow_medical: bool = True,
        goal_queryset=None,  # noqa: ANN001
        **kwargs,  # noqa: ANN003
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["assignee"].choices = assignee_choices(plan)
        self.fields["goal"].queryset = goal_queryset if goal_queryset is not None else plan.goals.all()
        if not allow_medical:
            del self.fields["is_medical"]

    def clean_due_date(self) -> date | None:
        return clean_date("task_due", self.cleaned_data.get("due_date"))

    def assignment(self) -> dict:
        """The assignee as the action expects it: a team member, or the person themselves."""
        value = self.cleaned_data["assignee"]
        if value == PERSON_CHOICE:
            return {"assignee": None, "to_person": True}
        member = self.plan.team.members.filter(pk=value).first() if self.plan.team_id else None
        return {"assignee": member, "to_person": False}

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"]
        if not value:
            raise forms.ValidationError(_("Choose who will do this task."))
        return value


class TaskEditForm(VersionedForm, TaskForm):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    field_order = ["description", "assignee", "status", "goal", "due_date", "version"]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields.pop("is_medical", None)

    def clean_due_date(self) -> date | None:
        """An existing task may keep a due date that has passed meanwhile."""
        return self.cleaned_data.get("due_date")


class JournalForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=limits.JOURNAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone in the team reads the journal, including the person."),
    )
    is_medical = forms.BooleanField(
        label=_("Medical detail"),
        required=False,
        help_text=_("Only those who may see medical detail will read this message."),
    )

    def __init__(self, *args, allow_medical: bool = True, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if not allow_medical:
            del self.fields["is_medical"]


class CarerCheckinForm(forms.Form):
    """How the informal carer is doing: a shared, plain-language signal for the team."""

    FEELINGS = JournalEntry.CarerFeeling.choices
    feeling = forms.ChoiceField(label=_("How are you doing?"), choices=FEELINGS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Anything you want the team to know"),
        required=False,
        max_length=limits.CHECKIN_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def message(self) -> str:
        label = dict(self.FEELINGS)[self.cleaned_data["feeling"]]
        text = self.cleaned_data.get("text", "").strip()
        return f"{label}. {text}".strip() if text else f"{label}."


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("What was discussed"),
        max_length=limits.REVIEW_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please write down what was discussed.")},
    )
    next_review = forms.DateField(
        label=_("Next review"),
        widget=DateInput,
        error_messages={"required": _("Choose the date of the next review.")},
    )

    def clean_next_review(self) -> date | None:
        value = self.cleaned_data.get("next_review")
        if value is not None and value <= date.today():
            raise forms.ValidationError(_("The next review date must be in the future."))
        return value


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=_("Agreement"),
        max_length=limits.AGREEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Jan calls every evening at 7.”"),
    )
