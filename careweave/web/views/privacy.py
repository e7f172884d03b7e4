"""The person's privacy page (who may see what, who looked) and emergency access for professionals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access import actions as access_actions
from careweave.access.audit import record_access
from careweave.access.decisions import _rule_level, decide
from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, AuditEvent, BreakGlass, Level
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import TeamMember
from careweave.people.models import Person, Sector
from careweave.web.access import person_view, refused
from careweave.web.forms.access import AccessChoiceForm, BreakGlassForm, EmergencyLookupForm
from careweave.web.forms.base import add_rule_error
from careweave.web.plandata import current_plan
from careweave.web.roles import roles_for

AUDIT_PAGE = 50


def privacy_url(person: Person) -> str:
    return reverse("web:privacy", args=[person.fhir_id])


def _require_person_decides(request: HttpRequest, person: Person, decision) -> None:  # noqa: ANN001
    """These choices belong to the person (or their representative): anyone else is refused and audited."""
    if decision.basis in ("self", "proxy"):
        return
    message = _("Only the person or their representative can see and change who may see their file.")
    record_access(
        request.user,
        "read",
        "Consent",
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
    plan = current_plan(person)
    team = plan.team if plan and plan.team_id else person.care_teams.filter(external_id="").first()
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
    }
    return render(request, "web/privacy.html", context)


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


# --- emergency access ---------------------------------------------------------------------------


@login_required
def emergency(request: HttpRequest) -> HttpResponse:
    """A care professional looks a person up by SSIN (audited) before asking for emergency access."""
    form = EmergencyLookupForm(request.GET or None)
    found = None
    searched = False
    if request.GET and form.is_valid():
        searched = True
        found = Person.objects.filter(ssin=form.cleaned_data["ssin"]).first()
        if found is not None:
            record_access(
                request.user,
                "search",
                "Patient",
                str(found.fhir_id),
                person=found,
                reason="lookup by SSIN for emergency access",
                request=request,
                basis=decide(request.user, found).basis,
            )
            if decide(request.user, found).allows(Level.PLAN):
                return redirect("web:plan", found.fhir_id)
    context = {
        "form": form,
        "found": found,
        "searched": searched,
        "is_care_professional": roles_for(request).is_care_professional,
    }
    return render(request, "web/emergency.html", context)


@login_required
def break_glass(request: HttpRequest, person_id) -> HttpResponse:  # noqa: ANN001
    person = get_object_or_404(Person, fhir_id=person_id)
    decision = decide(request.user, person)
    if decision.allows(Level.FULL):
        return redirect("web:plan", person.fhir_id)
    if not roles_for(request).is_care_professional:
        message = _("Only an active care professional can use emergency access.")
        record_access(
            request.user,
            "execute",
            "Patient",
            str(person.fhir_id),
            person=person,
            outcome="denied",
            reason=message,
            request=request,
            basis=decision.basis,
        )
        return refused(request, AccessRefused(message, decision), None)
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
