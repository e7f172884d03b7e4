"""The assessment pages: choose an instrument, fill it in screen by screen, read the result.

Thin views over the engine (``engine.py``: what to ask, what is valid, the score) and the
actions (``actions.py``: who may, the transaction, the audit). Every page about a person goes
through the same access door as the plan (``careweave.web.access``), read as a
``QuestionnaireResponse``. The form works without JavaScript (one POST per screen); with it,
``static/assessments/assessment.js`` keeps the answers on the device and sends them through the
sync endpoint (``offline.py``), so a home visit without a network loses nothing (decision 0009).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.decisions import Decision, decide
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.assessments import actions, alerts, engine
from careweave.assessments.forms import (
    GoalFromScoreForm,
    JudgementForm,
    ScreenForm,
    VersionOnlyForm,
    answerable,
    field_name,
    slug,
)
from careweave.assessments.models import Assessment
from careweave.careplans.errors import RuleViolation
from careweave.numbers import show_number
from careweave.people.models import Person
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import person_view, refused
from careweave.web.plandata import current_plan, membership

RESOURCE = "QuestionnaireResponse"
LANGS = ("nl", "fr", "de", "en")


def lang() -> str:
    code = (get_language() or "en")[:2]
    return code if code in LANGS else "en"


def _day(value: Any) -> str:
    """A date (or ISO date string, or datetime) as the user reads it."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def show_answer(item: Any, value: Any, language: str) -> str:
    """An answer as a person reads it: the option's label, yes/no, a localized number."""
    if value is None or value == "":
        return "\u2014"
    if item is not None and item.type == "choice":
        for option in item.options:
            if option.code == str(value):
                return option.label(language)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=None if value != int(value) else 0)
    if item is not None and item.type == "date":
        return _day(value)
    return str(value)


def _input_value(value: Any) -> str:
    """An answer as an input's value attribute; a number in the reader's language ("1,5"), as they type it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, float | int | Decimal):
        return show_number(value)
    return str(value)


def sections(definition: engine.Definition) -> list[Any]:
    return list(definition.sections())


def _is_enabled(item: Any, enabled: set[str]) -> bool:
    """The engine decides (enableWhen all/any; a disabled group disables its children)."""
    return item.link_id in enabled


def _leaves(item: Any) -> list[Any]:
    if item.type != "group":
        return [item]
    return [leaf for child in item.items or () for leaf in _leaves(child)]


def _shown(section: Any, enabled: set[str]) -> bool:
    """A screen is shown when it applies and something on it does (no empty screens)."""
    leaves = _leaves(section)
    return section.link_id in enabled and (not leaves or any(leaf.link_id in enabled for leaf in leaves))


def _may_open(request: HttpRequest, decision: Decision, definition: engine.Definition) -> bool:
    return not definition.medical or decision.allows(Level.FULL)


def _is_informal(request: HttpRequest, person: Person, decision: Decision) -> bool:
    member = membership(request.user, person)
    return decision.basis == "proxy" or (member is not None and member.is_informal)


def offered(request: HttpRequest, person: Person, decision: Decision) -> dict[str, list[dict[str, str]]]:
    """The instruments this viewer may start, staged: short screens first (001 l.15666).

    Medical instruments need full access; the carer-burden questionnaire is for the informal
    carer (their answers stay theirs, 001 l.4781); a calculator needs a professional's measurement.
    """
    professional = getattr(request.user, "professional", None) is not None
    informal = _is_informal(request, person, decision)
    usable = []
    for d in engine.catalogue().values():
        if not _may_open(request, decision, d):
            continue
        if d.private_to_author and not informal:
            continue
        if d.kind == "calculator" and not professional:
            continue
        usable.append(d)
    language = lang()
    usable.sort(key=lambda d: d.title(language))
    follow_ups = {d.follow_up for d in usable if d.kind == "screener" and d.follow_up}

    def entry(d: engine.Definition) -> dict[str, str]:
        return {"code": d.code, "title": d.title(language), "kind": d.kind}

    return {
        "screeners": [entry(d) for d in usable if d.kind == "screener"],
        "others": [entry(d) for d in usable if d.kind != "screener" and d.code not in follow_ups],
        "after_screen": [entry(d) for d in usable if d.kind != "screener" and d.code in follow_ups],
    }


# --- access ----------------------------------------------------------------------------------


def assessment_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load an assessment the viewer may see (medical ones with full access, private ones by their
    author); anything else is a refusal, audited and explained. A page view is audited as a read;
    a POST is audited by its action."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, assessment_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = get_object_or_404(
            Assessment.objects.select_related("person", "instrument", "plan"), fhir_id=assessment_id
        )
        try:
            if request.method in ("GET", "HEAD") or not actions.may_see(request.user, assessment):
                actions.open_assessment(request.user, assessment, request=request)
            return view(request, assessment, decide(request.user, assessment.person), *args, **kwargs)
        except AccessRefused as exc:
            return refused(request, exc, assessment.person)

    return wrapper


# --- the person's assessments and starting one -------------------------------------------------


@person_view(resource_type=RESOURCE)
def person_assessments(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    """Everything this viewer may see of the person's assessments, and the instruments to start."""
    language = lang()
    shown = list(
        actions.visible_assessments(request.user, person)
        .select_related("instrument")
        .prefetch_related("scores")
        .order_by("-started_at")
    )
    rows = [_summary_row(a, language) for a in shown if a.status != Assessment.Status.ENTERED_IN_ERROR]
    context = {
        "person": person,
        "decision": decision,
        "full": decision.allows(Level.FULL),
        "completed": [r for r in rows if r["completed"]],
        "in_progress": [r for r in rows if not r["completed"] and r["author_id"] == request.user.pk],
        "offer": offered(request, person, decision),
        "lang": language,
    }
    return render(request, "assessments/person.html", context)


