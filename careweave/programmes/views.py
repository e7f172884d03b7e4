"""Pages of the programmes app: enrolment from the plan, the pathway registry, zone counts, transitions.

Person pages go through ``web.access.person_view`` (access decided and audited like every plan
page); the registry is the field's overview of the pathways on offer (001 l.19051-19057), open to
every signed-in user, moved by its owner or the zone's staff; zone counts are for zone staff only,
with small-cell suppression.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from careweave.access.audit import record_list_read
from careweave.access.decisions import Decision
from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.access.predicates import speaks_for_person
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person
from careweave.population.suppression import suppress_vector
from careweave.programmes import actions, registry
from careweave.programmes import template as tpl
from careweave.programmes.forms import ENROL_FIELDS, EnrolForm, EnrolmentForm, LeaveForm, RequestForm, StepForm
from careweave.programmes.models import Enrolment, Pathway, PathwayVersion, PhaseChange, Step
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import get_person_or_refuse, person_view, refused
from careweave.web.forms.base import add_rule_error, run_form
from careweave.web.roles import memberships_of, roles_for

TRANSITION_HORIZON_DAYS = 60


def _plan_url(person: Person) -> str:
    return reverse("web:plan", args=[person.fhir_id]) + "#programmes"


def _form_page(request: HttpRequest, person: Person | None, form: Any, *, title: str, intro: str = "",
               submit: str = "", cancel: str = "", status: int = 200) -> HttpResponse:
    context = {"person": person, "form": form, "title": title, "intro": intro, "submit": submit or _("Save"),
               "cancel_url": cancel or (_plan_url(person) if person else reverse("programmes:registry"))}
    return render(request, "web/form_page.html", context, status=status)


# --------------------------------------------------------------------------- enrolment


@person_view(Level.PLAN)
def enrol(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    """Enrol the person in a programme; a broken rule is shown beside its field and nothing changes."""
    if not may(request.user, "programmes.enrol_in_programme", person):
        raise PermissionDenied(_("Only a professional of the team, the case manager, or the person (or their "
                                 "representative) can enrol the person in a programme."))
    enrolled = set(person.enrolments.filter(status=Enrolment.Status.ACTIVE).values_list("pathway_id", flat=True))
    versions = [v for v in actions.usable_versions() if v.pathway_id not in enrolled]
    form = EnrolForm(request.POST or None, person=person, versions=versions,
                     ask_agreement=not speaks_for_person(request.user, person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = actions.enrol_in_programme(
                request.user, person, data["pathway"], reference_member=data["reference_member"],
                started_on=data["started_on"], expected_birth=data["expected_birth"], birth_date=data["birth_date"],
                person_agreed=data.get("person_agreed", False))
        except RuleViolation as exc:
            add_rule_error(form, exc, ENROL_FIELDS)
        else:
            messages.success(request, _("Enrolled in “%(programme)s”.") % {"programme": enrolment.pathway})
            if enrolment.flags:
                messages.warning(request, _("This programme is flagged as incompatible with another programme of "
                                            "the person: see the reason on the plan."))
            return redirect(_plan_url(person))
    status = 422 if request.method == "POST" else 200
    return _form_page(request, person, form, title=_("Enrol in a programme"), submit=_("Enrol"), status=status,
                      intro=_("The programme's goals, tasks and assessments come into this plan; the person keeps "
                              "one plan, whatever the number of programmes."))


def enrolment_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view taking an enrolment's ``fhir_id``: access to the person is decided and audited first."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, fhir_id: Any) -> HttpResponse:
        enrolment = get_object_or_404(Enrolment.objects.select_related("person", "pathway", "pathway_version"),
                                      fhir_id=fhir_id)
        try:
            get_person_or_refuse(request, enrolment.person.fhir_id, Level.PLAN)
        except AccessRefused as exc:
            return refused(request, exc, enrolment.person)
        return view(request, enrolment)

    return wrapper


def _save_enrolment(request: HttpRequest, enrolment: Enrolment, form: Any, save: Callable[[dict], Any], *,
                    done: str, title: str, submit: str = "") -> HttpResponse:
    """Run the action for a valid form; a broken rule or a change meanwhile is shown in the form."""
    if request.method == "POST" and run_form(form, lambda: save(form.cleaned_data), ENROL_FIELDS):
        messages.success(request, done)
        return redirect(_plan_url(enrolment.person))
    return _form_page(request, enrolment.person, form, title=title, submit=submit,
                      status=422 if request.method == "POST" else 200)


@enrolment_view
def enrolment_edit(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    """Record the birth, correct the expected date or choose another reference person."""
    initial = {"version": enrolment.version, "expected_birth": enrolment.expected_birth,
               "birth_date": enrolment.birth_date, "reference_member": enrolment.reference_member}
    form = EnrolmentForm(request.POST or None, initial=initial, enrolment=enrolment)
    return _save_enrolment(request, enrolment, form, lambda data: actions.update_enrolment(
        request.user, enrolment, data["version"], expected_birth=data.get("expected_birth"),
        birth_date=data.get("birth_date"), reference_member=data.get("reference_member")),
        done=_("Saved."), title=str(enrolment.pathway))


@enrolment_view
def enrolment_leave(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    form = LeaveForm(request.POST or None, initial={"version": enrolment.version})
    return _save_enrolment(request, enrolment, form, lambda data: actions.leave_programme(
        request.user, enrolment, data["version"], data["reason"]),
        done=_("The person has left the programme; the plan stays as it is."),
        title=_("Leave “%(programme)s”") % {"programme": enrolment.pathway}, submit=_("Leave the programme"))


# --------------------------------------------------------------------------- registry


def _version_row(version: PathwayVersion) -> dict[str, Any]:
    return {"version": version, "step": Step(version.step).label, "number": version.step_number}


@login_required
def registry_list(request: HttpRequest) -> HttpResponse:
    actions.ensure_shipped()
    pathways = Pathway.objects.prefetch_related("versions").select_related("zone")
    rows = []
    for pathway in pathways:
        versions = sorted(pathway.versions.all(), key=lambda v: v.created_at, reverse=True)
        rows.append({"pathway": pathway, "title": pathway.display_title(), "versions": [_version_row(v)
                                                                                          for v in versions]})
    context = {"rows": rows, "may_request": bool(registry.registry_zones(request.user)), "steps": Step.choices}
    return render(request, "programmes/registry.html", context)


@login_required
def registry_request(request: HttpRequest) -> HttpResponse:
    """Step 1: zone staff record a request for a new pathway in their zone's inventory."""
    zones = registry.registry_zones(request.user)
    if not zones:
        raise PermissionDenied(_("Only zone staff keep the pathway inventory."))
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = registry.request_pathway(request.user, zones[0], code=data["code"], title=data["title"],
                                               owner=data["owner"], note=data["note"],
                                               language=(request.LANGUAGE_CODE or "nl")[:2])
        except RuleViolation as exc:
            add_rule_error(form, exc, {"code_taken": "code", "required": "title"})
        else:
            return redirect("programmes:pathway", code=version.pathway.code)
    return _form_page(request, None, form, title=_("Request a new pathway"), submit=_("Record the request"),
                      status=422 if request.method == "POST" else 200)


