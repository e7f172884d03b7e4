"""MDO actions: propose, schedule, invite, answer, attendance, minutes, decisions, conclude, cancel.

Every write goes through here (decision 0003): the permission table first (``consultations.*`` rows in
``careweave.access.permissions``), the rules, one transaction, the audit row. Who convenes (decision
0016): the coordinator organises consultation (001 l. 19370-19376), but the case manager may too
(l. 19600-19602) and so may any professional in the team who has access to the plan; the person (or
representative) convenes when they coordinate their own care. Once convened, the meeting is the
convener's: only they move it, record attendance and decisions, conclude or cancel it (the
coordinator or case manager takes over when the convener left the team); participants who attended
as professionals may write the minutes. Each invitee answers for themselves (issue 17).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize
from careweave.careplans.actions import coordination as coordination_actions
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.actions.plan import assign_task
from careweave.careplans.errors import RuleViolation
from careweave.careplans.limits import check_length
from careweave.careplans.models import CarePlan, CoordinationEpisode, Task, TeamMember
from careweave.consultations import texts as sentences
from careweave.consultations.models import Consultation, Decision, Minutes, Participant
from careweave.consultations.reimbursement import reimbursement
from careweave.consultations.signals import mdo_concluded
from careweave.dates import check_date
from careweave.generated import message
from careweave.people.models import Person
from careweave.records.signals import version_changed

REASON_MAX = 2000
PLACE_MAX = 300
MINUTES_MAX = 20000
DECISION_MAX = 500
LONGEST = timedelta(hours=12)
RESOURCE = "Appointment"


def NO_PLAN() -> str:  # noqa: N802 - a message, translated when raised
    return _("Start the shared plan first: the decisions of an MDO become tasks in it.")


def _text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": what})
    return check_length(value, limit, what)


def _current_plan(person: Person) -> CarePlan | None:
    plans = person.care_plans.order_by("-created_at")
    return plans.exclude(status__in=[CarePlan.Status.COMPLETED, CarePlan.Status.REVOKED]).first() or plans.first()


def _require_status(consultation: Consultation, *allowed: str) -> None:
    if consultation.status not in allowed:
        raise RuleViolation(
            "mdo_status",
            _("This is not possible for an MDO that is %(status)s.") % {"status": consultation.get_status_display()},
        )


def _check_version(consultation: Consultation, expected_version: int | None) -> None:
    """Fail early (before other writes of the action) when someone changed the MDO meanwhile."""
    if expected_version is not None:
        from careweave.versioning import ChangedMeanwhile

        current = Consultation.objects.filter(pk=consultation.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise ChangedMeanwhile(consultation, expected_version)


# --------------------------------------------------------------------------- proposing


@atomic_action
def propose_mdo(
    actor,  # noqa: ANN001
    person: Person,
    reason: str,
    *,
    transition_kind: str = "",
    transition_label: str = "",
    transition_on: date | None = None,
    transition_key: str = "",
) -> Consultation:
    """Put an MDO on the list of MDOs to organise (by hand)."""
    authorize(actor, "consultations.propose_mdo", person)
    return _propose(actor, person, reason, transition_kind=transition_kind, transition_label=transition_label,
                    transition_on=transition_on, transition_key=transition_key)


def _propose(actor, person: Person, reason: str, *, transition_kind: str = "", transition_label: str = "",  # noqa: ANN001
             transition_on: date | None = None, transition_key: str = "",
             generated: dict | None = None) -> Consultation:
    """The proposal itself; ``actor=None`` is the system proposing at a transition point. A ``generated``
    sentence (``{"code", "params"}``) is stored as such, and rendered for each reader, instead of ``reason``."""
    if generated:
        reason = ""
    else:
        reason = _text(reason, _("why this consultation is needed"), REASON_MAX)
    consultation = Consultation.objects.create(
        person=person,
        plan=_current_plan(person),
        reason=reason,
        message_code=(generated or {}).get("code", ""),
        message_params=(generated or {}).get("params", {}),
        transition_kind=transition_kind[:40],
        transition_label=transition_label[:300],
        transition_on=transition_on,
        transition_key=transition_key[:200],
        proposed_by=actor,
    )
    audit_write(actor, "create", RESOURCE, consultation, person, reason="proposed")
    return consultation


def transition_key(kind: str, label: str, on: date | None, source: Any) -> str:
    """What makes two signals "the same transition": its kind, the record that changed, and the day."""
    if source is not None and getattr(source, "pk", None) is not None:
        what = f"{source._meta.label_lower}:{source.pk}"
    else:
        what = label.strip().lower()[:120]
    return f"{kind}|{what}|{on.isoformat() if on else ''}"[:200]


def propose_for_transition(
    person: Person, kind: str, label: str, on: date | None, actor: Any = None, source: Any = None,
    generated: dict | None = None,
) -> Consultation | None:
    """At a transition point the app proposes an MDO (C8-R01/R02); one open proposal per transition.

    Called by the ``care_transition`` receiver. ``actor`` may be None (a scheduled recomputation), so the
    proposal is not refused for lack of a convener: it lands on the coordinator's list either way.
    """
    key = transition_key(kind, label or "", on, source)
    if Consultation.objects.filter(person=person, transition_key=key, status=Consultation.Status.PROPOSED).exists():
        return None
    if generated is None and not label:
        generated = message(sentences.TRANSITION)
    try:
        with transaction.atomic():  # the system proposes: no door passes here (the care_transition receiver)
            return _propose(
                None, person, label or "", transition_kind=kind or "", transition_label=label or "",
                transition_on=on, transition_key=key, generated=generated,
            )
    except IntegrityError:  # the same signal handled at the same moment elsewhere
        return None


# --------------------------------------------------------------------------- scheduling


def _check_schedule(mode: str, start: datetime | None, end: datetime | None, location: str, link: str,
                    previous_start: datetime | None) -> None:
    if mode not in Consultation.Mode.values:
        raise RuleViolation("mdo_mode", _("Choose how the consultation takes place."))
    if start is None:
        raise RuleViolation("mdo_start", _("Choose when the consultation starts."))
    if end is None:
        raise RuleViolation("mdo_end", _("Choose when the consultation ends."))
    if end <= start:
        raise RuleViolation("mdo_end", _("The end must come after the start."))
    if end - start > LONGEST:
        raise RuleViolation("mdo_end", _("A consultation cannot last longer than 12 hours."))
    if start != previous_start:
        check_date("mdo_start", timezone.localdate(start))
    if mode in (Consultation.Mode.IN_PERSON, Consultation.Mode.HYBRID) and not location:
        raise RuleViolation("mdo_location", _("Say where the consultation takes place."))
    if mode in (Consultation.Mode.ONLINE, Consultation.Mode.HYBRID):
        if not link:
            raise RuleViolation("mdo_link", _("An online or hybrid consultation needs the link to the meeting."))
        try:
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            raise RuleViolation("mdo_link", _("The link to the meeting is not a valid web address.")) from None


@atomic_action
def schedule_mdo(
    actor,  # noqa: ANN001
    person: Person | None = None,
    *,
    consultation: Consultation | None = None,
    expected_version: int | None = None,
    mode: str,
    start: datetime | None,
    end: datetime | None,
    location: str = "",
    link: str = "",
    reason: str = "",
) -> Consultation:
    """Set the date, the way and the place (or link) of an MDO: a new one, a proposal, or a reschedule."""
    if consultation is None and person is None:
        raise RuleViolation("required", _("Say which person the consultation is about."))
    authorize(actor, "consultations.schedule_mdo", consultation if consultation is not None else person)
    person = consultation.person if consultation is not None else person
    location = _text(location, _("the place"), PLACE_MAX, required=False)
    link = (link or "").strip()
    _check_schedule(mode, start, end, location, link, consultation.start if consultation else None)
    plan = _current_plan(person)
    if plan is None:
        raise RuleViolation("mdo_no_plan", NO_PLAN())
    if consultation is None:
        consultation = Consultation(person=person, proposed_by=actor)
        consultation.reason = _text(reason, _("why this consultation is needed"), REASON_MAX)
    else:
        _require_status(consultation, Consultation.Status.PROPOSED, Consultation.Status.SCHEDULED)
        _check_version(consultation, expected_version)
        if reason.strip():
            consultation.reason = _text(reason, _("why this consultation is needed"), REASON_MAX)
    was_new = consultation.pk is None
    consultation.plan = consultation.plan or plan
    consultation.mode, consultation.start, consultation.end = mode, start, end
    consultation.location = location
    consultation.link = link if mode != Consultation.Mode.IN_PERSON else ""
    consultation.status = Consultation.Status.SCHEDULED
    consultation.convened_by = actor
    consultation.save_versioned(expected_version)
    audit_write(actor, "create" if was_new else "update", RESOURCE, consultation, person, reason="scheduled")
    if not was_new:
        _tell_participants("mdo_changed", actor, consultation)
    return consultation


def _participant_users(consultation: Consultation, participants: Iterable[Participant] | None = None) -> set[int]:
    """The accounts of the invitees (a team member's, or the person's own when the person is invited)."""
    ids = set()
    for participant in participants if participants is not None else consultation.participants.select_related(
            "member__professional", "member__related_person"):
        user = participant.member.user if participant.member_id else consultation.person.user
        if user is not None and participant.response != Participant.Response.DECLINED:
            ids.add(user.pk)
    return ids


def _tell_participants(kind: str, actor, consultation: Consultation,  # noqa: ANN001
                       participants: Iterable[Participant] | None = None) -> None:
    """Invitees hear of an invitation, a change or a cancellation (decision 0030)."""
    from django.urls import reverse

    from careweave.notifications import emit

    emit(kind, person=consultation.person, target=consultation, actor=actor,
         recipients=_participant_users(consultation, participants),
         url=reverse("consultations:detail", args=[consultation.fhir_id]))


# --------------------------------------------------------------------------- invitations


@atomic_action
def invite_to_mdo(
    actor,  # noqa: ANN001
    consultation: Consultation,
    members: Iterable[TeamMember] = (),
    *,
    include_person: bool = False,
) -> list[Participant]:
    """Invite members of the person's team, and/or the person; someone already invited is skipped."""
    authorize(actor, "consultations.invite_to_mdo", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.SCHEDULED)
    members = list(members)
    if not members and not include_person:
        raise RuleViolation("mdo_invite_nobody", _("Choose whom to invite."))
    for member in members:
        if member.team.person_id != person.pk or member.status != TeamMember.Status.ACTIVE:
            raise RuleViolation(
                "mdo_invite_not_member",
                _("%(name)s is not a member of this person's care team; only team members can be invited.")
                % {"name": member},
            )
    existing = set(consultation.participants.values_list("member_id", flat=True))
    created = []
    now = timezone.now()
    for member in members:
        if member.pk not in existing:
            created.append(Participant(consultation=consultation, member=member, invited_by=actor, invited_at=now))
            existing.add(member.pk)
    if include_person and None not in existing:
        created.append(Participant(consultation=consultation, member=None, invited_by=actor, invited_at=now))
    for participant in created:
        participant.save()
    consultation.save_versioned(update_fields=["status"])  # one more version: the invitation list changed
    audit_write(actor, "update", RESOURCE, consultation, person, reason="invited")
    _tell_participants("mdo_invited", actor, consultation, created)
    return created


