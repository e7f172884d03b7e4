"""Care-team actions (C2): the person decides who is in their team; history is never lost."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import DuplicateRecord, RuleViolation
from careweave.careplans.models import CareTeam, CaseManagementEpisode, CoordinationEpisode, TeamMember
from careweave.notifications import emit
from careweave.people.models import Person, Professional, RelatedPerson


def team_for(person: Person) -> CareTeam:
    """The person's shared care team, created on first use."""
    team = person.care_teams.filter(status=CareTeam.Status.ACTIVE, external_id="").order_by("created_at").first()
    return team or CareTeam.objects.create(person=person)


@atomic_action
def create_care_team(
    actor,  # noqa: ANN001
    person: Person,
    *,
    name: str = "",
    status: str = CareTeam.Status.ACTIVE,
    external_id: str = "",
) -> CareTeam:
    """A care team for the person: their shared team, or a team another system sends (``external_id``).

    A person has one shared team: a second one is refused (``team_exists``), the sender changes the
    existing one. A received team keeps its name and status; members join through
    :func:`add_team_member`, so the person still decides who is in.
    """
    authorize(actor, "careplans.create_care_team", person)
    if external_id:
        if CareTeam.objects.filter(external_id=external_id).exists():
            raise DuplicateRecord("duplicate_identifier", _("A care team with this identifier exists already."))
        if status not in CareTeam.Status.values:
            status = CareTeam.Status.ACTIVE
        team = CareTeam.objects.create(person=person, name=name, external_id=external_id, status=status)
    else:
        existing = person.care_teams.filter(status=CareTeam.Status.ACTIVE, external_id="").first()
        if existing is not None:
            raise DuplicateRecord("team_exists", _("This person already has a care team (CareTeam/%(id)s): change "
                                                   "that one.") % {"id": existing.fhir_id})
        team = team_for(person)
    audit_write(actor, "create", "CareTeam", team, person)
    return team


@atomic_action
def rename_care_team(actor, team: CareTeam, name: str, expected_version: int) -> CareTeam:  # noqa: ANN001
    """Give the team a name of its own (shown instead of "care team of <person>")."""
    authorize(actor, "careplans.rename_care_team", team)
    team.name = name
    team.save_versioned(expected_version, update_fields=["name"])
    audit_write(actor, "update", "CareTeam", team, team.person, reason="team name")
    return team


@atomic_action
def add_team_member(
    actor,  # noqa: ANN001
    team: CareTeam,
    *,
    professional: Professional | None = None,
    related_person: RelatedPerson | None = None,
    role: str = "",
    reason: str = "",
    is_reference_person: bool = False,
) -> TeamMember:
    """Add someone to the team. Added by the person (or representative): member at once.
    Proposed by a team member: waits for the person's agreement."""
    decision = authorize(actor, "careplans.add_team_member", team)
    person = team.person
    if (professional is None) == (related_person is None):
        raise RuleViolation("member_kind", _("Choose either a professional or someone from the informal network."))
    if related_person is not None and related_person.person_id != person.pk:
        raise RuleViolation("member_network", _("This informal carer belongs to another person's network."))
    if (
        professional is not None
        and CaseManagementEpisode.objects.filter(
            person=person, case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
        ).exists()
    ):
        raise RuleViolation(
            "case_manager_not_in_team",
            _(
                "%(name)s is this person's case manager. A case manager works from outside the care team "
                "and cannot also be a member of it."
            )
            % {"name": professional},
        )
    current = team.members.filter(
        professional=professional,
        related_person=related_person,
        status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED],
    )
    if current.exists():
        raise RuleViolation(
            "already_member", _("%(name)s is already in the care team.") % {"name": professional or related_person}
        )
    speaks = decision is not None and decision.basis in ("self", "proxy")
    status = TeamMember.Status.ACTIVE if speaks else TeamMember.Status.PROPOSED
    member = TeamMember.objects.create(
        team=team,
        professional=professional,
        related_person=related_person,
        role=role,
        reason=reason,
        status=status,
        added_by=actor,
        is_reference_person=is_reference_person,
    )
    audit_write(actor, "create", "CareTeam", team, person, reason=f"add member {member}")
    _touch(team)
    if status == TeamMember.Status.PROPOSED:
        from careweave.notifications.events import deciders

        emit("agreement_needed", person=person, target=member, actor=actor, recipients=deciders(person),
             url=reverse("web:team", args=[person.fhir_id]), proposal="team_member")
    return member


