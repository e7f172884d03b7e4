"""Enrolling persons in programmes and keeping their phase right (C7).

Enrolment instantiates the programme's plan template in the person's existing plan (never a
second plan, 001 l.19203-19210) through the plan actions, so every goal and task obeys the plan's
rules and is audited like any other. The items of a phase are created when the enrolment enters
that phase; :class:`~careweave.programmes.models.EnrolmentItem` makes that idempotent.

Every enrolment, phase transition, completion and leaving sends
:data:`careweave.careplans.signals.care_transition`: the seeds want an MDO at least at such
transition points (001 l.19370-19376; in every perinatal phase, 000 l.223-225).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from careweave.access.decisions import decide
from careweave.access.models import Level
from careweave.access.permissions import authorize
from careweave.access.predicates import speaks_for_person
from careweave.careplans import actions as plan_actions
from careweave.careplans.actions._common import atomic_action, audit_write, membership_of
from careweave.careplans.actions.coordination import active_coordination
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CarePlan, Goal, Task, TeamMember
from careweave.careplans.signals import care_transition
from careweave.dates import check_date
from careweave.generated import message, render, texts
from careweave.people.models import Person
from careweave.programmes import template as tpl
from careweave.programmes import texts as sentences
from careweave.programmes.models import (
    Enrolment,
    EnrolmentItem,
    Pathway,
    PathwayVersion,
    PhaseChange,
    StepChange,
)

FIRST_ASSESSMENT_DAYS = 14


# --------------------------------------------------------------------------- shipped pathways


SHIPPED_NOTE = "shipped"


def sync_shipped_pathways() -> int:
    """Create the shipped pathway versions in the registry (idempotent); return how many were new.

    A shipped file creates its version once, at the step the file names; after that the registry
    is the truth for the step (the lifecycle moves it), the file for the template text.
    """
    created = 0
    for data in tpl.shipped():
        owner = data.get("owner", "")
        owner_texts = owner if isinstance(owner, dict) else {}
        pathway, _new = Pathway.objects.get_or_create(
            code=data["code"],
            defaults={"title": data["title"], "owner": tpl.text_in(owner, "en")[:200], "owner_texts": owner_texts,
                      "scope": data.get("scope", "macro")},
        )
        if pathway.owner_texts != owner_texts and owner_texts:  # the file names the owner per language (18.25)
            pathway.owner_texts = owner_texts
            pathway.save(update_fields=["owner_texts"])
        version = PathwayVersion.objects.filter(pathway=pathway, label=data["version"]).first()
        if version is None:
            version = PathwayVersion.objects.create(
                pathway=pathway, label=data["version"], step=data.get("step", "request"), template=data,
                source_file=f"{data['code']}-{data['version']}.json",
            )
            # The file's "source" (seed lines) is for the docs, not for the step history users read.
            StepChange.objects.create(pathway_version=version, to_step=version.step, actor_display="Careweave",
                                      note=SHIPPED_NOTE)
            created += 1
        else:  # earlier releases wrote the seed lines into the note: take them off the page
            StepChange.objects.filter(pathway_version=version, actor_display="Careweave",
                                      note__startswith=SHIPPED_NOTE + " (").update(note=SHIPPED_NOTE)
            if version.template != data:
                version.template = data
                version.save_versioned(update_fields=["template"])
    return created


def ensure_shipped() -> None:
    """The shipped pathways exist (after a test flush or on a fresh database)."""
    if not Pathway.objects.exists():
        sync_shipped_pathways()


def usable_versions() -> list[PathwayVersion]:
    """The newest rolled-out version of each pathway: what persons are enrolled in."""
    ensure_shipped()
    newest: dict[int, PathwayVersion] = {}
    for version in PathwayVersion.objects.filter(step__in=("roll_out", "monitoring")).select_related("pathway") \
            .order_by("pathway__code", "-created_at"):
        newest.setdefault(version.pathway_id, version)
    return list(newest.values())


# --------------------------------------------------------------------------- dates, phases, compatibility


def dates_of(enrolment: Enrolment) -> tpl.Dates:
    return tpl.Dates(start=enrolment.started_on, expected_birth=enrolment.expected_birth,
                     birth=enrolment.birth_date, person_birth=enrolment.person.birth_date)


def phase_title(enrolment_or_template: Enrolment | dict, code: str, language: str | None = None) -> str:
    template = enrolment_or_template if isinstance(enrolment_or_template, dict) \
        else enrolment_or_template.pathway_version.template
    if code == tpl.COMPLETED:
        return _("programme completed")
    if code == "ended":
        return _("left the programme")
    found = next((p for p in template["phases"] if p["code"] == code), None)
    return tpl.text_in(found["title"], language or _language()) if found else code


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en")[:2]


@dataclass(frozen=True)
class Conflict:
    """Two programmes of one person that the conceptual check flags (001 l.19180-19186)."""

    other: Enrolment
    reason: dict[str, str]

    def reason_in(self, language: str) -> str:
        return tpl.text_in(self.reason, language)


def _declared(a: dict, b_code: str) -> dict | None:
    return next((x["reason"] for x in a.get("incompatible_with") or [] if x.get("pathway") == b_code), None)


def incompatibility(a: PathwayVersion, b: PathwayVersion) -> dict | None:
    """The declared reason two pathway versions do not go together (declared on either side)."""
    return _declared(a.template, b.pathway.code) or _declared(b.template, a.pathway.code)


def conflicts(person: Person, version: PathwayVersion, *, exclude: Enrolment | None = None) -> list[Conflict]:
    """The person's active programmes that the template data declares incompatible with ``version``."""
    found = []
    others = person.enrolments.filter(status=Enrolment.Status.ACTIVE).select_related("pathway_version__pathway")
    for other in others:
        if exclude is not None and other.pk == exclude.pk or other.pathway_id == version.pathway_id:
            continue
        reason = incompatibility(version, other.pathway_version)
        if reason:
            found.append(Conflict(other, reason))
    return found