def _compatibility(version: PathwayVersion) -> list[dict[str, str]]:
    """What the conceptual check sees: the other pathways declared incompatible, with the reason."""
    language = (request_language() or "en")
    out = []
    for other in actions.usable_versions():
        if other.pathway_id == version.pathway_id:
            continue
        reason = actions.incompatibility(version, other)
        if reason:
            out.append({"title": other.pathway.display_title(language), "reason": tpl.text_in(reason, language)})
    return out


def request_language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en")[:2]


@login_required
def pathway_detail(request: HttpRequest, code: str) -> HttpResponse:
    pathway = get_object_or_404(Pathway.objects.select_related("zone", "owner_user"), code=code)
    may_move = may(request.user, "programmes.move_pathway_step", pathway)
    versions = []
    forms: dict[int, StepForm] = {}
    if request.method == "POST":
        version = get_object_or_404(PathwayVersion, pk=request.POST.get("pathway_version"), pathway=pathway)
        form = StepForm(request.POST, version=version)
        forms[version.pk] = form
        if form.is_valid():
            try:
                registry.move_pathway_step(request.user, version, form.cleaned_data["to_step"],
                                           form.cleaned_data["version"], form.cleaned_data["note"])
            except RuleViolation as exc:
                add_rule_error(form, exc, {"rework_reason": "note", "step_not_allowed": "to_step"})
            except ChangedMeanwhile as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The pathway moved on."))
                return redirect("programmes:pathway", code=pathway.code)
    language = request_language()
    for version in pathway.versions.prefetch_related("history__actor").order_by("-created_at"):
        template = version.template
        versions.append({
            "version": version, "step": Step(version.step).label,
            "steps": [{"code": c, "label": label, "done": i < version.step_number - 1, "current": c == version.step}
                      for i, (c, label) in enumerate(Step.choices)],
            "history": list(version.history.all()),
            "form": forms.get(version.pk) or (StepForm(initial={"version": version.version}, version=version)
                                              if may_move and registry.allowed_moves(version.step) else None),
            "phases": [{"title": tpl.text_in(p["title"], language), "items": len(p.get("items") or []),
                        "components": tpl.text_in(p.get("components") or {}, language) or []}
                       for p in template.get("phases") or []],
            "settings": template.get("settings") or {},
            "compatibility": _compatibility(version),
            "enrolled": version.enrolments.filter(status=Enrolment.Status.ACTIVE).count(),
        })
    status = 422 if request.method == "POST" else 200
    context = {"pathway": pathway, "title": pathway.display_title(language), "versions": versions,
               "may_move": may_move, "description": tpl.text_in((pathway.versions.order_by("-created_at").first()
                                                                 .template.get("description")) or {}, language)}
    return render(request, "programmes/pathway.html", context, status=status)


