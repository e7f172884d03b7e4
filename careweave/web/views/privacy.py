"""The person's privacy page (who may see what, who may act for them, who looked) and emergency access."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from careweave.access import actions as access_actions
from careweave.access.audit import record_access
from careweave.access.decisions import _rule_level, decide
from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, AuditEvent, BreakGlass, Level
from careweave.access.permissions import check, may
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import TeamMember
from careweave.people import actions as people_actions
from careweave.people.models import Person, RelatedPerson, Sector
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import person_view, refused
from careweave.web.forms.access import AccessChoiceForm, BreakGlassForm, EmergencyLookupForm
from careweave.web.forms.base import add_rule_error
from careweave.web.forms.representation import AppointRepresentativeForm, NetworkStepForm
from careweave.web.plandata import current_plan

AUDIT_PAGE = 50


def privacy_url(person: Person) -> str:
    return reverse("web:privacy", args=[person.fhir_id])


def _require_person_decides(
    request: HttpRequest,
    person: Person,
    decision,  # noqa: ANN001
    *,
    action: str = "read",
    resource_type: str = "Consent",
) -> None:
    """These choices belong to the person (or their representative): anyone else is refused and audited."""
    allowed, _code, message = check(request.user, "access.see_access_choices", person)
    if allowed:
        return
    record_access(
        request.user,
        action,
        resource_type,
        str(person.fhir_id),
        person=person,
        outcome="denied",
        reason=message,
        request=request,
        basis=decision.basis,
    )
    raise AccessRefused(message, decision)


def member_levels(person: Person, team) -> list[dict]:  # noqa: ANN001
    """What each team member sees now: the default for their role, made stricter or looser by the person."""
    rules = list(AccessRule.objects.filter(person=person, active=True))
    rows = []
    if team is None:
        return rows
    for m in team.members.filter(status=TeamMember.Status.ACTIVE).select_related("professional", "related_person"):
        if m.professional_id:
            default = Level.PLAN if m.professional.sector == Sector.WELFARE else Level.FULL
            chosen = _rule_level(rules, professional=m.professional, sector=m.professional.sector)
        elif m.related_person.acts_for_person:
            default, chosen = Level.FULL, None
        else:
            default = Level.PLAN
            chosen = _rule_level(rules, related=m.related_person, sector=AccessRule.Sector.INFORMAL)
        level = default if chosen is None else chosen
        rows.append({"member": m, "level": level, "changed": chosen is not None and chosen != default})
    return rows


def _end_of(day: date | None) -> datetime | None:
    """ "Until 5 December" includes the 5th: the choice ends at midnight after it, local time."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@person_view(resource_type="Consent")
def privacy(request: HttpRequest, person: Person, decision) -> HttpResponse:  # noqa: ANN001
    _require_person_decides(request, person, decision)
    team = _team_of(person)
    form = AccessChoiceForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        until = data["valid_until"]
        try:
            access_actions.set_access_choice(
                request.user,
                person,
                level=data["level"],
                valid_until=_end_of(until),
                note=data["note"],
                **form.grantee_kwargs(),
            )
        except RuleViolation as exc:
            add_rule_error(form, exc, {"access_level": "level"})
        else:
            messages.success(request, _("Your choice has been saved and applies immediately."))
            return redirect(privacy_url(person) + "#choices")
    return _render_privacy(request, person, team, form=form)


def network_rows(actor, person: Person, who: str) -> list[dict]:  # noqa: ANN001
    """The informal network with what ``actor`` may decide for each one (the actions' own rules)."""
    rows = []
    for related in person.network.order_by("-active", "family_name", "given_name"):
        rows.append(
            {
                "related": related,
                "is_me": related.user_id is not None and related.user_id == actor.pk,
                "may_grant": people_actions.grant_proxy_refusal(actor, related) is None,
                "may_withdraw": people_actions.withdraw_proxy_refusal(actor, related) is None,
                "may_end": people_actions.end_representation_refusal(actor, related) is None,
            }
        )
    return rows


def _render_privacy(
    request: HttpRequest,
    person: Person,
    team,  # noqa: ANN001
    *,
    form: AccessChoiceForm | None = None,
    appoint_form: AppointRepresentativeForm | None = None,
) -> HttpResponse:
    form = form or AccessChoiceForm(team=team)
    who = people_actions.standing(request.user, person)
    may_appoint = may(request.user, "people.appoint_representative", person) and not person.deceased_on
    if may_appoint and appoint_form is None:
        appoint_form = AppointRepresentativeForm(person=person)
    show_own = request.GET.get("own") == "1"
    events = AuditEvent.objects.filter(person=person)
    if not show_own:
        events = events.exclude(user=request.user)
    page = Paginator(events.order_by("-recorded_at"), AUDIT_PAGE).get_page(request.GET.get("page"))
    context = {
        "person": person,
        "form": form,
        "rules": AccessRule.objects.filter(person=person, active=True).select_related("professional", "related_person"),
        "levels": member_levels(person, team),
        "break_glass": BreakGlass.objects.filter(person=person).select_related("user")[:20],
        "page": page,
        "show_own": show_own,
        "now": timezone.now(),
        "standing": who,
        "network": network_rows(request.user, person, who),
        "appoint_form": appoint_form if may_appoint else None,
    }
    return render(request, "web/privacy.html", context)


def _team_of(person: Person):  # noqa: ANN202
    plan = current_plan(person)
    return plan.team if plan and plan.team_id else person.care_teams.filter(external_id="").first()