def _summary_row(assessment: Assessment, language: str) -> dict[str, Any]:
    """An assessment as the lists show it: title, date, the stored scores with their meaning."""
    scores = [
        {
            "code": score.code,
            "label": score.label_in(language),
            "value": _score_text(score.value),
            "unit": "" if (score.unit or "").startswith("{") else score.unit,
            "interpretation": score.interpretation_in(language),
            "positive": score.positive,
        }
        for score in assessment.scores.all()
    ]
    return {
        "assessment": assessment,
        "title": assessment.instrument.display_title(language),
        "completed": assessment.is_done,
        "date": assessment.completed_at or assessment.started_at,
        "scores": scores,
        "private": assessment.author_only,
        "author_id": assessment.author_id,
        "screener": assessment.instrument.kind == "screener",
    }


def _score_text(value: float) -> str:
    """A score as people read it: whole numbers without decimals, else two."""
    return formats.number_format(value, decimal_pos=0 if float(value) == int(value) else 2)


def plan_summary(request: HttpRequest, person: Person) -> dict[str, Any]:
    """For the plan page: the latest result per instrument this viewer may see, and my drafts."""
    language = lang()
    latest: dict[str, dict[str, Any]] = {}
    drafts = []
    qs = (
        actions.visible_assessments(request.user, person)
        .exclude(status=Assessment.Status.ENTERED_IN_ERROR)
        .select_related("instrument")
        .prefetch_related("scores")
        .order_by("-completed_at", "-started_at")
    )
    for assessment in qs:
        if assessment.is_done:
            if assessment.instrument.code not in latest:
                latest[assessment.instrument.code] = _summary_row(assessment, language)
        elif assessment.author_id == request.user.pk:
            drafts.append(_summary_row(assessment, language))
    return {"latest": sorted(latest.values(), key=lambda r: r["date"], reverse=True), "drafts": drafts,
            "alerts": alerts.standing_alerts(request.user, person, language)}


@person_view(resource_type=RESOURCE)
def new_assessment(request: HttpRequest, person: Person, decision: Decision, code: str) -> HttpResponse:
    """A blank form. Opening it creates nothing; the first saved screen starts the assessment."""
    try:
        definition = engine.definition(code)
    except KeyError:
        raise Http404(_("This instrument does not exist.")) from None
    if not _may_open(request, decision, definition):
        require_access(request.user, person, action="read", resource_type=RESOURCE, needed=Level.FULL, request=request)
    if request.method != "POST":
        return _render_form(request, person, definition, None, answers={}, current=_screen_param(request))
    return _post_screen(request, person, definition, None)


