"""Every write to an assessment goes through these actions (decision 0008, like ``careplans.actions``).

Who may do what:

* a **medical** instrument needs full access to the person (decide(): welfare professionals and
  informal carers see no medical scores unless the person allows it); a non-medical one (PREM,
  PROM, goal-finding guide, carer burden) needs access to the shared plan;
* the person themselves and their representative/proxy fill in instruments for the person
  (PROM/PREM, their own questionnaires: 001 l.20694-20704);
* a **carer-burden** response (``Definition.private_to_author``) is seen by the one who answered
  only, until they share it with the team: carers do not always answer truthfully for fear of the
  consequences (001 l.4781-4785);
* completed answers are **frozen**: a correction is an amendment of the same response (status
  ``amended``) with a reason; earlier versions stay in the FHIR ``_history``;
* a score **supports** the professional's judgement, it never replaces it (001 l.3488-3490,
  l.19453-19457): ``record_own_judgement`` keeps a differing judgement with its reason beside the
  score, and no action grants or refuses anything because of a score (001 l.5120-5130).

Each action runs in one transaction, is audited, refuses with a translated :class:`RuleViolation`
and refuses a stale version with :class:`~careweave.versioning.ChangedMeanwhile`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careweave.access.audit import record_access
from careweave.access.decisions import decide
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.access.permissions import authorize, may
from careweave.assessments.catalogue import instrument_for
from careweave.assessments.models import Assessment, Instrument, Score
from careweave.careplans.actions import add_goal
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CarePlan, Goal
from careweave.people.models import Person
from careweave.versioning import ChangedMeanwhile

RESOURCE = "QuestionnaireResponse"
DONE = (Assessment.Status.COMPLETED, Assessment.Status.AMENDED)


class AnswersInvalid(RuleViolation):
    """The engine found problems in the answers; ``problems`` lists them per linkId (translated)."""

    def __init__(self, problems: list) -> None:  # list[engine.Problem]
        self.problems = list(problems)
        message = " ".join(p.message for p in self.problems[:10])
        super().__init__("invalid_answers", message or _("Some answers are not valid."))


@dataclass(frozen=True)
class PriorAnswer:
    """An answer given before ("answered on DATE by WHO, still right?"): never ask twice (001 l.5776-5780)."""

    value: Any
    answered_on: date
    by: str
    assessment: Assessment
    source_link_id: str = ""


@dataclass
class SyncResult:
    assessment: Assessment
    outcome: str  # created | updated | unchanged | conflict
    conflicts: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- access


def needed_level(instrument: Instrument) -> int:
    return Level.FULL if instrument.medical else Level.PLAN


def _is_author(actor, assessment: Assessment) -> bool:  # noqa: ANN001
    return bool(getattr(actor, "is_authenticated", False)) and assessment.author_id == actor.pk


PRIVATE = gettext_lazy("Only the one who filled this in can see it, until they share it with the team.")


def may_see(actor, assessment: Assessment) -> bool:  # noqa: ANN001
    """Whether ``actor`` may see this assessment (no audit: for lists that are audited as a whole)."""
    return may(actor, "assessments.private_to_author", assessment) and may(
        actor, _SEE_MEDICAL if assessment.instrument.medical else "assessments.open_assessment", assessment
    )


_SEE_MEDICAL = "assessments.medical_instrument"


def _authorize_level(actor, name: str, target, instrument: Instrument) -> None:  # noqa: ANN001
    """Full access first for a medical instrument (decision 0004), then the action's own row."""
    if instrument.medical:
        authorize(actor, _SEE_MEDICAL, target)
    authorize(actor, name, target)


def _require_write(actor, assessment: Assessment, name: str) -> None:  # noqa: ANN001
    """A private questionnaire stays its author's (asked first), then the level and the action's row."""
    authorize(actor, "assessments.private_to_author", assessment)
    _authorize_level(actor, name, assessment, assessment.instrument)


def open_assessment(actor, assessment: Assessment, *, request=None) -> Assessment:  # noqa: ANN001
    """The guarded read of one assessment, for every door: refused or allowed, it is audited.

    Raises :class:`~careweave.access.guard.AccessRefused` (a PermissionDenied) with the reason.
    """
    if assessment.author_only and not _is_author(actor, assessment):
        record_access(actor, "read", RESOURCE, str(assessment.fhir_id), person=assessment.person, outcome="denied",
                      reason=str(PRIVATE), request=request, basis=decide(actor, assessment.person).basis)
        raise AccessRefused(str(PRIVATE))
    require_access(actor, assessment.person, action="read", resource_type=RESOURCE,
                   resource_id=str(assessment.fhir_id), needed=needed_level(assessment.instrument), request=request)
    return assessment


