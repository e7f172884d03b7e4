"""The care team page: who is in it, the person's decisions, coordination and case management."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from careweave.access.decisions import Decision
from careweave.careplans import actions
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CoordinationEpisode, TeamMember
from careweave.people.actions import add_to_network
from careweave.people.models import Person, Professional
from careweave.web.access import person_view
from careweave.web.forms.base import add_rule_error
from careweave.web.forms.team import (
    AddNetworkForm,
    AddProfessionalForm,
    EndCoordinationForm,
    ProfessionalSearchForm,
    ProposeCoordinatorForm,
    ReasonForm,
    RingTheBellForm,
    TakeOnCoordinationForm,
)
from careweave.web.plandata import build_plan_view, current_plan
from careweave.web.views._helpers import back

SEARCH_LIMIT = 12


def team_url(person: Person, anchor: str = "") -> str:
    return reverse("web:team", args=[person.fhir_id]) + anchor


def _team(person: Person):  # noqa: ANN202
    plan = current_plan(person)
    return plan.team if plan and plan.team_id else actions.team_for(person)


def search_professionals(query: str, exclude: list[int]) -> list[Professional]:
    """Professionals matching every word of the query in name, discipline, organisation or place."""
    qs = Professional.objects.filter(active=True).exclude(pk__in=exclude).select_related("organisation")
    from careweave.people.models import Discipline

    for word in query.split()[:5]:
        disciplines = [value for value, label in Discipline.choices if word.lower() in str(label).lower()]
        qs = qs.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__municipality__icontains=word)
            | Q(discipline__in=disciplines)
            | Q(nihdi__startswith=word)
        )
    return list(qs.order_by("family_name", "given_name")[:SEARCH_LIMIT])


def render_team(
    request: HttpRequest,
    person: Person,
    decision: Decision,
    *,
    network_form: AddNetworkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    team = _team(person)
    view = build_plan_view(person, decision, request.user, journal_limit=0)
    search = ProfessionalSearchForm(request.GET or None)
    results = []
    searched = search.is_valid() and bool(search.cleaned_data["q"])
    if searched:
        in_team = team.members.filter(
            status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED], professional__isnull=False
        ).values_list("professional_id", flat=True)
        results = search_professionals(search.cleaned_data["q"], list(in_team))
    history = team.members.filter(status__in=[TeamMember.Status.ENDED, TeamMember.Status.DECLINED]).select_related(
        "professional", "related_person"
    )
    context = {
        "v": view,
        "person": person,
        "team": team,
        "search": search,
        "results": results,
        "searched": searched,
        "person_id": person.fhir_id,
        "network_form": network_form or AddNetworkForm(team=team),
        "propose_form": ProposeCoordinatorForm(team=team),
        "take_on_form": TakeOnCoordinationForm(),
        "end_form": EndCoordinationForm(),
        "history": history.order_by("-end"),
        "past_coordination": team.coordination_episodes.filter(
            status__in=[CoordinationEpisode.Status.ENDED, CoordinationEpisode.Status.REFUSED]
        ).select_related("coordinator__professional", "coordinator__related_person")[:10],
    }
    return render(request, "web/team.html", context, status=status)


@person_view(resource_type="CareTeam")
def team(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    return render_team(request, person, decision)


def _done(request: HttpRequest, person: Person, call, success: str, anchor: str = "") -> HttpResponse:  # noqa: ANN001
    """Run an action; its rule message (translated) is shown on the team page when it refuses."""
    try:
        call()
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return back(request, team_url(person, anchor))


@login_required
def professional_search(request: HttpRequest) -> HttpResponse:
    """Live search for the team page (htmx): the directory of professionals, no data about the person."""
    search = ProfessionalSearchForm(request.GET or None)
    searched = search.is_valid() and bool(search.cleaned_data["q"])
    try:
        person_id = uuid.UUID(request.GET.get("person", ""))
    except ValueError:
        raise Http404 from None
    results = search_professionals(search.cleaned_data["q"], []) if searched else []
    context = {"results": results, "searched": searched, "person_id": person_id}
    return render(request, "web/partials/professional_results.html", context)


@require_POST
@person_view(resource_type="CareTeam")
def add_professional(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    form = AddProfessionalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a professional from the search results."))
        return redirect(team_url(person, "#add"))
    professional = get_object_or_404(Professional, pk=form.cleaned_data["professional"], active=True)
    team = _team(person)

    def call() -> None:
        member = actions.add_team_member(
            request.user,
            team,
            professional=professional,
            role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
        )
        if member.status == TeamMember.Status.PROPOSED:
            messages.info(request, _("%(name)s is proposed; the person decides.") % {"name": professional})

    return _done(request, person, call, _("%(name)s has been added to the team.") % {"name": professional}, "#members")


@require_POST
@person_view(resource_type="CareTeam")
def add_network(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    team = _team(person)
    form = AddNetworkForm(request.POST, team=team)
    if form.is_valid():
        data = form.cleaned_data
        try:
            related = data["existing"] or add_to_network(
                request.user,
                person,
                given_name=data["given_name"],
                family_name=data["family_name"],
                relationship=data["relationship"],
                phone=data["phone"],
            )
            actions.add_team_member(request.user, team, related_person=related)
        except RuleViolation as exc:
            add_rule_error(form, exc, {"network_name": "given_name", "network_relationship": "relationship"})
        else:
            messages.success(request, _("%(name)s has been added to the team.") % {"name": related})
            return redirect(team_url(person, "#members"))
    return render_team(request, person, decision, network_form=form)


MEMBER_STEPS = {
    "approve": (actions.approve_team_member, False, gettext_lazy("%(name)s is now in the team.")),
    "decline": (actions.decline_team_member, True, gettext_lazy("You declined %(name)s.")),
    "remove": (actions.remove_team_member, True, gettext_lazy("%(name)s is no longer in the team.")),
}


@require_POST
@person_view(resource_type="CareTeam")
def member_step(request: HttpRequest, person: Person, decision: Decision, pk: int, step: str) -> HttpResponse:
    member = get_object_or_404(TeamMember.objects.select_related("team"), pk=pk, team__person=person)
    if step not in MEMBER_STEPS:
        return redirect(team_url(person))
    action, with_reason, success = MEMBER_STEPS[step]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    name = str(member)

    def call() -> None:
        if with_reason:
            action(request.user, member, reason)
        else:
            action(request.user, member)

    if step == "remove" and member.user == request.user:
        success = gettext_lazy("You left the team of %(person)s.")
    return _done(request, person, call, str(success) % {"name": name, "person": person}, "#members")


# --- coordination ------------------------------------------------------------------------------


@require_POST
@person_view(resource_type="CareTeam")
def take_on_coordination(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    form = TakeOnCoordinationForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    team = _team(person)

    def call() -> None:
        episode = actions.take_on_coordination(
            request.user, team, reason=data.get("reason", ""), assessment=data.get("assessment", "")
        )
        if episode.status == CoordinationEpisode.Status.PROPOSED:
            messages.info(request, _("The person is asked to agree before you start as coordinator."))

    return _done(request, person, call, _("Coordination has been taken on."), "#coordination")


@require_POST
@person_view(resource_type="CareTeam")
def propose_coordinator(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    team = _team(person)
    form = ProposeCoordinatorForm(request.POST, team=team)
    if not form.is_valid():
        messages.error(request, _("Choose a member of the team."))
        return redirect(team_url(person, "#coordination"))
    member = form.cleaned_data["member"]
    return _done(
        request,
        person,
        lambda: actions.assign_coordinator(request.user, team, member, reason=form.cleaned_data["reason"]),
        _("%(name)s has been proposed as coordinator.") % {"name": member},
        "#coordination",
    )


@require_POST
@person_view(resource_type="CareTeam")
def coordination_step(request: HttpRequest, person: Person, decision: Decision, pk: int, step: str) -> HttpResponse:
    episode = get_object_or_404(
        CoordinationEpisode.objects.select_related("team", "coordinator"), pk=pk, team__person=person
    )
    user = request.user
    if step == "accept":
        return _done(
            request,
            person,
            lambda: actions.accept_coordination(user, episode),
            _("You accepted the coordinator role."),
            "#coordination",
        )
    if step == "agree":
        return _done(
            request,
            person,
            lambda: actions.agree_to_coordinator(user, episode),
            _("You agreed. %(name)s coordinates the care.") % {"name": episode.coordinator or person},
            "#coordination",
        )
    if step == "refuse":
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return _done(
            request,
            person,
            lambda: actions.refuse_coordinator(user, episode, reason),
            _("You refused this proposal. Nobody becomes coordinator without your agreement."),
            "#coordination",
        )
    if step == "hand-back":
        return _done(
            request,
            person,
            lambda: actions.hand_back_coordination(user, episode),
            _("You handed the coordinator role back."),
            "#coordination",
        )
    if step == "end":
        form = EndCoordinationForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return _done(
            request,
            person,
            lambda: actions.end_coordination(user, episode, reason),
            _("Coordination has ended."),
            "#coordination",
        )
    return redirect(team_url(person))


# --- calling in a case manager ------------------------------------------------------------------


@person_view(resource_type="ServiceRequest")
def ring_the_bell(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    form = RingTheBellForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.ring_the_bell(request.user, person, form.cleaned_data["triggers"], form.cleaned_data["description"])
        except RuleViolation as exc:
            add_rule_error(form, exc, {"trigger_required": "triggers", "trigger_unknown": "triggers"})
        else:
            messages.success(
                request,
                _("The zone's contact point has received your request. They will appoint a case manager or reply."),
            )
            return redirect(team_url(person, "#case-management"))
    context = {
        "person": person,
        "form": form,
        "title": _("Call in a case manager"),
        "intro": _(
            "A case manager is an external professional for complex or unstable situations, appointed by the "
            "zone's contact point. The case manager works from outside the care team, for as short as possible "
            "and as long as necessary."
        ),
        "submit": _("Send to the contact point"),
        "cancel_url": team_url(person),
    }
    return render(request, "web/form_page.html", context)