@require_POST
@person_view(resource_type="Consent")
def revoke_rule(request: HttpRequest, person: Person, decision, pk: int) -> HttpResponse:  # noqa: ANN001
    _require_person_decides(request, person, decision)
    rule = get_object_or_404(AccessRule, pk=pk, person=person, active=True)
    try:
        access_actions.revoke_access_choice(request.user, rule)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your choice has been undone: the usual access applies again."))
    return redirect(privacy_url(person) + "#choices")


# --- who may act for me: proxy access and the representative ------------------------------------

NETWORK_STEPS = {
    "grant-proxy": (
        people_actions.grant_proxy_access,
        gettext_lazy("%(name)s now has proxy access and can use Careweave on behalf of %(person)s."),
    ),
    "withdraw-proxy": (
        people_actions.withdraw_proxy_access,
        gettext_lazy("%(name)s no longer has proxy access."),
    ),
    "end-representation": (
        people_actions.end_representation,
        gettext_lazy("%(name)s no longer represents %(person)s."),
    ),
}
OWN_STEP_DONE = {
    "withdraw-proxy": gettext_lazy("You gave up your proxy access for %(person)s."),
    "end-representation": gettext_lazy("You no longer represent %(person)s."),
}


def _after_network_change(request: HttpRequest, person: Person) -> HttpResponse:
    """Back to the section; someone who just gave up acting for the person goes home instead."""
    if decide(request.user, person).basis in ("self", "proxy"):
        return redirect(privacy_url(person) + "#network")
    return redirect("web:home")


@require_POST
@person_view(resource_type="RelatedPerson")
def network_step(request: HttpRequest, person: Person, decision, pk: int, step: str) -> HttpResponse:  # noqa: ANN001
    """Grant or withdraw proxy access, or end a representation: one button, the action decides."""
    _require_person_decides(request, person, decision, action="update", resource_type="RelatedPerson")
    if step not in NETWORK_STEPS:
        raise Http404
    related = get_object_or_404(RelatedPerson, pk=pk, person=person)
    action, done = NETWORK_STEPS[step]
    own = related.user_id is not None and related.user_id == request.user.pk
    form = NetworkStepForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        action(request.user, related, expected_version=version)
    except (RuleViolation, ChangedMeanwhile) as exc:
        messages.error(request, str(exc))
        return redirect(privacy_url(person) + "#network")
    message = OWN_STEP_DONE[step] if own and step in OWN_STEP_DONE else done
    messages.success(request, str(message) % {"name": related, "person": person})
    return _after_network_change(request, person)


@require_POST
@person_view(resource_type="RelatedPerson")
def appoint_representative(request: HttpRequest, person: Person, decision) -> HttpResponse:  # noqa: ANN001
    """The person appoints a representative after confirming the signed, dated written mandate."""
    _require_person_decides(request, person, decision, action="update", resource_type="RelatedPerson")
    form = AppointRepresentativeForm(request.POST, person=person)
    if form.is_valid():
        related = form.cleaned_data["related"]
        previous = list(person.network.filter(is_representative=True).exclude(pk=related.pk))
        try:
            people_actions.appoint_representative(
                request.user, related, mandate_confirmed=form.cleaned_data["mandate_confirmed"]
            )
        except (RuleViolation, ChangedMeanwhile) as exc:
            add_rule_error(form, exc, {"mandate_required": "mandate_confirmed", "already_representative": "related"})
        else:
            messages.success(request, _("%(name)s now represents %(person)s.") % {"name": related, "person": person})
            for other in previous:
                messages.info(
                    request,
                    _("%(name)s no longer represents %(person)s: there is one representative at a time.")
                    % {"name": other, "person": person},
                )
            return redirect(privacy_url(person) + "#network")
    return _render_privacy(request, person, _team_of(person), appoint_form=form)


# --- emergency access ---------------------------------------------------------------------------


@login_required
def emergency(request: HttpRequest) -> HttpResponse:
    """A care professional looks a person up by SSIN (audited) before asking for emergency access."""
    form = EmergencyLookupForm(request.GET or None)
    found = None
    searched = bool(request.GET) and form.is_valid()
    try:
        if searched:
            found = access_actions.emergency_lookup(request.user, form.cleaned_data["ssin"])
        else:
            access_actions.require_may_break_glass(request.user)
    except AccessRefused as exc:
        return refused(request, exc, None)
    if found is not None and decide(request.user, found).allows(Level.PLAN):
        return redirect("web:plan", found.fhir_id)
    return render(request, "web/emergency.html", {"form": form, "found": found, "searched": searched})


@login_required
def break_glass(request: HttpRequest, person_id) -> HttpResponse:  # noqa: ANN001
    person = get_object_or_404(Person, fhir_id=person_id)
    decision = decide(request.user, person)
    if decision.allows(Level.FULL):
        return redirect("web:plan", person.fhir_id)
    try:
        access_actions.require_may_break_glass(request.user, person, action="execute")
    except AccessRefused as exc:
        return refused(request, exc, None)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = access_actions.break_the_glass(request.user, person, form.cleaned_data["reason"])
        except RuleViolation as exc:
            add_rule_error(form, exc, {"break_glass_reason": "reason"})
        else:
            messages.warning(
                request,
                _("Emergency access is open until %(time)s. %(name)s will see that you opened the file and why.")
                % {"time": timezone.localtime(event.expires_at).strftime("%H:%M"), "name": person},
            )
            return redirect("web:plan", person.fhir_id)
    context = {"person": person, "form": form, "hours": BreakGlass.DURATION_HOURS}
    return render(request, "web/break_glass.html", context)