def visible_assessments(actor, person: Person) -> QuerySet[Assessment]:  # noqa: ANN001
    """The person's assessments ``actor`` may see: medical ones with full access, private ones by their author.

    Not audited by itself: a door that shows the list audits it (``list_assessments``).
    """
    decision = decide(actor, person)
    # The Questionnaire JSON is large and its parsed Definition is cached: do not load it per row.
    qs = (Assessment.objects.filter(person=person).select_related("instrument", "plan")
          .defer("instrument__questionnaire"))
    if not decision.allows(Level.PLAN):
        return qs.none()
    if not decision.allows(Level.FULL):
        qs = qs.filter(is_medical=False)
    return qs.filter(Q(is_private=False) | Q(shared=True) | Q(author=actor))


def visible_assessments_of_many(actor, persons: list[Person]) -> QuerySet[Assessment]:  # noqa: ANN001
    """:func:`visible_assessments` for the persons of a list page at once (one decision query per fact)."""
    from careweave.access.decisions import decide_many

    decisions = decide_many(actor, persons)
    full = [pk for pk, d in decisions.items() if d.allows(Level.FULL)]
    plan = [pk for pk, d in decisions.items() if d.allows(Level.PLAN) and not d.allows(Level.FULL)]
    qs = (Assessment.objects.filter(Q(person_id__in=full) | Q(person_id__in=plan, is_medical=False))
          .select_related("instrument", "plan", "person").defer("instrument__questionnaire"))
    return qs.filter(Q(is_private=False) | Q(shared=True) | Q(author=actor))


def list_assessments(actor, person: Person, *, request=None) -> QuerySet[Assessment]:  # noqa: ANN001
    """``visible_assessments`` for a page or API list: the look at the person's file is audited (or refused)."""
    require_access(actor, person, action="search", resource_type=RESOURCE, request=request)
    return visible_assessments(actor, person)


# --------------------------------------------------------------------------- helpers


def display_name(actor, person: Person) -> str:  # noqa: ANN001
    """The name kept with the answers ("by WHO"): a name only, so it reads the same in every language."""
    professional = getattr(actor, "professional", None)
    if professional is not None:
        return str(professional)[:200]
    if getattr(actor, "person", None) is not None:
        return str(actor.person)[:200]
    related = person.network.filter(user=actor).first()
    if related is not None:
        return f"{related.given_name} {related.family_name}"[:200]
    return (actor.get_full_name() or actor.get_username())[:200]


def _instrument(code: str, version: str | None = None) -> Instrument:
    try:
        return instrument_for(code, version)
    except Instrument.DoesNotExist:
        raise RuleViolation(
            "unknown_instrument",
            _("There is no instrument %(code)s %(version)s.") % {"code": code, "version": version or ""},
        ) from None


def _as_answers(answers: Any) -> dict[str, Any]:
    if not isinstance(answers, dict) or not all(isinstance(k, str) for k in answers):
        raise RuleViolation("answers_shape", _("The answers must be given per question (linkId)."))
    return answers


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """New answers over the stored ones; ``None`` or an empty text clears an answer."""
    merged = dict(current)
    for key, value in _as_answers(changes).items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _only_given(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in _as_answers(answers).items() if v is not None and v != ""}


