"""Coordination and case-management actions (C4). Every rule from the report is checked here.

Line numbers refer to ``shared/seeds/001_…txt`` (the consortium's final report, part B1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize, may
from careweave.careplans.actions._common import atomic_action, audit_write, membership_of, speaks_for_person
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import (
    CareTeam,
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    TeamMember,
    TrainingRecord,
)
from careweave.careplans.models.coordination import Trigger
from careweave.people.models import Person, Professional
from careweave.people.roles import member_role_code
from careweave.territory.models import Zone

OPEN = [CoordinationEpisode.Status.PROPOSED, CoordinationEpisode.Status.ACTIVE]


def active_coordination(team: CareTeam) -> CoordinationEpisode | None:
    return (
        team.coordination_episodes.filter(status=CoordinationEpisode.Status.ACTIVE)
        .select_related("coordinator__professional", "coordinator__related_person")
        .first()
    )


def active_case_management(person: Person) -> CaseManagementEpisode | None:
    return (
        person.case_management_episodes.filter(status=CaseManagementEpisode.Status.ACTIVE)
        .select_related("case_manager")
        .first()
    )


def active_coordinations(team_ids: Iterable[int]) -> dict[int, CoordinationEpisode]:
    """:func:`active_coordination` for many teams in one query (list pages), by team id."""
    found: dict[int, CoordinationEpisode] = {}
    for episode in CoordinationEpisode.objects.filter(
        team_id__in=list(team_ids), status=CoordinationEpisode.Status.ACTIVE
    ).select_related("coordinator__professional", "coordinator__related_person"):
        found.setdefault(episode.team_id, episode)
    return found


def active_case_managements(person_ids: Iterable[int]) -> dict[int, CaseManagementEpisode]:
    """:func:`active_case_management` for many persons in one query (list pages), by person id."""
    found: dict[int, CaseManagementEpisode] = {}
    for episode in CaseManagementEpisode.objects.filter(
        person_id__in=list(person_ids), status=CaseManagementEpisode.Status.ACTIVE
    ).select_related("case_manager"):
        found.setdefault(episode.person_id, episode)
    return found


def _check_not_case_manager(member: TeamMember | None, person: Person) -> None:
    """One professional cannot be coordinator and case manager for the same person (l. 19963-19970)."""
    if (
        member is not None
        and member.professional_id
        and CaseManagementEpisode.objects.filter(
            person=person, case_manager_id=member.professional_id, status=CaseManagementEpisode.Status.ACTIVE
        ).exists()
    ):
        raise RuleViolation(
            "case_manager_not_coordinator",
            _("%(name)s is this person's case manager and therefore cannot be their coordinator as well.")
            % {"name": member},
        )


def _check_member(member: TeamMember, team: CareTeam) -> None:
    """The coordinator is a member of the team around the person (l. 19420-19430)."""
    if member.team_id != team.pk or member.status != TeamMember.Status.ACTIVE:
        raise RuleViolation(
            "coordinator_not_member",
            _("The coordinator must be a current member of this person's care team."),
        )


def _initiator_for(actor, person: Person, requested: str | None) -> str:  # noqa: ANN001
    if requested:
        if requested not in CoordinationEpisode.Initiator.values:
            raise RuleViolation("initiator", _("Say on whose request coordination starts."))
        return requested
    basis = "self" if person.user_id == getattr(actor, "pk", None) else None
    if basis == "self":
        return CoordinationEpisode.Initiator.PERSON
    if speaks_for_person(actor, person):
        return CoordinationEpisode.Initiator.REPRESENTATIVE
    return CoordinationEpisode.Initiator.TEAM


def _activate(episode: CoordinationEpisode, actor) -> None:  # noqa: ANN001
    """Both the coordinator and the person agreed: it starts; a previous coordinator hands over."""
    if not (episode.accepted_by_coordinator_at and episode.agreed_at):
        return
    now = timezone.now()
    for previous in episode.team.coordination_episodes.filter(status=CoordinationEpisode.Status.ACTIVE).exclude(
        pk=episode.pk
    ):
        previous.status = CoordinationEpisode.Status.ENDED
        previous.ended_at = now
        previous.ended_by = actor
        previous.end_reason = CoordinationEpisode.EndReason.HANDED_OVER
        previous.save()
    episode.status = CoordinationEpisode.Status.ACTIVE
    episode.started_at = now


def _open_episode_for(team: CareTeam, member: TeamMember | None, held_by_person: bool) -> None:
    qs = team.coordination_episodes.filter(status__in=OPEN, coordinator=member, held_by_person=held_by_person)
    if qs.exists():
        raise RuleViolation(
            "coordination_exists",
            _("This coordination is already proposed or active for this care team."),
        )


@atomic_action
def take_on_coordination(
    actor,  # noqa: ANN001
    team: CareTeam,
    *,
    initiated_by: str | None = None,
    reason: str = "",
    assessment: str = "",
) -> CoordinationEpisode:
    """A team member takes on the coordinator role themselves; it starts once the person agrees.

    When the person (or representative/informal carer) takes coordination on, it starts at once
    and is not reimbursable (l. 19505-19514).
    """
    authorize(actor, "careplans.take_on_coordination", team)
    person = team.person
    now = timezone.now()
    if person.user_id and person.user_id == actor.pk:
        _open_episode_for(team, None, True)
        episode = CoordinationEpisode(
            team=team,
            held_by_person=True,
            initiated_by=CoordinationEpisode.Initiator.PERSON,
            requested_by=actor,
            requested_at=now,
            reason=reason,
            assessment=assessment,
            accepted_by_coordinator_at=now,
            agreed_by=actor,
            agreed_at=now,
            reimbursable=False,
        )
    else:
        member = membership_of(actor, team)
        _check_not_case_manager(member, person)
        _open_episode_for(team, member, False)
        informal = member.is_informal
        speaks = speaks_for_person(actor, person)
        episode = CoordinationEpisode(
            team=team,
            coordinator=member,
            initiated_by=_initiator_for(actor, person, initiated_by),
            requested_by=actor,
            requested_at=now,
            reason=reason,
            assessment=assessment,
            accepted_by_coordinator_at=now,
            reimbursable=not informal,
            agreed_by=actor if speaks else None,
            agreed_at=now if speaks else None,
        )
    _activate(episode, actor)
    episode.save()
    audit_write(actor, "create", "CareTeam", team, person, reason=f"coordination: {episode.get_status_display()}")
    if episode.agreed_at is None:
        _ask_agreement(actor, episode)
    return episode


@atomic_action
def assign_coordinator(
    actor,  # noqa: ANN001
    team: CareTeam,
    member: TeamMember,
    *,
    initiated_by: str | None = None,
    reason: str = "",
    assessment: str = "",
) -> CoordinationEpisode:
    """Propose a team member as coordinator: the person, a representative, a team member or the
    case manager (who may start coordination, l. 19639-19647) can propose. The member accepts;
    the person agrees (l. 19492-19494)."""
    decision = authorize(actor, "careplans.assign_coordinator", team)
    person = team.person
    _check_member(member, team)
    _check_not_case_manager(member, person)
    speaks = decision is not None and decision.basis in ("self", "proxy")
    _open_episode_for(team, member, False)
    now = timezone.now()
    is_self = member.user is not None and member.user == actor
    initiator = initiated_by or (
        CoordinationEpisode.Initiator.CASE_MANAGER
        if decision is not None and decision.basis == "case_management"
        else _initiator_for(actor, person, None)
    )
    episode = CoordinationEpisode(
        team=team,
        coordinator=member,
        initiated_by=initiator,
        requested_by=actor,
        requested_at=now,
        reason=reason,
        assessment=assessment,
        reimbursable=not member.is_informal,
        accepted_by_coordinator_at=now if is_self else None,
        agreed_by=actor if speaks else None,
        agreed_at=now if speaks else None,
    )
    _activate(episode, actor)
    episode.save()
    audit_write(actor, "create", "CareTeam", team, person, reason=f"coordinator proposed: {member}")
    _ask_agreement(actor, episode)
    return episode


def _ask_agreement(actor, episode: CoordinationEpisode) -> None:  # noqa: ANN001
    """The proposed coordinator (to accept) and the person (to agree) hear of the proposal (decision 0030)."""
    from careweave.notifications import emit
    from careweave.notifications.events import deciders

    person = episode.team.person
    waiting = set()
    if episode.accepted_by_coordinator_at is None and episode.coordinator.user is not None:
        waiting.add(episode.coordinator.user.pk)
    if episode.agreed_at is None:
        waiting |= deciders(person)
    emit("agreement_needed", person=person, target=episode, actor=actor, recipients=waiting,
         url=reverse("web:team", args=[person.fhir_id]), proposal="coordinator")


def _require_proposed(episode: CoordinationEpisode) -> None:
    if episode.status != CoordinationEpisode.Status.PROPOSED:
        raise RuleViolation("not_proposed", _("This coordinator proposal is no longer open."))


@atomic_action
def accept_coordination(actor, episode: CoordinationEpisode) -> CoordinationEpisode:  # noqa: ANN001
    """The proposed member accepts the role."""
    authorize(actor, "careplans.accept_coordination", episode)
    _require_proposed(episode)
    _check_member(episode.coordinator, episode.team)
    _check_not_case_manager(episode.coordinator, episode.team.person)
    episode.accepted_by_coordinator_at = timezone.now()
    _activate(episode, actor)
    episode.save()
    audit_write(actor, "update", "CareTeam", episode.team, episode.team.person, reason="coordination accepted")
    return episode


@atomic_action
def agree_to_coordinator(actor, episode: CoordinationEpisode) -> CoordinationEpisode:  # noqa: ANN001
    """The person (or representative) agrees to who holds the coordinator role."""
    authorize(actor, "careplans.agree_to_coordinator", episode)
    _require_proposed(episode)
    episode.agreed_by = actor
    episode.agreed_at = timezone.now()
    _activate(episode, actor)
    episode.save()
    audit_write(actor, "update", "CareTeam", episode.team, episode.team.person, reason="coordinator agreed")
    return episode


@atomic_action
def refuse_coordinator(actor, episode: CoordinationEpisode, reason: str = "") -> CoordinationEpisode:  # noqa: ANN001
    """The person refuses the proposed coordinator; the proposal is closed and kept."""
    authorize(actor, "careplans.refuse_coordinator", episode)
    _require_proposed(episode)
    episode.status = CoordinationEpisode.Status.REFUSED
    episode.ended_at = timezone.now()
    episode.ended_by = actor
    episode.reason = (episode.reason + "\n" + reason).strip() if reason else episode.reason
    episode.save()
    audit_write(actor, "update", "CareTeam", episode.team, episode.team.person, reason="coordinator refused")
    return episode


@atomic_action
def end_coordination(actor, episode: CoordinationEpisode, reason: str) -> CoordinationEpisode:  # noqa: ANN001
    """End coordination: by the coordinator (hand back) or the person. The reason is required."""
    authorize(actor, "careplans.end_coordination", episode)
    if episode.status != CoordinationEpisode.Status.ACTIVE:
        raise RuleViolation("not_active", _("This coordination is not active."))
    if reason not in CoordinationEpisode.EndReason.values:
        raise RuleViolation("end_reason", _("Choose why coordination ends."))
    person = episode.team.person
    episode.status = CoordinationEpisode.Status.ENDED
    episode.ended_at = timezone.now()
    episode.ended_by = actor
    episode.end_reason = reason
    episode.save()
    audit_write(actor, "update", "CareTeam", episode.team, person, reason=f"coordination ended: {reason}")
    return episode


@atomic_action
def set_coordination_reimbursable(actor, episode: CoordinationEpisode, reimbursable: bool) -> CoordinationEpisode:  # noqa: ANN001
    """Coordination goes on, paid or unpaid, as an MDO decided at a transition point (001 l. 19485-19489).

    Coordination by the person or an informal carer is never reimbursable (l. 19505-19514).
    """
    authorize(actor, "careplans.set_coordination_reimbursable", episode)
    if episode.status != CoordinationEpisode.Status.ACTIVE:
        raise RuleViolation("not_active", _("This coordination is not active."))
    informal = episode.held_by_person or (episode.coordinator is not None and episode.coordinator.is_informal)
    if reimbursable and informal:
        raise RuleViolation("coordination_not_reimbursable",
                            _("Coordination by the person or an informal carer is not reimbursable."))
    if episode.reimbursable != reimbursable:
        episode.reimbursable = reimbursable
        episode.save(update_fields=["reimbursable"])
        audit_write(actor, "update", "CareTeam", episode.team, episode.team.person,
                    reason=f"coordination {'reimbursable' if reimbursable else 'not reimbursable'}")
    return episode


def hand_back_coordination(actor, episode: CoordinationEpisode) -> CoordinationEpisode:  # noqa: ANN001
    authorize(actor, "careplans.hand_back_coordination", episode)
    return end_coordination(actor, episode, CoordinationEpisode.EndReason.HANDED_BACK)


# --- Case management -------------------------------------------------------------------------


@atomic_action
def ring_the_bell(
    actor,
    person: Person,
    triggers: Iterable[str],
    description: str = "",
    zone: Zone | None = None,  # noqa: ANN001
) -> CaseManagementRequest:
    """Report a situation at the zone's central contact point (meldpunt, l. 19781-19785).

    Anyone with a relationship can: the person, a representative, an informal carer, a team
    member or the coordinator (who may call in a case manager, l. 19959-19961)."""
    decision = authorize(actor, "careplans.ring_the_bell", person)
    triggers = list(dict.fromkeys(triggers))
    if not triggers:
        raise RuleViolation("trigger_required", _("Say why case management is needed (at least one reason)."))
    unknown = [t for t in triggers if t not in Trigger.values]
    if unknown:
        raise RuleViolation(
            "trigger_unknown", _("Unknown reason for case management: %(value)s") % {"value": ", ".join(unknown)}
        )
    zone = zone or person.zone
    if zone is None:
        raise RuleViolation("zone_required", _("This person has no zone: choose the zone whose contact point to ring."))
    # A role code, shown in the reader's language (careweave.people.roles).
    role = {"self": "person", "proxy": "representative"}.get(decision.basis)
    if role is None:
        team = person.care_teams.first()
        member = membership_of(actor, team) if team else None
        role = member_role_code(member) if member else "professional"
    request = CaseManagementRequest.objects.create(
        person=person,
        zone=zone,
        reported_by=actor,
        reporter_role=role,
        triggers=triggers,
        description=description,
        created_at=timezone.now(),
    )
    audit_write(actor, "create", "ServiceRequest", request, person, reason="case management requested")
    return request


def is_zone_actor(actor, zone: Zone | None) -> bool:  # noqa: ANN001
    """Staff or contact point of the zone: the table's row for deciding on case management."""
    return zone is not None and may(actor, "careplans.register_training", zone)