# --------------------------------------------------------------------------- checks


def _check_dates(template: dict, person: Person, *, started_on: date, expected_birth: date | None,
                 birth_date: date | None) -> None:
    wanted = template.get("dates") or {}
    check_date("programme_start", started_on)
    if wanted.get("expected_birth") == "required" and expected_birth is None and birth_date is None:
        raise RuleViolation("expected_birth_required", _("Fill in the expected date of birth."))
    check_date("expected_birth", expected_birth)
    check_date("birth_date", birth_date)
    if "expected_birth" not in wanted and (expected_birth or birth_date):
        raise RuleViolation("no_birth_dates", _("This programme does not use birth dates."))


def _check_eligible(version: PathwayVersion, person: Person, *, started_on: date, expected_birth: date | None,
                    birth_date: date | None) -> None:
    """The person is in the programme's target group, as its template declares (``eligibility``): one shared
    check for the web form and ``PlanDefinition/$apply``, which both show this reason."""
    from careweave.assessments.models import Assessment

    template = version.template
    if not (template.get("eligibility") or {}).get("any_of"):
        return
    done = Assessment.objects.filter(person=person, status__in=[Assessment.Status.COMPLETED,
                                                                Assessment.Status.AMENDED])
    who = tpl.Candidate(
        age=person.age(started_on) if person.birth_date else None,
        dates=frozenset(name for name, value in (("expected_birth", expected_birth), ("birth", birth_date)) if value),
        assessments=frozenset(done.values_list("instrument__code", flat=True).distinct()),
    )
    if not tpl.eligible(template, who):
        raise RuleViolation(
            "not_eligible",
            _("%(person)s is not in the target group of the programme “%(programme)s”: it is for %(who)s.")
            % {"person": person, "programme": version.pathway.display_title(_language()),
               "who": tpl.target_group(template, _language())},
        )