def _still_reused(reused: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Keep the "taken over from" note only for answers that were not changed since."""
    return {k: v for k, v in reused.items() if k in after and after[k] == before.get(k)}


def _locked(assessment: Assessment, expected_version: int | None) -> Assessment:
    current = (Assessment.objects.select_for_update().select_related("instrument", "person")
               .defer("instrument__questionnaire").get(pk=assessment.pk))
    expected = current.version if expected_version is None else expected_version
    if current.version != expected:
        raise ChangedMeanwhile(current, expected)
    return current


def _require_open(assessment: Assessment) -> None:
    if assessment.status != Assessment.Status.IN_PROGRESS:
        raise RuleViolation(
            "assessment_frozen",
            _("This assessment is %(status)s: its answers can no longer be changed. "
              "Correct it, with a reason, if an answer was wrong.") % {"status": assessment.get_status_display()},
        )


def _validate(definition, answers: dict[str, Any], *, complete: bool) -> None:  # noqa: ANN001
    problems = definition.validate(answers, complete=complete)
    if problems:
        raise AnswersInvalid(problems)


def _final_answers(definition, answers: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
    """Every problem at once, then the answers to questions another answer switched off (enableWhen)
    are dropped: they do not count (FHIR SDC)."""
    _validate(definition, answers, complete=True)
    enabled = definition.enabled(answers)
    answerable = {item.link_id for item in definition.answerable()}
    return {k: v for k, v in answers.items() if k not in answerable or k in enabled}


def _write_scores(assessment: Assessment, definition) -> list[Score]:  # noqa: ANN001
    assessment.scores.all().delete()
    rows = [
        Score(assessment=assessment, code=result.code, label=dict(result.label), value=float(result.value),
              unit=result.unit or "", interpretation_code=result.interpretation_code or "",
              interpretation=dict(result.interpretation or {}), positive=bool(result.positive),
              loinc=result.loinc or "", position=position)
        for position, result in enumerate(definition.score(assessment.answers))
    ]
    return Score.objects.bulk_create(rows)


def _publish(assessment: Assessment) -> None:
    """Say that the scores changed: the FHIR app keeps the score Observations in the person's integrated
    record equal to them (never for private ones). A signal, so the domain never imports the door."""
    from careweave.records.signals import scores_changed

    scores_changed.send(sender=Assessment, instance=assessment)


# --------------------------------------------------------------------------- actions


@atomic_action
def start_assessment(
    actor,  # noqa: ANN001
    person: Person,
    instrument_code: str,
    *,
    plan: CarePlan | None = None,
    client_id: uuid.UUID | str | None = None,
    version: str | None = None,
    prefill: bool = True,
) -> Assessment:
    """Start filling in an instrument for the person; earlier answers to the same questions are taken over."""
    instrument = _instrument(instrument_code, version)
    _authorize_level(actor, "assessments.start_assessment", person, instrument)
    if person.deceased_on:
        raise RuleViolation("deceased", _("This person has died; no new assessment can be started."))
    if plan is not None and plan.person_id != person.pk:
        raise RuleViolation("plan_person", _("This care plan belongs to another person."))
    key = uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    if Assessment.objects.filter(client_id=key).exists():
        raise RuleViolation("duplicate_client_id", _("An assessment with this client id exists already."))
    answers: dict[str, Any] = {}
    reused: dict[str, Any] = {}
    if prefill:
        for link_id, prior in previous_answers(actor, person, instrument.definition()).items():
            answers[link_id] = prior.value
            reused[link_id] = {"from": str(prior.assessment.fhir_id), "on": prior.answered_on.isoformat(),
                               "by": prior.by, "instrument": prior.assessment.instrument.code}
    now = timezone.now()
    assessment = Assessment.objects.create(
        client_id=key, person=person, plan=plan, instrument=instrument, answers=answers, reused=reused,
        author=actor, author_display=display_name(actor, person), started_at=now, authored_at=now,
        is_medical=instrument.medical, is_private=instrument.private_to_author,
    )
    audit_write(actor, "create", RESOURCE, assessment, person, reason=instrument.code)
    return assessment


@atomic_action
def save_answers(actor, assessment: Assessment, answers: dict, expected_version: int) -> Assessment:  # noqa: ANN001
    """Keep answers given so far (one screen at a time); checks types and ranges, not completeness."""
    _require_write(actor, assessment, "assessments.save_answers")
    current = _locked(assessment, expected_version)
    _require_open(current)
    definition = current.instrument.definition()
    merged = _merge(current.answers, answers)
    _validate(definition, merged, complete=False)
    current.reused = _still_reused(current.reused, current.answers, merged)
    current.answers = merged
    current.authored_at = timezone.now()
    current.save_versioned(expected_version)
    audit_write(actor, "update", RESOURCE, current, current.person)
    return current


@atomic_action
def complete_assessment(actor, assessment: Assessment, answers: dict, expected_version: int) -> Assessment:  # noqa: ANN001
    """Finish: every required answer given, the scores computed and kept; the answers are frozen from now on."""
    _require_write(actor, assessment, "assessments.complete_assessment")
    current = _locked(assessment, expected_version)
    _require_open(current)
    definition = current.instrument.definition()
    merged = _final_answers(definition, _merge(current.answers, answers))
    now = timezone.now()
    current.reused = _still_reused(current.reused, current.answers, merged)
    current.answers = merged
    current.status = Assessment.Status.COMPLETED
    current.authored_at = current.completed_at = now
    current.save_versioned(expected_version)
    _write_scores(current, definition)
    audit_write(actor, "update", RESOURCE, current, current.person, reason="completed")
    _publish(current)
    return current


@atomic_action
def amend_assessment(actor, assessment: Assessment, answers: dict, expected_version: int, reason: str  # noqa: ANN001
                     ) -> Assessment:
    """Correct a completed assessment: the same response, status ``amended``, rescored, with the reason kept."""
    _require_write(actor, assessment, "assessments.amend_assessment")
    current = _locked(assessment, expected_version)
    if not current.is_done:
        raise RuleViolation("not_completed", _("Only a completed assessment can be corrected."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("amendment_reason_required", _("Say why the answers are corrected."))
    definition = current.instrument.definition()
    merged = _final_answers(definition, _merge(current.answers, answers))
    if merged == current.answers:
        raise RuleViolation("nothing_corrected", _("These are the answers that were already given."))
    current.reused = _still_reused(current.reused, current.answers, merged)
    current.answers = merged
    current.status = Assessment.Status.AMENDED
    current.amendment_reason = reason
    current.authored_at = timezone.now()
    current.save_versioned(expected_version)
    _write_scores(current, definition)
    audit_write(actor, "update", RESOURCE, current, current.person, reason=f"amended: {reason}")
    _publish(current)
    return current


@atomic_action
def record_own_judgement(actor, assessment: Assessment, reason: str, expected_version: int) -> Assessment:  # noqa: ANN001
    """"Differs from my judgement": the professional's view stays next to the score (001 l.3488-3490).

    Instead of filling in answers until the conclusion matches what they see, the professional
    records where and why they disagree; the score is not changed.
    """
    _require_write(actor, assessment, "assessments.record_own_judgement")
    current = _locked(assessment, expected_version)
    if not current.is_done:
        raise RuleViolation("not_completed", _("There is no score yet: complete the assessment first."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("judgement_reason_required", _("Say how and why your judgement differs from the score."))
    current.judgement_differs = True
    current.judgement_reason = reason
    current.judgement_by = actor
    current.judgement_at = timezone.now()
    current.save_versioned(expected_version)
    audit_write(actor, "update", RESOURCE, current, current.person, reason="judgement differs")
    _publish(current)
    return current


@atomic_action
def share_with_team(actor, assessment: Assessment, expected_version: int) -> Assessment:  # noqa: ANN001
    """The carer who answered a private questionnaire lets the team see it (001 l.4781-4785)."""
    _authorize_level(actor, "assessments.share_with_team", assessment, assessment.instrument)
    current = _locked(assessment, expected_version)
    if not current.is_private:
        raise RuleViolation("not_private", _("This assessment is already visible to the team."))
    if current.shared:
        return current
    current.shared = True
    current.save_versioned(expected_version)
    audit_write(actor, "update", RESOURCE, current, current.person, reason="shared with the team")
    _publish(current)
    return current


@atomic_action
def mark_entered_in_error(actor, assessment: Assessment, reason: str, expected_version: int  # noqa: ANN001
                          ) -> Assessment:
    """Withdraw a response filled in by mistake (wrong person, wrong instrument): kept, but counted nowhere.

    Only its author, the person or their representative may do this; the reason is required. Its
    scores no longer appear as Observations, its answers are not taken over and it proposes nothing.
    """
    _require_write(actor, assessment, "assessments.mark_entered_in_error")
    current = _locked(assessment, expected_version)
    if current.status == Assessment.Status.ENTERED_IN_ERROR:
        raise RuleViolation("entered_in_error", _("This assessment was already withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("withdraw_reason_required", _("Say why this assessment was entered in error."))
    current.status = Assessment.Status.ENTERED_IN_ERROR
    current.amendment_reason = reason
    current.save_versioned(expected_version)
    audit_write(actor, "update", RESOURCE, current, current.person, reason=f"entered in error: {reason}")
    _publish(current)
    return current


@atomic_action
def score_to_goal(actor, assessment: Assessment, text: str, *, domain: str | None = None) -> Goal:  # noqa: ANN001
    """Turn a result into a care or support goal in the person's plan (through the plan's own action)."""
    if assessment.author_only:
        authorize(actor, "assessments.private_to_author", assessment)
        raise RuleViolation("share_first", _("Share this with the team before it becomes a goal in the plan."))
    if not assessment.is_done:
        raise RuleViolation("not_completed", _("There is no score yet: complete the assessment first."))
    plan = assessment.plan or (CarePlan.objects.filter(person=assessment.person, status__in=[
        CarePlan.Status.DRAFT, CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD]).order_by("-created_at").first())
    if plan is None:
        raise RuleViolation("no_plan", _("This person has no care plan yet: start one first."))
    _authorize_level(actor, "assessments.score_to_goal", assessment, assessment.instrument)
    if domain is None:
        domain = Goal.Domain.CARER if assessment.is_private else Goal.Domain.HEALTH
    goal = add_goal(actor, plan, text, domain=domain, is_medical=assessment.is_medical,
                    kind=Goal.Kind.SUPPORT if assessment.is_private else Goal.Kind.CARE)
    assessment.goals.add(goal)
    return goal


# --------------------------------------------------------------------------- never ask twice, staged screening


def _leaks(source: Assessment, definition, actor) -> bool:  # noqa: ANN001
    """Taking this answer over would show it to people who may not see the source."""
    if source.is_medical and not definition.medical:
        return True
    return source.author_only and not (definition.private_to_author and _is_author(actor, source))


def previous_answers(actor, person: Person, definition, *, today: date | None = None  # noqa: ANN001
                     ) -> dict[str, PriorAnswer]:
    """The earlier answers that may be taken over (pre-filled): those still within the recall period.

    The PHQ-9 asks about the last two weeks: an answer from five weeks ago is not today's answer,
    so it is only shown as "last time" (``stale_answers``), never filled in.
    """
    return recall_split(definition, earlier_answers(actor, person, definition), today)[0]


def stale_answers(actor, person: Person, definition, *, today: date | None = None  # noqa: ANN001
                  ) -> dict[str, PriorAnswer]:
    """The newest earlier answers that are older than the question looks back: shown, never pre-filled."""
    return recall_split(definition, earlier_answers(actor, person, definition), today)[1]


def recall_split(definition, priors: dict[str, PriorAnswer], today: date | None = None  # noqa: ANN001
                 ) -> tuple[dict[str, PriorAnswer], dict[str, PriorAnswer]]:
    """(still current, too old) by each item's recall period (``Definition.recall_for``)."""
    today = today or timezone.localdate()
    current, stale = {}, {}
    for link_id, prior in priors.items():
        (current if definition.is_current(link_id, prior.answered_on, today) else stale)[link_id] = prior
    return current, stale