# --------------------------------------------------------------------------- zone counts and transitions


@login_required
def zone_counts(request: HttpRequest) -> HttpResponse:
    """Enrolments per programme and per current phase in each of the user's zones, small cells hidden."""
    zones = list(dict.fromkeys(r.zone for r in roles_for(request).zone_roles))
    if not zones:
        raise PermissionDenied(_("This page is for the staff of a primary-care zone."))
    k = settings.SMALL_CELL_K
    language = request_language()
    rows = (Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, person__zone__in=zones)
            .values("person__zone", "pathway", "phase").annotate(n=Count("pk")))
    counted: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        counted.setdefault((row["person__zone"], row["pathway"]), {})[row["phase"]] = row["n"]
    tables = []
    versions = actions.usable_versions()
    for zone in zones:
        programmes = []
        for version in versions:
            phases = [p["code"] for p in version.template["phases"]]
            found = counted.get((zone.pk, version.pathway_id), {})
            values = [found.get(code, 0) for code in phases]
            mask, total_hidden = suppress_vector(values, None, k)
            programmes.append({
                "title": version.pathway.display_title(language),
                "total": None if total_hidden else sum(values),
                "phases": [{"title": actions.phase_title(version.template, code, language),
                            "count": None if hidden else value}
                           for code, value, hidden in zip(phases, values, mask, strict=True)],
            })
        tables.append({"zone": zone, "programmes": programmes})
    return render(request, "programmes/zone.html", {"tables": tables, "k": k})


@login_required
def transitions(request: HttpRequest) -> HttpResponse:
    """For coordinators and reference persons: their persons' programmes and the coming phase transitions,
    the moments an MDO is due (001 l.19370-19376); the MDOs themselves are organised in consultations."""
    teams = memberships_of(request.user).values("team__person")
    horizon = date.today() + timedelta(days=TRANSITION_HORIZON_DAYS)
    rows = []
    changed = PhaseChange.objects.filter(enrolment=OuterRef("pk"), on__gte=date.today() - timedelta(days=14))
    enrolments = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, person__in=teams) \
        .select_related("person", "pathway", "pathway_version").annotate(recent=Exists(changed))  # no query per row
    language = request_language()
    for enrolment in enrolments:
        following = tpl.next_transition(enrolment.pathway_version.template, actions.dates_of(enrolment),
                                        enrolment.phase)
        recent = enrolment.recent
        soon = following is not None and following[1] is not None and following[1] <= horizon
        if not (soon or recent):
            continue
        rows.append({"enrolment": enrolment, "person": enrolment.person,
                     "title": enrolment.pathway.display_title(language),
                     "phase": actions.phase_title(enrolment, enrolment.phase, language),
                     "next": actions.phase_title(enrolment, following[0], language) if following else "",
                     "on": following[1] if following else None, "recent": recent})
    rows.sort(key=lambda r: (r["on"] or date.max))
    shown = [r["person"] for r in rows]
    record_list_read(request.user, shown, "transitions", resource_type="CarePlan", request=request)
    return render(request, "programmes/transitions.html", {"rows": rows, "horizon": TRANSITION_HORIZON_DAYS})