@require_POST
@person_view(resource_type=RESOURCE)
def start(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    """Start an instrument chosen from the list (e.g. the follow-up a positive screen proposes)."""
    code = request.POST.get("instrument", "")
    try:
        engine.definition(code)
    except KeyError:
        messages.error(request, _("This instrument does not exist."))
        return redirect(reverse("assessments:person", args=[person.fhir_id]))
    return redirect(reverse("assessments:new", args=[person.fhir_id, code]))


# --- the form ----------------------------------------------------------------------------------


def _screen_param(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("s", "0")))
    except ValueError:
        return 0


@assessment_view
def fill(request: HttpRequest, assessment: Assessment, decision: Decision) -> HttpResponse:
    definition = assessment.instrument.definition()
    if assessment.is_done:
        return redirect(reverse("assessments:result", args=[assessment.fhir_id]))
    if request.method != "POST":
        answers = dict(assessment.answers)
        return _render_form(request, assessment.person, definition, assessment, answers=answers,
                            current=_screen_param(request))
    return _post_screen(request, assessment.person, definition, assessment)


def _enabled_sections(definition: engine.Definition, answers: dict) -> list[int]:
    enabled = definition.enabled(answers)
    return [i for i, s in enumerate(sections(definition)) if _shown(s, enabled)]


def _post_screen(
    request: HttpRequest, person: Person, definition: engine.Definition, assessment: Assessment | None
) -> HttpResponse:
    """One screen posted without JavaScript: check it, save it (or complete), go on."""
    step, _sep, index_text = request.POST.get("step", "next:0").partition(":")
    all_sections = sections(definition)
    try:
        index = min(max(0, int(index_text)), len(all_sections) - 1)
    except ValueError:
        index = 0
    language = lang()
    form = ScreenForm(all_sections[index], language, request.POST)
    stored = dict(assessment.answers) if assessment else {}
    if not form.is_valid():
        return _render_form(
            request, person, definition, assessment, answers=stored, current=index, form=form,
            errors=form.errors_by_link_id(),
        )
    screen_ids = {item.link_id for item in form.items}
    merged = {k: v for k, v in stored.items() if k not in screen_ids} | form.answers()
    enabled = definition.enabled(merged)
    merged = {k: v for k, v in merged.items() if k in enabled}
    finishing = step == "finish"
    problems = definition.validate(merged, complete=finishing)
    if problems:
        return _render_form(
            request, person, definition, assessment, answers=merged, current=index,
            errors={p.link_id: p.message for p in problems}, problems=problems,
        )
    version = _posted_version(request, assessment)
    try:
        with transaction.atomic():
            if assessment is None:
                assessment = actions.start_assessment(
                    request.user, person, definition.code, plan=current_plan(person),
                    client_id=request.POST.get("client_id") or None,
                )
                version = assessment.version
            if finishing:
                assessment = actions.complete_assessment(request.user, assessment, merged, version)
            else:
                assessment = actions.save_answers(request.user, assessment, merged, version)
    except ChangedMeanwhile:
        assessment.refresh_from_db()
        return _render_form(
            request, person, definition, assessment, answers=merged, current=index,
            conflict=_conflict_rows(definition, merged, dict(assessment.answers), language), status=409,
        )
    except RuleViolation as exc:
        messages.error(request, str(exc))
        return _render_form(request, person, definition, assessment, answers=merged, current=index, status=400)
    if finishing:
        messages.success(request, _("The assessment is complete."))
        return redirect(reverse("assessments:result", args=[assessment.fhir_id]))
    order = _enabled_sections(definition, merged)
    before = definition.enabled(stored)
    newly = [
        item for item in answerable(all_sections[index])
        if item.link_id in enabled and item.link_id not in before and item.link_id not in merged
        and item.enable_when
    ]
    if step == "back":
        target = max([i for i in order if i < index], default=index)
    elif newly:
        target = index  # a question opened up on this screen: show it before moving on
    else:
        target = min([i for i in order if i > index], default=index)
    return redirect(reverse("assessments:fill", args=[assessment.fhir_id]) + f"?s={target}")


def _posted_version(request: HttpRequest, assessment: Assessment | None) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return assessment.version if assessment else 0