def earlier_answers(actor, person: Person, definition) -> dict[str, PriorAnswer]:  # noqa: ANN001
    """The newest earlier answer per question of ``definition``, from assessments ``actor`` may see, however old.

    Matched by linkId within the same instrument and by the item's shared concept across
    instruments (the PHQ-2 questions are the first two of the PHQ-9). Answers that would not be
    valid in this instrument, or that would move medical or private answers where others see them,
    are left out.
    """
    targets = definition.answerable()
    by_link = {item.link_id for item in targets}
    by_concept = {item.concept: item.link_id for item in targets if item.concept}
    found: dict[str, PriorAnswer] = {}
    sources = (visible_assessments(actor, person).filter(status__in=DONE)
               .order_by("-completed_at", "-pk"))
    for source in sources:
        if len(found) == len(by_link):
            break
        if _leaks(source, definition, actor):
            continue
        same = source.instrument.code == definition.code
        for item in source.instrument.definition().answerable():
            if item.link_id not in source.answers:
                continue
            target = item.link_id if same and item.link_id in by_link else by_concept.get(item.concept or "")
            if target is None or target in found:
                continue
            value = source.answers[item.link_id]
            if any(p.link_id == target for p in definition.validate({target: value}, complete=False)):
                continue
            moment = source.completed_at or source.authored_at
            found[target] = PriorAnswer(value, timezone.localtime(moment).date(), source.author_display, source,
                                        item.link_id)
    return found