@atomic_action
def respond_to_invitation(actor, participant: Participant, response: str) -> Participant:  # noqa: ANN001
    """Accept or decline, by the invitee themselves (for the person: the person or their representative)."""
    authorize(actor, "consultations.respond_to_invitation", participant)
    consultation = participant.consultation
    person = consultation.person
    _require_status(consultation, Consultation.Status.SCHEDULED)
    if response not in (Participant.Response.ACCEPTED, Participant.Response.DECLINED):
        raise RuleViolation("mdo_response", _("Say whether you will come or not."))
    participant.response = response
    participant.responded_at = timezone.now()
    participant.save(update_fields=["response", "responded_at"])
    consultation.save_versioned(update_fields=["status"])
    audit_write(actor, "update", RESOURCE, consultation, person, reason=f"response:{response}")
    return participant


# --------------------------------------------------------------------------- the meeting


@atomic_action
def record_attendance(
    actor,  # noqa: ANN001
    consultation: Consultation,
    attended: Iterable[Participant | int],
    expected_version: int | None = None,
) -> Consultation:
    """Tick who attended (everyone else did not); the MDO is then held and its minutes open."""
    authorize(actor, "consultations.record_attendance", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.SCHEDULED, Consultation.Status.HELD)
    if consultation.day is None or consultation.day > timezone.localdate():
        raise RuleViolation("mdo_not_yet", _("Attendance can be recorded from the day of the consultation."))
    _check_version(consultation, expected_version)
    ids = {p.pk if isinstance(p, Participant) else int(p) for p in attended}
    participants = list(consultation.participants.all())
    known = {p.pk for p in participants}
    if ids - known:
        raise RuleViolation("mdo_attendance_unknown", _("Only invited participants can be marked as present."))
    if not ids:
        raise RuleViolation("mdo_attendance_empty", _("Tick who attended; nobody is ticked."))
    for participant in participants:
        participant.attended = participant.pk in ids
        participant.save(update_fields=["attended"])
    consultation.status = Consultation.Status.HELD
    consultation.held_at = consultation.held_at or timezone.now()
    consultation.save_versioned(expected_version, update_fields=["status", "held_at"])
    audit_write(actor, "update", "Appointment", consultation, person, reason="attendance")
    return consultation