def _check_reference(template: dict, person: Person, member: TeamMember | None) -> None:
    if member is None:
        raise RuleViolation("reference_required", _("Choose the reference person from the team."))
    if member.team.person_id != person.pk or member.status != TeamMember.Status.ACTIVE:
        raise RuleViolation("reference_not_member",
                            _("The reference person must be a current member of this person's care team."))
    if tpl.reference_must_be_professional(template) and (
            member.professional_id is None or not member.professional.active):
        # The reference person is a professional (the case manager is "de referentiepersoon", 001 l.19658-19660).
        raise RuleViolation("reference_professional",
                            _("The reference person of this programme must be a professional of the care team."))


def _check_agreement(actor, person: Person, person_agreed: bool) -> str:  # noqa: ANN001
    """How the person agreed: they (or their representative) enrol themselves, or the professional records
    that the person agreed ("alle beslissingen worden genomen in overleg met de rechthebbende", 001 l.19663)."""
    if speaks_for_person(actor, person):
        return Enrolment.Agreement.OWN
    if not person_agreed:
        raise RuleViolation("agreement_required", _("Ask the person (or their representative) first: "
                                                    "record that they agree to the enrolment."))
    return Enrolment.Agreement.RECORDED


def _running_plan(actor, person: Person) -> CarePlan:  # noqa: ANN001
    """The person's one plan; started (with the team) only when there is none."""
    plan = (person.care_plans.exclude(status__in=[CarePlan.Status.COMPLETED, CarePlan.Status.REVOKED])
            .filter(external_id="").order_by("-created_at").first())
    if plan is None:
        with override(person.language or "nl"):
            title = _("Care and support plan")
        plan = plan_actions.start_care_plan(actor, person, title)
    return plan


# --------------------------------------------------------------------------- enrolment


@atomic_action
def enrol_in_programme(
    actor,  # noqa: ANN001
    person: Person,
    version: PathwayVersion,
    *,
    reference_member: TeamMember | None,
    started_on: date | None = None,
    expected_birth: date | None = None,
    birth_date: date | None = None,
    person_agreed: bool = False,
) -> Enrolment:
    """Enrol the person: the template's current phase comes into their plan; flags incompatible programmes.

    A professional of the team (or the case manager) enrols only with the person's agreement
    (``person_agreed``, recorded on the enrolment); the person or their representative enrol themselves.
    Enrolling again in the same version is not an error: the existing enrolment is brought up to
    date and returned, and nothing is duplicated (the web and ``PlanDefinition/$apply`` agree).
    """
    authorize(actor, "programmes.enrol_in_programme", person)
    if person.deceased_on:
        raise RuleViolation("deceased", _("This person has died; they cannot be enrolled."))
    if not version.usable:
        raise RuleViolation("pathway_not_usable",
                            _("Only a validated and rolled-out pathway version can be used to enrol."))
    existing = person.enrolments.filter(status=Enrolment.Status.ACTIVE, pathway=version.pathway).first()
    if existing is not None:
        if existing.pathway_version_id != version.pk:
            raise RuleViolation("already_enrolled", _("This person is already in this programme (version %(v)s).")
                                % {"v": existing.pathway_version.label})
        _sync(actor, existing)
        return existing
    started_on = started_on or date.today()
    template = version.template
    _check_dates(template, person, started_on=started_on, expected_birth=expected_birth, birth_date=birth_date)
    _check_eligible(version, person, started_on=started_on, expected_birth=expected_birth, birth_date=birth_date)
    _check_reference(template, person, reference_member)
    agreement = _check_agreement(actor, person, person_agreed)
    dates = tpl.Dates(start=started_on, expected_birth=expected_birth, birth=birth_date, person_birth=person.birth_date)
    today = date.today()
    phase = tpl.phase_on(template, dates, today)
    if phase == tpl.COMPLETED:
        raise RuleViolation("programme_over", _("With these dates the programme is already over."))
    plan = _running_plan(actor, person)
    flags = [{"pathway": c.other.pathway.code, "reason": c.reason} for c in conflicts(person, version)]
    enrolment = Enrolment.objects.create(
        person=person, plan=plan, pathway=version.pathway, pathway_version=version, started_on=started_on,
        expected_birth=expected_birth, birth_date=birth_date, reference_member=reference_member, phase=phase,
        phase_since=max(_phase_start(enrolment_template=template, dates=dates, code=phase) or started_on, started_on),
        flags=flags, enrolled_by=actor, agreement=agreement,
    )
    PhaseChange.objects.create(enrolment=enrolment, to_phase=phase, on=today, actor=actor)
    audit_write(actor, "create", "CarePlan", plan, person, reason=f"programme:{version.pathway.code}")
    _bring_items(actor, enrolment)
    _announce(enrolment, actor, sentences.JOINS, person=str(person), programme=texts(version.pathway.title),
              phase=_phase_param(template, phase))
    from careweave.notifications import emit

    emit("programme_phase", person=person, target=enrolment, actor=actor, phase=phase)
    return enrolment