def proposed_follow_up(assessment: Assessment) -> str | None:
    """The longer instrument a positive screen proposes (staged screening, 001 l.15666-15668).

    None when the screen is negative, not completed, or the follow-up was started since.
    """
    definition = assessment.instrument.definition()
    if not assessment.is_done or not definition.follow_up or not definition.is_positive(assessment.answers):
        return None
    started_since = Assessment.objects.filter(
        person_id=assessment.person_id, instrument__code=definition.follow_up,
        started_at__gte=assessment.completed_at or assessment.started_at,
    ).exclude(status=Assessment.Status.ENTERED_IN_ERROR).exists()
    return None if started_since else definition.follow_up


# --------------------------------------------------------------------------- offline sync


def _payload(person: Person, payload: Any) -> tuple[uuid.UUID, str, str | None, int | None, dict, bool,
                                                    CarePlan | None]:
    if not isinstance(payload, dict):
        raise RuleViolation("sync_payload", _("The sync request is not understood."))
    try:
        client_id = uuid.UUID(str(payload.get("client_id")))
    except ValueError:
        raise RuleViolation("sync_client_id", _("The sync request lacks a valid client id.")) from None
    code = payload.get("instrument")
    if not isinstance(code, str) or not code:
        raise RuleViolation("unknown_instrument", _("Say which instrument was filled in."))
    version = payload.get("version") or None
    base = payload.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise RuleViolation("sync_base_version", _("The base version must be a whole number."))
    answers = _only_given(payload.get("answers") or {})
    plan = None
    if payload.get("plan"):
        try:
            plan = CarePlan.objects.filter(fhir_id=uuid.UUID(str(payload["plan"])), person=person).first()
        except ValueError:
            plan = None
        if plan is None:
            raise RuleViolation("plan_person", _("This care plan belongs to another person."))
    return client_id, code, version, base, answers, bool(payload.get("complete")), plan