def caseload(professional: Professional) -> int:
    return CaseManagementEpisode.objects.filter(
        case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
    ).count()


@atomic_action
def appoint_case_manager(
    actor,
    request: CaseManagementRequest,
    case_manager: Professional,
    note: str = "",  # noqa: ANN001
) -> CaseManagementEpisode:
    """A meso-level actor appoints a trained case manager, external to the care team."""
    authorize(actor, "careplans.appoint_case_manager", request)
    person = request.person
    if request.status != CaseManagementRequest.Status.OPEN:
        raise RuleViolation("request_closed", _("This request has already been decided."))
    training = TrainingRecord.objects.filter(
        professional=case_manager, function=TrainingRecord.Function.CASE_MANAGER, zone=request.zone, active=True
    ).first()
    if training is None:
        raise RuleViolation(
            "case_manager_trained",
            _("%(name)s is not registered as a trained case manager in %(zone)s.")
            % {"name": case_manager, "zone": request.zone},
        )
    if caseload(case_manager) >= training.capacity:
        raise RuleViolation(
            "case_manager_capacity",
            _("%(name)s has reached their caseload of %(capacity)s persons.")
            % {"name": case_manager, "capacity": training.capacity},
        )
    if TeamMember.objects.filter(
        team__person=person,
        professional=case_manager,
        status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED],
    ).exists():
        raise RuleViolation(
            "case_manager_not_in_team",
            _("%(name)s is a member of this person's care team. A case manager must come from outside the team.")
            % {"name": case_manager},
        )
    if active_case_management(person) is not None:
        raise RuleViolation("case_management_active", _("This person already has an active case manager."))
    now = timezone.now()
    episode = CaseManagementEpisode.objects.create(
        person=person,
        request=request,
        case_manager=case_manager,
        appointed_by=actor,
        zone=request.zone,
        started_at=now,
    )
    request.status = CaseManagementRequest.Status.APPOINTED
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
    request.save()
    audit_write_zone(actor, "create", "EpisodeOfCare", episode, person, reason="case manager appointed")
    return episode