def _phase_start(*, enrolment_template: dict, dates: tpl.Dates, code: str) -> date | None:
    return next((s.starts for s in tpl.spans(enrolment_template, dates, planning=False) if s.code == code), None)


@atomic_action
def update_enrolment(
    actor,  # noqa: ANN001
    enrolment: Enrolment,
    expected_version: int,
    *,
    expected_birth: date | None = None,
    birth_date: date | None = None,
    reference_member: TeamMember | None = None,
) -> Enrolment:
    """Record the birth (or a new expected date, another reference person); the phase follows the dates."""
    authorize(actor, "programmes.update_enrolment", enrolment)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise RuleViolation("enrolment_closed", _("This enrolment has ended; it cannot be changed."))
    template = enrolment.pathway_version.template
    expected_birth = expected_birth if expected_birth is not None else enrolment.expected_birth
    birth_date = birth_date if birth_date is not None else enrolment.birth_date
    reference_member = reference_member or enrolment.reference_member
    _check_dates(template, enrolment.person, started_on=enrolment.started_on, expected_birth=expected_birth,
                 birth_date=birth_date)
    if birth_date is not None and birth_date < enrolment.started_on - timedelta(days=2 * 365):
        raise RuleViolation("birth_range", _("This birth date lies before the programme could have started."))
    if birth_date is not None and birth_date != enrolment.birth_date:  # a birth recorded: still the target group?
        _check_eligible(enrolment.pathway_version, enrolment.person, started_on=enrolment.started_on,
                        expected_birth=None, birth_date=birth_date)
    _check_reference(template, enrolment.person, reference_member)
    enrolment.expected_birth, enrolment.birth_date = expected_birth, birth_date
    enrolment.reference_member = reference_member
    enrolment.save_versioned(expected_version)
    audit_write(actor, "update", "CarePlan", enrolment.plan, enrolment.person,
                reason=f"programme:{enrolment.pathway.code}")
    _sync(actor, enrolment)
    return enrolment


@atomic_action
def leave_programme(actor, enrolment: Enrolment, expected_version: int, reason: str) -> Enrolment:  # noqa: ANN001
    """The person leaves the programme; the plan and its tasks stay (they are the person's)."""
    authorize(actor, "programmes.leave_programme", enrolment)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason_required", _("Say why the person leaves the programme."))
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise RuleViolation("enrolment_closed", _("This enrolment has ended already."))
    enrolment.status, enrolment.ended_on, enrolment.end_reason = Enrolment.Status.ENDED, date.today(), reason[:500]
    enrolment.save_versioned(expected_version)
    PhaseChange.objects.create(enrolment=enrolment, from_phase=enrolment.phase, to_phase="ended", on=date.today(),
                               actor=actor)
    audit_write(actor, "update", "CarePlan", enrolment.plan, enrolment.person,
                reason=f"programme:{enrolment.pathway.code} left")
    _announce(enrolment, actor, sentences.LEAVES, person=str(enrolment.person),
              programme=texts(enrolment.pathway.title))
    return enrolment