def _conflict_rows(definition: engine.Definition, mine: dict, theirs: dict, language: str) -> list[dict[str, str]]:
    """What was saved meanwhile next to what this user gave, for the answers that differ."""
    items = {item.link_id: item for item in definition.answerable()}
    rows = []
    for link_id, item in items.items():
        if mine.get(link_id) != theirs.get(link_id):
            rows.append(
                {
                    "label": item.label(language),
                    "theirs": show_answer(item, theirs.get(link_id), language),
                    "yours": show_answer(item, mine.get(link_id), language),
                }
            )
    return rows


def _node(item: Any, ctx: dict[str, Any]) -> dict[str, Any]:
    """One item as the template draws it, with its current answer, prior answer and error."""
    language, answers, form = ctx["lang"], ctx["answers"], ctx["form"]
    node: dict[str, Any] = {
        "link_id": item.link_id,
        "slug": slug(item.link_id),
        "name": field_name(item.link_id),
        "type": item.type,
        "label": item.label(language),
        "required": item.required,
        "enabled": _is_enabled(item, ctx["enabled"]),
        "unit": item.unit or "",
        "max_length": item.max_length or "",
        "error": ctx["errors"].get(item.link_id, ""),
        "children": [_node(child, ctx) for child in item.items or ()],
    }
    if item.type not in ("group", "display"):
        prior = None
        reused = ctx["reused"].get(item.link_id)
        if form is not None and form.is_bound and field_name(item.link_id) in form.data:
            value = form.data.get(field_name(item.link_id), "")
        elif item.link_id in answers:
            value = _input_value(answers[item.link_id])
        elif item.link_id in ctx["priors"]:
            p = ctx["priors"][item.link_id]
            value = _input_value(p.value)
            prior = {"on": _day(p.answered_on), "by": p.by}
        else:
            value = ""
        if value == "" and item.link_id in ctx["stale"]:
            # Older than the question looks back: shown as what was answered last time, not filled in.
            p = ctx["stale"][item.link_id]
            node["last_time"] = {"on": _day(p.answered_on), "by": p.by, "answer": show_answer(item, p.value, language)}
        if reused and prior is None:
            prior = {"on": _day(reused.get("on", "")), "by": reused.get("by", "")}
        node["value"] = value
        node["prior"] = prior
        if item.type == "choice":
            node["options"] = [
                {"code": o.code, "label": o.label(language), "checked": value == o.code, "id": f"{node['slug']}-{i}"}
                for i, o in enumerate(item.options)
            ]
        elif item.type == "boolean":
            node["options"] = [
                {"code": code, "label": label, "checked": value == code, "id": f"{node['slug']}-{code}"}
                for code, label in (("true", _("Yes")), ("false", _("No")))
            ]
    return node


def _render_form(
    request: HttpRequest,
    person: Person,
    definition: engine.Definition,
    assessment: Assessment | None,
    *,
    answers: dict,
    current: int,
    form: ScreenForm | None = None,
    errors: dict[str, str] | None = None,
    problems: list | None = None,
    conflict: list | None = None,
    status: int = 200,
) -> HttpResponse:
    language = lang()
    all_sections = sections(definition)
    ctx = {
        "lang": language,
        "answers": answers,
        "form": form,
        "errors": errors or {},
        "enabled": definition.enabled(answers),
        "reused": dict(getattr(assessment, "reused", None) or {}),
    }
    # A new form shows earlier answers to the same questions; a started one took them over
    # already (start_assessment) and says where they came from (``reused``). Answers older than
    # the instrument's recall period are never filled in, only shown as "last time".
    fresh, stale = actions.recall_split(definition, actions.earlier_answers(request.user, person, definition))
    ctx["priors"] = fresh if assessment is None else {}
    ctx["stale"] = stale
    order = [i for i, s in enumerate(all_sections) if _shown(s, ctx["enabled"])] or [0]
    if current not in order:
        current = min([i for i in order if i >= current], default=order[-1])
    screens = []
    for index, section in enumerate(all_sections):
        screens.append(
            {
                "index": index,
                "node": _node(section, ctx),
                "current": index == current,
                "first": index == order[0],
                "last": index == order[-1],
                "position": order.index(index) + 1 if index in order else 0,
            }
        )
    screen_of = {}
    for index, section in enumerate(all_sections):
        for item in answerable(section):
            screen_of[item.link_id] = index
    problem_links = [
        {
            "message": p.message,
            "label": next((i.label(language) for i in definition.answerable() if i.link_id == p.link_id), ""),
            "href": f"?s={screen_of.get(p.link_id, current)}#{slug(p.link_id)}",
        }
        for p in problems or []
        if screen_of.get(p.link_id, current) != current
    ]
    plan = current_plan(person)
    context = {
        "person": person,
        "definition": definition,
        "title": definition.title(language),
        "assessment": assessment,
        "screens": screens,
        "count": len(order),
        "current": current,
        "problems": problem_links,
        "has_errors": bool(errors),
        "conflict": conflict,
        "client_id": str(assessment.client_id) if assessment else "",
        "version": assessment.version if assessment else "",
        "plan_id": str(plan.fhir_id) if plan else "",
        "definition_url": reverse("assessments:questionnaire", args=[definition.code, definition.version]),
        "new_url": reverse("assessments:new", args=[person.fhir_id, definition.code]),
        "private": definition.private_to_author,
        "medical": definition.medical,
    }
    return render(request, "assessments/form.html", context, status=status)