def audit_write_zone(actor, action: str, resource_type: str, obj, person: Person, reason: str) -> None:  # noqa: ANN001
    from careweave.access.audit import record_access

    record_access(actor, action, resource_type, str(obj.pk), person=person, reason=reason, basis="zone")


@atomic_action
def decline_case_management(actor, request: CaseManagementRequest, note: str) -> CaseManagementRequest:  # noqa: ANN001
    authorize(actor, "careplans.decline_case_management", request)
    if request.status != CaseManagementRequest.Status.OPEN:
        raise RuleViolation("request_closed", _("This request has already been decided."))
    if not note.strip():
        raise RuleViolation("decline_reason", _("Explain why case management is not needed."))
    request.status = CaseManagementRequest.Status.DECLINED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save()
    audit_write_zone(actor, "update", "ServiceRequest", request, request.person, reason="declined")
    return request


@atomic_action
def end_case_management(actor, episode: CaseManagementEpisode, reason: str) -> CaseManagementEpisode:  # noqa: ANN001
    """As short as possible, as long as necessary (l. 19795-19805): ended by the case manager,
    the zone or the person. It may be started again later."""
    authorize(actor, "careplans.end_case_management", episode)
    if episode.status != CaseManagementEpisode.Status.ACTIVE:
        raise RuleViolation("not_active", _("This case management has already ended."))
    if reason not in CaseManagementEpisode.EndReason.values:
        raise RuleViolation("end_reason", _("Choose why case management ends."))
    episode.status = CaseManagementEpisode.Status.ENDED
    episode.ended_at = timezone.now()
    episode.ended_by = actor
    episode.end_reason = reason
    episode.save()
    audit_write_zone(actor, "update", "EpisodeOfCare", episode, episode.person, reason=f"ended: {reason}")
    return episode