def sync_enrolment(actor, enrolment: Enrolment, today: date | None = None) -> bool:  # noqa: ANN001
    """Bring the enrolment up to date for someone working on the plan (see :func:`_sync`)."""
    authorize(actor, "programmes.sync_enrolment", enrolment)
    return _sync(actor, enrolment, today)


def _sync(actor, enrolment: Enrolment, today: date | None = None) -> bool:  # noqa: ANN001
    """Move the enrolment to the phase its dates imply (announcing the transition) and, when someone
    with access acts, bring the items of the current phase and plan the next re-assessment.

    ``actor=None`` is the system (the nightly recomputation, :func:`recompute_enrolments`; no door
    passes None): only the phase moves, since plan items are written by a person; they come with
    the next one who opens the plan. Returns whether the phase moved.
    """
    today = today or date.today()
    moved = False
    if enrolment.status == Enrolment.Status.ACTIVE:
        template = enrolment.pathway_version.template
        phase = tpl.phase_on(template, dates_of(enrolment), today)
        if phase != enrolment.phase:
            moved = True
            previous = enrolment.phase
            start = _phase_start(enrolment_template=template, dates=dates_of(enrolment), code=phase)
            enrolment.phase = phase
            enrolment.phase_since = start or today
            if phase == tpl.COMPLETED:
                enrolment.status, enrolment.ended_on = Enrolment.Status.COMPLETED, today
            enrolment.save_versioned(update_fields=["phase", "phase_since", "status", "ended_on"])
            PhaseChange.objects.create(enrolment=enrolment, from_phase=previous, to_phase=phase, on=today,
                                       actor=actor if getattr(actor, "is_authenticated", False) else None)
            _announce(enrolment, actor, sentences.MOVES, on=today, person=str(enrolment.person),
                      old=_phase_param(template, previous), new=_phase_param(template, phase),
                      programme=texts(enrolment.pathway.title))
            from careweave.notifications import emit

            # The team hears of it (decision 0030); the phase codes only, no programme detail.
            emit("programme_phase", person=enrolment.person, target=enrolment,
                 actor=actor if getattr(actor, "is_authenticated", False) else None, phase=phase)
    if enrolment.status == Enrolment.Status.ACTIVE and actor is not None \
            and decide(actor, enrolment.person).allows(Level.PLAN):
        _bring_items(actor, enrolment)
    return moved


def recompute_enrolments(actor=None, today: date | None = None) -> int:  # noqa: ANN001
    """Every active enrolment to the phase its dates imply (the nightly job, acting as the system);
    returns how many moved."""
    moved = 0
    for enrolment in Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).select_related(
            "person", "pathway", "pathway_version", "plan"):
        moved += atomic_action(_sync)(actor, enrolment, today)
    return moved


def _phase_param(template: dict, code: str) -> Any:
    """A phase as a message parameter: the template's multilingual title, or the sentence for completed/left."""
    if code == tpl.COMPLETED:
        return message(sentences.COMPLETED)
    if code == "ended":
        return message(sentences.ENDED)
    found = next((p for p in template["phases"] if p["code"] == code), None)
    return texts(found["title"]) if found else code


def _announce(enrolment: Enrolment, actor, code: str, on: date | None = None, **params: Any) -> None:  # noqa: ANN001
    """Send ``care_transition`` with the sentence as a code and parameters (stored so, rendered for each reader,
    issue 18 item 25) and, for listeners that only log, rendered in the active language."""
    care_transition.send(sender=Enrolment, person=enrolment.person, kind="programme_phase",
                         label=render(code, params), message=message(code, **params), on=on or date.today(),
                         actor=actor, source=enrolment)


# --------------------------------------------------------------------------- plan items


def _is_professional_member(member: TeamMember | None) -> bool:
    return member is not None and member.professional_id is not None and member.professional.active