@atomic_action
def write_minutes(
    actor,  # noqa: ANN001
    consultation: Consultation,
    text: str,
    expected_version: int | None = None,
) -> Minutes:
    """Write or correct the minutes; two people editing at once cannot overwrite each other."""
    authorize(actor, "consultations.write_minutes", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.HELD)
    text = _text(text, _("the minutes"), MINUTES_MAX)
    minutes = Minutes.objects.filter(consultation=consultation).first()
    if minutes is None:
        if expected_version not in (None, 0):
            from careweave.versioning import ChangedMeanwhile

            raise ChangedMeanwhile(consultation, expected_version)
        minutes = Minutes.objects.create(consultation=consultation, text=text, written_by=actor)
    else:
        minutes.text, minutes.written_by = text, actor
        minutes.save_versioned(expected_version, update_fields=["text", "written_by_id"])
    audit_write(actor, "update", "Appointment", consultation, person, reason="minutes")
    return minutes


@atomic_action
def record_decision(
    actor,  # noqa: ANN001
    consultation: Consultation,
    text: str,
    *,
    assignee: TeamMember | None = None,
    to_person: bool = False,
    due_date: date | None = None,
    is_medical: bool = False,
    coordination: str = "",
) -> Decision:
    """Record a decision; it becomes a task in the plan for the member who will carry it out."""
    authorize(actor, "consultations.record_decision", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.HELD)
    text = _text(text, _("the decision"), DECISION_MAX)
    if coordination not in Decision.Coordination.values:
        raise RuleViolation("mdo_coordination", _("Choose what was decided about coordination."))
    if assignee is None and not to_person:
        raise RuleViolation("assignee_required", _("Choose who will carry out this decision."))
    plan = consultation.plan or _current_plan(person)
    if plan is None:
        raise RuleViolation("mdo_no_plan", NO_PLAN())
    episode = None
    if coordination:
        episode = coordination_actions.active_coordination(plan.team) if plan.team_id else None
        if episode is None:
            raise RuleViolation("mdo_no_coordination", _("This person has no active coordination: record the "
                                                         "decision without an outcome about coordination."))
    task = assign_task(
        actor, plan, text, assignee=assignee, to_person=to_person, due_date=due_date, is_medical=is_medical
    )
    decision = Decision.objects.create(
        consultation=consultation, text=text, task=task, recorded_by=actor, coordination=coordination, episode=episode
    )
    _act_on_coordination(actor, decision)
    # the Task's first version already names the MDO (reasonReference): snapshot it again
    version_changed.send(sender=Task, instance=Task.objects.get(pk=task.pk))
    consultation.save_versioned(update_fields=["status"])
    audit_write(actor, "update", "Appointment", consultation, person, reason="decision")
    return decision


