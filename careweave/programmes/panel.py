"""What the plan shows of the person's programmes: phase, next transition, tasks, flags, growth chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from careweave.access.decisions import Decision
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.actions._common import atomic_action
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import TeamMember
from careweave.people.models import Discipline, Person, RelatedPerson
from careweave.programmes import actions
from careweave.programmes import template as tpl
from careweave.programmes.models import Enrolment

FAMILY = {RelatedPerson.Relationship.PARENT, RelatedPerson.Relationship.GUARDIAN, RelatedPerson.Relationship.SIBLING,
          RelatedPerson.Relationship.FAMILY}
SCHOOL_WORDS = ("school", "clb", "pms", "école", "ecole", "schule")


@dataclass
class ProgrammeView:
    enrolment: Enrolment
    title: str
    phase: str
    next_phase: str = ""
    next_on: date | None = None
    next_expected: bool = False
    birth_overdue: bool = False
    components: list[str] = field(default_factory=list)
    tasks: list[Any] = field(default_factory=list)
    hidden: int = 0
    conflicts: list[dict[str, str]] = field(default_factory=list)
    reassessment: date | None = None
    reassessment_instrument: str = ""
    context: list[dict[str, Any]] = field(default_factory=list)
    growth: dict[str, Any] | None = None
    latest: dict[str, Any] | None = None
    duration: str = ""


def _language() -> str:
    return (get_language() or "en")[:2]


def _context(enrolment: Enrolment, wanted: list[str]) -> list[dict[str, Any]]:
    """Whether the family and the school take part in the team (obesity programme, 001 l.4893-4897)."""
    members = list(TeamMember.objects.filter(team__person=enrolment.person, status=TeamMember.Status.ACTIVE)
                   .select_related("professional", "related_person"))
    out = []
    if "family" in wanted:
        family = [m for m in members if m.related_person_id and m.related_person.relationship in FAMILY]
        out.append({"code": "family", "label": _("Family"), "members": family,
                    "missing": _("Add a parent or guardian to the team.")})
    if "school" in wanted:
        school = [m for m in members if any(w in (m.role or "").lower() for w in SCHOOL_WORDS)
                  or (m.professional_id and m.professional.discipline == Discipline.EDUCATOR)]
        out.append({"code": "school", "label": _("School"), "members": school,
                    "missing": _("Add the school's CLB/PMS worker or a teacher to the team (role “school”).")})
    return out


CHART_W, CHART_H, L, R, T, B = 460, 220, 20, 100, 14, 30
Z_LO, Z_HI = -3.0, 4.0


def growth_chart(actor, person: Person) -> dict[str, Any] | None:  # noqa: ANN001
    """BMI-for-age z-scores against age with the WHO cut-offs (5-19 years: +1 overweight, +2 obesity,
    -2 thinness), drawn server-side like the assessment trends. Only what the actor may see."""
    from careweave.assessments.actions import visible_assessments

    points = []
    for assessment in visible_assessments(actor, person).filter(instrument__code="bmi-for-age").prefetch_related(
            "scores"):
        if not assessment.is_done:
            continue
        z = next((s.value for s in assessment.scores.all() if s.code == "bmi-z"), None)
        measured, born = assessment.answers.get("bmi-measured-on"), assessment.answers.get("bmi-birth-date")
        if z is None or not measured or not born:
            continue
        age = (date.fromisoformat(measured) - date.fromisoformat(born)).days / 365.25
        points.append((age, float(z), date.fromisoformat(measured)))
    if not points:
        return None
    points.sort()
    a0 = max(0.0, int(points[0][0]) - 1.0)
    a1 = max(int(points[-1][0]) + 1.0, a0 + 2)
    inner_w, inner_h = CHART_W - L - R, CHART_H - T - B

    def x(age: float) -> float:
        return L + (age - a0) / (a1 - a0) * inner_w

    def y(z: float) -> float:
        return T + (Z_HI - max(Z_LO, min(Z_HI, z))) / (Z_HI - Z_LO) * inner_h

    lines = [
        {"z": 2, "label": _("obesity (+2 SD)"), "stroke": "#b3261e"},
        {"z": 1, "label": _("overweight (+1 SD)"), "stroke": "#8a5a00"},
        {"z": 0, "label": _("median"), "stroke": "#4a5360"},
        {"z": -2, "label": _("thinness (−2 SD)"), "stroke": "#8a5a00"},
    ]
    dots = [{"x": f"{x(a):.1f}", "y": f"{y(z):.1f}", "z": f"{z:+.1f}", "label_y": f"{y(z) - 7:.1f}",
             "date": formats.date_format(d, "SHORT_DATE_FORMAT")} for a, z, d in points]
    return {
        "width": CHART_W, "height": CHART_H,
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "lines": [{**line, "y": f"{y(line['z']):.1f}", "text_y": f"{y(line['z']) + 4:.1f}"} for line in lines],
        "x1": L, "x2": CHART_W - R, "label_x": CHART_W - R + 4, "axis_y": T + inner_h, "top": T,
        "ages": [{"x": f"{x(a):.1f}", "text": str(a)} for a in range(int(a0), int(a1) + 1)],
        "age_y": CHART_H - 8,
        "summary": ", ".join(_("z %(z)s on %(date)s") % {"z": d["z"], "date": d["date"]} for d in dots),
    }


def latest_result(actor, person: Person, code: str, language: str) -> dict[str, Any] | None:  # noqa: ANN001
    """The last completed assessment of the programme's instrument the actor may see, with its scores: for
    frail persons the four dimensions and the change in the life or care course (003 l.293-308)."""
    from careweave.assessments.actions import visible_assessments
    from careweave.assessments.models import Assessment

    found = (visible_assessments(actor, person).filter(instrument__code=code, status__in=[
        Assessment.Status.COMPLETED, Assessment.Status.AMENDED]).order_by("-completed_at")
        .prefetch_related("scores").first())
    if found is None:
        return None
    scores = [{"label": s.label_in(language), "value": f"{s.value:g}", "interpretation": s.interpretation_in(language)
               if s.interpretation_code else "", "positive": s.positive} for s in found.scores.all()]
    return {"assessment": found, "on": found.completed_at, "scores": scores}


def programme_views(actor, person: Person, decision: Decision) -> list[ProgrammeView]:  # noqa: ANN001
    """The person's active programmes as the actor may see them; brought up to date first (the phase the
    dates imply, the items of the phase), so the page always shows the plan the dates ask for."""
    language = _language()
    out = []
    enrolments = person.enrolments.filter(status=Enrolment.Status.ACTIVE).select_related(
        "pathway", "pathway_version__pathway", "plan__team", "reference_member__professional",
        "reference_member__related_person", "person")
    for enrolment in enrolments:
        if may(actor, "programmes.sync_enrolment", enrolment):
            try:
                atomic_action(actions.sync_enrolment)(actor, enrolment)
            except RuleViolation:
                pass  # shown as it is; the next one with access brings the rest
        if enrolment.status != Enrolment.Status.ACTIVE:
            continue
        out.append(_view(actor, enrolment, decision, language))
    return out


def _view(actor, enrolment: Enrolment, decision: Decision, language: str) -> ProgrammeView:  # noqa: ANN001
    template = enrolment.pathway_version.template
    phase = tpl.phase(template, enrolment.phase)
    dates = actions.dates_of(enrolment)
    view = ProgrammeView(enrolment=enrolment, title=enrolment.pathway.display_title(language),
                         phase=actions.phase_title(enrolment, enrolment.phase, language),
                         components=list(tpl.text_in(phase.get("components") or {}, language) or []))
    following = tpl.next_transition(template, dates, enrolment.phase)
    if following:
        view.next_phase = actions.phase_title(enrolment, following[0], language)
        view.next_on = following[1]
        view.next_expected = enrolment.birth_date is None and enrolment.expected_birth is not None
    view.birth_overdue = (enrolment.birth_date is None and enrolment.expected_birth is not None
                          and enrolment.expected_birth < date.today())
    tasks = [i.task for i in enrolment.items.select_related("task__assignee__professional",
                                                              "task__assignee__related_person") if i.task]
    full = decision.allows(Level.FULL)
    view.tasks = [t for t in tasks if full or not t.is_medical]
    view.hidden = len(tasks) - len(view.tasks)
    view.conflicts = [{"title": c.other.pathway.display_title(language), "reason": c.reason_in(language)}
                      for c in actions.conflicts(enrolment.person, enrolment.pathway_version, exclude=enrolment)]
    settings = template.get("settings") or {}
    if settings.get("reassessment"):
        view.reassessment = actions.next_reassessment(enrolment)
        from careweave.assessments.catalogue import instrument_for

        view.reassessment_instrument = instrument_for(settings["reassessment"]["instrument"]).display_title(language)
        view.latest = latest_result(actor, enrolment.person, settings["reassessment"]["instrument"], language)
    months = settings.get("case_management_months", "absent")
    if months is None:
        view.duration = _("Coordination and case management as long as needed (long-term).")  # 000 l.378
    elif months != "absent":
        view.duration = _("Planned duration: %(months)s months.") % {"months": months}
    if settings.get("context"):
        view.context = _context(enrolment, settings["context"])
    if settings.get("reassessment", {}).get("instrument") == "bmi-for-age":
        view.growth = growth_chart(actor, enrolment.person)
    return view