@atomic_action
def register_training(
    actor,
    professional: Professional,
    function: str,
    zone: Zone,
    trained_on: date,
    capacity: int = 20,  # noqa: ANN001
) -> TrainingRecord:
    """The zone keeps the registry of trained coordinators and case managers (l. 19912-19916)."""
    authorize(actor, "careplans.register_training", zone)
    if capacity < 1:
        raise RuleViolation("capacity", _("The caseload capacity must be at least 1."))
    record, _created = TrainingRecord.objects.update_or_create(
        professional=professional,
        function=function,
        zone=zone,
        defaults={"trained_on": trained_on, "capacity": capacity, "active": True},
    )
    return record


def zone_capacity(zone: Zone) -> list[dict]:
    """Per trained professional: function, capacity and current caseload (meso overview)."""
    records = list(TrainingRecord.objects.filter(zone=zone, active=True).select_related("professional"))
    ids = {r.professional_id for r in records}
    # Both loads of every professional in one grouped query each (no queries per row, issue 19).
    managing = dict(
        CaseManagementEpisode.objects.filter(case_manager_id__in=ids, status=CaseManagementEpisode.Status.ACTIVE)
        .values_list("case_manager_id").annotate(n=Count("pk")).order_by()
    )
    coordinating = dict(
        CoordinationEpisode.objects.filter(
            coordinator__professional_id__in=ids, status=CoordinationEpisode.Status.ACTIVE
        ).values_list("coordinator__professional_id").annotate(n=Count("pk")).order_by()
    )
    rows = []
    for record in records:
        loads = managing if record.function == TrainingRecord.Function.CASE_MANAGER else coordinating
        rows.append({"record": record, "capacity": record.capacity, "caseload": loads.get(record.professional_id, 0)})
    return rows


def coordinated_by(professional: Professional) -> Q:
    return Q(
        coordination_episodes__coordinator__professional=professional,
        coordination_episodes__status=CoordinationEpisode.Status.ACTIVE,
    )