# --- the result --------------------------------------------------------------------------------


TREND_W, TREND_H = 340, 160
PAD_L, PAD_R, PAD_T, PAD_B = 40, 16, 24, 30


def trend(points: list[tuple[datetime, float]], label: str) -> dict[str, Any] | None:
    """SVG geometry for one score over time (drawn by the template, no script, no inline style)."""
    if len(points) < 2:
        return None
    points = sorted(points)
    t0, t1 = points[0][0], points[-1][0]
    span = (t1 - t0).total_seconds() or 1.0
    values = [v for _t, v in points]
    lo, hi = min(0.0, min(values)), max(values)
    if hi == lo:
        hi = lo + 1
    inner_w, inner_h = TREND_W - PAD_L - PAD_R, TREND_H - PAD_T - PAD_B

    def x(t: datetime) -> float:
        return PAD_L + (t - t0).total_seconds() / span * inner_w

    def y(v: float) -> float:
        return PAD_T + (hi - v) / (hi - lo) * inner_h

    dots = [
        {"x": f"{x(t):.1f}", "y": f"{y(v):.1f}", "value": _score_text(v), "date": _day(t), "label_y": f"{y(v) - 7:.1f}"}
        for t, v in points
    ]
    return {
        "label": label,
        "width": TREND_W,
        "height": TREND_H,
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "axis": {"x1": PAD_L, "x2": TREND_W - PAD_R, "y": f"{PAD_T + inner_h:.1f}", "top": PAD_T},
        "y_labels": [
            {"y": f"{y(hi) + 4:.1f}", "text": _score_text(hi)},
            {"y": f"{y(lo) + 4:.1f}", "text": _score_text(lo)},
        ],
        "x_labels": [
            {"x": f"{PAD_L:.1f}", "text": dots[0]["date"], "anchor": "start"},
            {"x": f"{TREND_W - PAD_R:.1f}", "text": dots[-1]["date"], "anchor": "end"},
        ],
        "label_x": f"{PAD_L - 6}",
        "x_label_y": f"{TREND_H - 8}",
        "summary": ", ".join(_("%(value)s on %(date)s") % {"value": d["value"], "date": d["date"]} for d in dots),
    }


@assessment_view
def result(request: HttpRequest, assessment: Assessment, decision: Decision) -> HttpResponse:
    if not assessment.is_done:
        return redirect(reverse("assessments:fill", args=[assessment.fhir_id]))
    return _render_result(request, assessment, decision)