def _assignee(enrolment: Enrolment, role: str, actor, *, professional: bool = True  # noqa: ANN001
              ) -> tuple[TeamMember | None, bool]:
    """Who does an item: the reference person, the coordinator, the person, or a discipline in the team.

    A discipline the team lacks falls back to the reference person, who then finds someone. An item the
    programme marks as professional (``template.is_professional_item``) never goes to an informal
    carer: without a professional to take it, it waits (``(None, False)``) for the next sync.
    """
    team = enrolment.plan.team
    reference = enrolment.reference_member
    if reference is not None and (reference.status != TeamMember.Status.ACTIVE
                                  or professional and not _is_professional_member(reference)):
        reference = None
    if role == "person":
        return None, True
    if role == "coordinator" and team is not None:
        episode = active_coordination(team)
        if episode is not None and episode.coordinator_id and (
                not professional or _is_professional_member(episode.coordinator)):
            return episode.coordinator, False
    if role.startswith("discipline:") and team is not None:
        found = team.members.filter(status=TeamMember.Status.ACTIVE, professional__discipline=role.split(":", 1)[1],
                                    professional__active=True).order_by("start").first()
        if found is not None:
            return found, False
    if reference is not None:
        return reference, False
    mine = membership_of(actor, team) if team is not None else None
    if professional and not _is_professional_member(mine):
        return None, False
    return (mine, False) if mine is not None else (None, True)


def _due(base: date, days: int) -> date:
    return max(base + timedelta(days=days), date.today())


def _bring_items(actor, enrolment: Enrolment) -> None:  # noqa: ANN001
    """Create the goals, tasks and assessments of the current phase that are not in the plan yet."""
    template = enrolment.pathway_version.template
    if enrolment.phase in (tpl.COMPLETED, "ended"):
        return
    phase = tpl.phase(template, enrolment.phase)
    full = decide(actor, enrolment.person).allows(Level.FULL)
    language = enrolment.person.language or "nl"
    done = {i.key: i for i in enrolment.items.select_related("goal")}
    base = max(enrolment.phase_since, enrolment.started_on)
    for item in phase.get("items") or []:
        if item["key"] in done:
            continue
        medical = bool(item.get("medical"))
        instrument = None
        if item["kind"] == "assessment":
            from careweave.assessments.catalogue import instrument_for

            instrument = instrument_for(item["instrument"])
            medical = instrument.medical
        if medical and not full:
            continue  # someone with full access brings it; medical detail is not theirs to write
        goal = done[item["goal"]].goal if item.get("goal") in done else None
        record = EnrolmentItem(enrolment=enrolment, key=item["key"], phase=phase["code"], kind=item["kind"],
                               instrument=item.get("instrument", ""))
        if item["kind"] == "goal":
            record.goal = plan_actions.add_goal(
                actor, enrolment.plan, tpl.text_in(item["text"], language), kind=item.get("goal_kind", Goal.Kind.CARE),
                domain=item.get("domain", Goal.Domain.HEALTH), is_medical=medical)
        else:
            with override(language):
                text = tpl.text_in(item.get("text"), language) if item["kind"] == "task" else \
                    _("Fill in: %(instrument)s") % {"instrument": instrument.display_title(language)}
            member, to_person = _assignee(enrolment, item.get("role", "reference"), actor,
                                          professional=tpl.is_professional_item(item))
            if member is None and not to_person:
                continue  # a professional item waits for a professional (the next sync brings it)
            record.task = plan_actions.assign_task(
                actor, enrolment.plan, text, assignee=member, to_person=to_person, goal=goal,
                due_date=_due(base, int(item.get("due_days", 14))), is_medical=medical)
        record.save()
        done[record.key] = record
    _plan_review(actor, enrolment, phase, done)
    plan_reassessment(actor, enrolment)