def _act_on_coordination(actor, decision: Decision) -> None:  # noqa: ANN001
    """The meeting's evaluation of coordination (001 l. 19485-19489) acts on the episode it names, through the
    coordination actions: continue reimbursable (when the coordinator may be paid), continue unpaid, or stop."""
    episode, outcome = decision.episode, decision.coordination
    if episode is None or not outcome:
        return
    if outcome == Decision.Coordination.STOP:
        coordination_actions.end_coordination(actor, episode, CoordinationEpisode.EndReason.MDO_DECISION)
    else:
        coordination_actions.set_coordination_reimbursable(actor, episode, outcome == Decision.Coordination.CONTINUE)


@atomic_action
def conclude_mdo(actor, consultation: Consultation, expected_version: int | None = None) -> Consultation:  # noqa: ANN001
    """Close attendance and minutes; the reimbursement is fixed and ``mdo_concluded`` is sent, once."""
    authorize(actor, "consultations.conclude_mdo", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.HELD)
    _check_version(consultation, expected_version)
    minutes = Minutes.objects.filter(consultation=consultation).first()
    if minutes is None or not minutes.text.strip():
        raise RuleViolation("mdo_minutes_required", _("Write the minutes before concluding the MDO."))
    result = reimbursement(consultation)
    consultation.status = Consultation.Status.CONCLUDED
    consultation.concluded_at, consultation.concluded_by = timezone.now(), actor
    consultation.reimbursable, consultation.rule = result.reimbursable, result.rule
    consultation.save_versioned(
        expected_version, update_fields=["status", "concluded_at", "concluded_by_id", "reimbursable", "rule_id"]
    )
    audit_write(actor, "update", "Appointment", consultation, person, reason="concluded")
    # Inside the transaction: a receiver that fails (financing) undoes the conclusion with it.
    mdo_concluded.send(
        sender=Consultation,
        consultation=consultation,
        person=person,
        held_on=consultation.day,
        reimbursable=result.reimbursable,
        paid_professionals=result.paid,
        actor=actor,
        billing_code=result.rule.pseudocode if result.rule is not None else "",
    )
    return consultation


@atomic_action
def cancel_mdo(
    actor,  # noqa: ANN001
    consultation: Consultation,
    reason: str,
    expected_version: int | None = None,
) -> Consultation:
    """Cancel a proposal or a scheduled MDO, saying why (it stays in the history)."""
    authorize(actor, "consultations.cancel_mdo", consultation)
    person = consultation.person
    _require_status(consultation, Consultation.Status.PROPOSED, Consultation.Status.SCHEDULED)
    consultation.cancel_reason = _text(reason, _("why the consultation is cancelled"), PLACE_MAX)
    consultation.status = Consultation.Status.CANCELLED
    consultation.save_versioned(expected_version, update_fields=["status", "cancel_reason"])
    audit_write(actor, "update", RESOURCE, consultation, person, reason="cancelled")
    _tell_participants("mdo_cancelled", actor, consultation)
    return consultation