def _differences(mine: dict[str, Any], theirs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"linkId": key, "mine": mine.get(key), "theirs": theirs.get(key)}
            for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key)]


def replacing(stored: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The changes that turn the stored answers into the wanted ones (cleared ones as None)."""
    return {**{k: None for k in stored if k not in wanted}, **wanted}


@atomic_action
def sync_response(actor, person: Person, payload: dict) -> SyncResult:  # noqa: ANN001
    """Store answers captured offline, exactly once (the client's id), never overwriting newer answers.

    The same payload twice gives ``unchanged``; answers made from an older version than the stored
    one (or to a response completed meanwhile) give ``conflict`` with the differing questions, and
    nothing is overwritten. Invalid answers refuse the whole sync (nothing saved half).
    """
    authorize(actor, "assessments.sync_response", person)
    client_id, code, version, base, answers, complete, plan = _payload(person, payload)
    existing = Assessment.objects.select_for_update().filter(client_id=client_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                created = start_assessment(actor, person, code, plan=plan, client_id=client_id, version=version,
                                           prefill=False)
        except (IntegrityError, RuleViolation) as error:
            # The same response arriving twice at once: the other request created it first.
            if isinstance(error, RuleViolation) and error.rule != "duplicate_client_id":
                raise
            existing = Assessment.objects.select_for_update().filter(client_id=client_id).first()
            if existing is None:
                raise
        else:
            if complete:
                created = complete_assessment(actor, created, answers, created.version)
            elif answers:
                created = save_answers(actor, created, answers, created.version)
            return SyncResult(created, "created")
    return _sync_existing(actor, person, existing, code, base, answers, complete)


def _sync_existing(actor, person: Person, existing: Assessment, code: str, base: int | None,  # noqa: ANN001
                   answers: dict[str, Any], complete: bool) -> SyncResult:
    if existing.person_id != person.pk or existing.instrument.code != code:
        raise RuleViolation("sync_mismatch", _("This client id belongs to another assessment."))
    _require_write(actor, existing, "assessments.sync_response")
    definition = existing.instrument.definition()
    mine = answers
    if existing.is_done:
        try:
            mine = _final_answers(definition, answers)
        except AnswersInvalid:
            mine = answers
    if mine == existing.answers:
        if complete and existing.status == Assessment.Status.IN_PROGRESS:
            return SyncResult(complete_assessment(actor, existing, {}, existing.version), "updated")
        record_access(actor, "read", RESOURCE, str(existing.fhir_id), person=person, reason="sync: unchanged",
                      basis=decide(actor, person).basis)
        return SyncResult(existing, "unchanged")
    if existing.is_done or base is None or base != existing.version:
        record_access(actor, "read", RESOURCE, str(existing.fhir_id), person=person, reason="sync: conflict",
                      basis=decide(actor, person).basis)
        return SyncResult(existing, "conflict", _differences(mine, existing.answers))
    changes = replacing(existing.answers, answers)
    if complete:
        return SyncResult(complete_assessment(actor, existing, changes, base), "updated")
    return SyncResult(save_answers(actor, existing, changes, base), "updated")