def _render_result(
    request: HttpRequest,
    assessment: Assessment,
    decision: Decision,
    *,
    judgement_form: JudgementForm | None = None,
    goal_form: GoalFromScoreForm | None = None,
    conflict: list | None = None,
    status: int = 200,
) -> HttpResponse:
    language = lang()
    person = assessment.person
    definition = assessment.instrument.definition()
    row = _summary_row(assessment, language)
    history = list(
        actions.visible_assessments(request.user, person)
        .filter(instrument__code=assessment.instrument.code, status__in=actions.DONE)
        .prefetch_related("scores")
        .order_by("completed_at")
    )
    trends = []
    for score in row["scores"]:
        points = [
            (a.completed_at, float(s.value))
            for a in history
            for s in a.scores.all()
            if s.code == score["code"] and a.completed_at
        ]
        # The main score always; a sub-score only when it moved (a flat line of zeros says nothing).
        if score is not row["scores"][0] and len({v for _t, v in points}) < 2:
            continue
        plot = trend(points, score["label"])
        if plot is not None:
            plot["code"] = slug(score["code"])
            trends.append(plot)
    items = {item.link_id: item for item in definition.answerable()}
    answers = [
        {"label": items[k].label(language), "value": show_answer(items[k], v, language)}
        for k, v in assessment.answers.items()
        if k in items
    ]
    follow_up_code = actions.proposed_follow_up(assessment)
    follow_up = None
    if follow_up_code:
        try:
            proposed = engine.definition(follow_up_code)
        except KeyError:
            follow_up = None
        else:
            follow_up = {"code": proposed.code, "title_text": proposed.title(language)}
    main = row["scores"][0] if row["scores"] else None
    # A goal in the person's words when the instrument asks for them (the goal-finding guide).
    seeds = definition.goal_seeds(assessment.answers)
    suggestion = seeds[0] if seeds else ""
    if not suggestion and main:
        suggestion = f"{row['title']}: {main['interpretation'] or main['value']}"
    context = {
        "person": person,
        "assessment": assessment,
        "row": row,
        "definition": definition,
        "trends": trends,
        "history": [_summary_row(a, language) for a in reversed(history)],
        "answers": answers,
        "follow_up": follow_up,
        "judgement_form": judgement_form or JudgementForm(initial={"version": assessment.version}),
        "goal_form": goal_form or GoalFromScoreForm(initial={"text": suggestion}),
        "share_form": VersionOnlyForm(initial={"version": assessment.version}),
        "shareable": definition.private_to_author and not assessment.shared,
        "plan": current_plan(person),
        "conflict": conflict,
        "alerts": alerts.alerts_for_viewer(request.user, assessment, language),
    }
    return render(request, "assessments/result.html", context, status=status)


@require_POST
@assessment_view
def judgement(request: HttpRequest, assessment: Assessment, decision: Decision) -> HttpResponse:
    """Mark the score as differing from the professional's own judgement, with the reason."""
    form = JudgementForm(request.POST)
    if form.is_valid():
        try:
            actions.record_own_judgement(
                request.user, assessment, form.cleaned_data["reason"], form.cleaned_data["version"]
            )
        except ChangedMeanwhile:
            assessment.refresh_from_db()
            rows = [{"label": str(form.fields["reason"].label), "theirs": assessment.judgement_reason or "\u2014",
                     "yours": form.cleaned_data["reason"]}]
            data = request.POST.copy()
            data["version"] = str(assessment.version)
            return _render_result(request, assessment, decision, judgement_form=JudgementForm(data), conflict=rows,
                                  status=409)
        except RuleViolation as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Your own judgement has been recorded next to the score."))
            return redirect(reverse("assessments:result", args=[assessment.fhir_id]) + "#judgement")
    return _render_result(request, assessment, decision, judgement_form=form, status=400)


@require_POST
@assessment_view
def make_goal(request: HttpRequest, assessment: Assessment, decision: Decision) -> HttpResponse:
    """Turn the result into a care or support goal of the plan."""
    form = GoalFromScoreForm(request.POST)
    if form.is_valid():
        try:
            goal = actions.score_to_goal(request.user, assessment, form.cleaned_data["text"])
        except RuleViolation as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, _("The goal has been added to the plan."))
            return redirect(reverse("web:plan", args=[assessment.person.fhir_id]) + f"#goal-{goal.pk}")
    return _render_result(request, assessment, decision, goal_form=form, status=400)


@require_POST
@assessment_view
def share(request: HttpRequest, assessment: Assessment, decision: Decision) -> HttpResponse:
    """The carer shares their private answers with the team."""
    form = VersionOnlyForm(request.POST)
    if form.is_valid():
        try:
            actions.share_with_team(request.user, assessment, form.cleaned_data["version"])
        except ChangedMeanwhile:
            messages.error(request, _("This was changed meanwhile. Look at it again, then share."))
        except RuleViolation as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your answers are now shared with the team."))
    return redirect(reverse("assessments:result", args=[assessment.fhir_id]))


def person_assessments_root(request: HttpRequest) -> HttpResponse:
    """/assessments/ itself is only the service worker's scope: send the user home."""
    return redirect("web:home")