def _plan_review(actor, enrolment: Enrolment, phase: dict, done: dict[str, EnrolmentItem]) -> None:  # noqa: ANN001
    """Each phase brings a review date: the plan's next review moves forward to it, never back."""
    days = phase.get("review_after_days")
    key = f"review-{phase['code']}"
    if not days or key in done:
        return
    wanted = _due(max(enrolment.phase_since, enrolment.started_on), int(days))
    plan = CarePlan.objects.get(pk=enrolment.plan_id)
    if plan.review_date is None or plan.review_date < date.today() or plan.review_date > wanted:
        plan_actions.update_care_plan(actor, plan, plan.version, review_date=wanted)
    EnrolmentItem.objects.create(enrolment=enrolment, key=key, phase=phase["code"], kind="review")


def _latest_done(person: Person, instrument_code: str) -> Any:
    from careweave.assessments.models import Assessment

    return (Assessment.objects.filter(person=person, instrument__code=instrument_code,
                                      status__in=[Assessment.Status.COMPLETED, Assessment.Status.AMENDED])
            .order_by("-completed_at").first())


def next_reassessment(enrolment: Enrolment) -> date | None:
    """When the programme's periodic re-assessment is due: the last one plus the interval (000 l.382)."""
    setting = (enrolment.pathway_version.template.get("settings") or {}).get("reassessment")
    if not setting:
        return None
    latest = _latest_done(enrolment.person, setting["instrument"])
    if latest is None or latest.completed_at is None:
        return enrolment.started_on + timedelta(days=FIRST_ASSESSMENT_DAYS)
    return tpl.add_months(timezone.localdate(latest.completed_at), int(setting["every_months"]))


def plan_reassessment(actor, enrolment: Enrolment) -> Task | None:  # noqa: ANN001
    """Make sure the next periodic re-assessment is a task in the plan (once per due date)."""
    setting = (enrolment.pathway_version.template.get("settings") or {}).get("reassessment")
    due = next_reassessment(enrolment)
    if not setting or due is None or enrolment.status != Enrolment.Status.ACTIVE:
        return None
    key = f"reassess-{setting['instrument']}-{due.isoformat()}"
    if enrolment.items.filter(key=key).exists():
        return None
    from careweave.assessments.catalogue import instrument_for

    instrument = instrument_for(setting["instrument"])
    if instrument.medical and not decide(actor, enrolment.person).allows(Level.FULL):
        return None
    language = enrolment.person.language or "nl"
    with override(language):
        text = _("Re-assess: %(instrument)s (planned by the programme every %(months)s months)") % {
            "instrument": instrument.display_title(language), "months": setting["every_months"]}
    member, to_person = _assignee(enrolment, "reference", actor)
    if member is None and not to_person:
        return None  # no professional to plan it for yet
    task = plan_actions.assign_task(actor, enrolment.plan, text, assignee=member, to_person=to_person,
                                    due_date=max(due, date.today()), is_medical=instrument.medical)
    EnrolmentItem.objects.create(enrolment=enrolment, key=key, phase=enrolment.phase, kind="reassessment",
                                 instrument=setting["instrument"], task=task)
    return task


def assessment_completed(assessment: Any) -> None:
    """An assessment was completed: close the programme tasks it answers (those planned before it) and
    plan the next periodic re-assessment, acting as the one who completed it (they did the work)."""
    actor = assessment.author
    if actor is None or not assessment.is_done or assessment.completed_at is None:
        return
    code = assessment.instrument.code
    enrolments = Enrolment.objects.filter(person=assessment.person, status=Enrolment.Status.ACTIVE) \
        .select_related("pathway_version", "plan__team", "person", "reference_member")
    for enrolment in enrolments:
        answered = enrolment.items.filter(instrument=code, task__created_at__lte=assessment.completed_at,
                                          task__status__in=Task.OPEN_STATUSES).select_related("task")
        for item in answered:
            try:
                plan_actions.complete_task(actor, item.task, item.task.version)
            except RuleViolation:
                pass  # not theirs to close: the assignee, the person or the coordinator closes it
        try:
            plan_reassessment(actor, enrolment)
        except RuleViolation:
            pass  # e.g. a carer who may not plan a medical task: the next sync by the team does