@atomic_action
def enrol_registering_professional(
    actor,  # noqa: ANN001
    person: Person,
    *,
    reason: str = "registered the person",
) -> TeamMember:
    """The professional who registers a new person becomes the first member of their care team.

    Access rests on team membership, so without this nobody could start a plan for someone just
    registered (through the FHIR API, an import or the web form). Only for a person nobody is in
    the team of yet; the person can remove the professional like any other member. ``reason`` is
    kept on the membership (the web registration records the person's agreement there).
    """
    authorize(actor, "careplans.enrol_registering_professional", person)
    professional = actor.professional
    if TeamMember.objects.filter(team__person=person).exists():
        raise RuleViolation("team_exists", _("This person already has a care team: ask to be added to it."))
    team = team_for(person)
    member = TeamMember.objects.create(
        team=team,
        professional=professional,
        status=TeamMember.Status.ACTIVE,
        added_by=actor,
        reason=reason,
    )
    audit_write(actor, "create", "CareTeam", team, person, reason=f"{reason}; first member {member}")
    _touch(team)
    return member


def _touch(team: CareTeam) -> None:
    """A membership change is a new version of the CareTeam (FHIR history, ETag)."""
    # F(): a stale in-memory copy of the team must still move the version forward.
    CareTeam.objects.filter(pk=team.pk).update(version=F("version") + 1, updated_at=timezone.now())
    team.refresh_from_db(fields=["version", "updated_at"])
    from django.db.models.signals import post_save

    post_save.send(sender=CareTeam, instance=team, created=False, update_fields=None, raw=False, using="default")


@atomic_action
def approve_team_member(actor, member: TeamMember) -> TeamMember:  # noqa: ANN001
    """The person agrees that a proposed member joins their team."""
    authorize(actor, "careplans.approve_team_member", member)
    if member.status != TeamMember.Status.PROPOSED:
        raise RuleViolation("not_proposed", _("This membership is not waiting for agreement."))
    member.status = TeamMember.Status.ACTIVE
    member.start = timezone.now()
    member.save(update_fields=["status", "start"])
    audit_write(actor, "update", "CareTeam", member.team, member.team.person, reason=f"approve {member}")
    _touch(member.team)
    return member


@atomic_action
def decline_team_member(actor, member: TeamMember, reason: str = "") -> TeamMember:  # noqa: ANN001
    authorize(actor, "careplans.decline_team_member", member)
    if member.status != TeamMember.Status.PROPOSED:
        raise RuleViolation("not_proposed", _("This membership is not waiting for agreement."))
    member.status = TeamMember.Status.DECLINED
    member.end = timezone.now()
    member.ended_by = actor
    member.reason = reason or member.reason
    member.save(update_fields=["status", "end", "ended_by", "reason"])
    audit_write(actor, "update", "CareTeam", member.team, member.team.person, reason=f"decline {member}")
    _touch(member.team)
    return member


@atomic_action
def remove_team_member(actor, member: TeamMember, reason: str = "") -> TeamMember:  # noqa: ANN001
    """The person removes a member, or a member leaves. The period stays in the history."""
    authorize(actor, "careplans.remove_team_member", member)
    team = member.team
    if member.status not in (TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED):
        raise RuleViolation("not_member", _("%(name)s is no longer in the care team.") % {"name": member})
    now = timezone.now()
    for episode in CoordinationEpisode.objects.filter(
        coordinator=member, status__in=[CoordinationEpisode.Status.ACTIVE, CoordinationEpisode.Status.PROPOSED]
    ):
        episode.status = CoordinationEpisode.Status.ENDED
        episode.ended_at = now
        episode.ended_by = actor
        episode.end_reason = CoordinationEpisode.EndReason.LEFT_TEAM
        episode.save()
    # A proposal that never became a membership must not show up in the history (members_on).
    was_member = member.status == TeamMember.Status.ACTIVE
    member.status = TeamMember.Status.ENDED if was_member else TeamMember.Status.DECLINED
    member.end = now
    member.ended_by = actor
    member.reason = reason or member.reason
    member.save(update_fields=["status", "end", "ended_by", "reason"])
    audit_write(actor, "update", "CareTeam", team, team.person, reason=f"remove {member}: {reason}")
    _touch(team)
    return member


def members_on(team: CareTeam, moment) -> list[TeamMember]:  # noqa: ANN001
    """Who was in the team at a given moment (history of membership)."""
    from django.db.models import Q

    return list(
        team.members.filter(start__lte=moment)
        .exclude(status__in=[TeamMember.Status.PROPOSED, TeamMember.Status.DECLINED])
        .filter(Q(end__isnull=True) | Q(end__gt=moment))
        .select_related("professional", "related_person")
    )
