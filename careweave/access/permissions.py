"""The permission table: every action of every app, and who may do it (issue 17, decision 0020).

Before this table each app and each door decided "may this actor do this?" on its own, and the
newer doors (received records, imports, programmes, billing, MDO) reopened holes. Now:

* every action is a row here: a dotted name (``app.action``), the access level it needs on the
  person's file (decided by :func:`careweave.access.decisions.decide`, decision 0004) and a
  predicate on the actor's relationship (team member, representative, appointed case manager,
  zone staff of the person's zone, convener, provider, author), discipline and sector, built from
  :mod:`careweave.access.predicates` with django-rules;
* every action calls :func:`authorize` before anything else; a refusal is audited on the
  person's file and raised as a ``RuleViolation`` the doors render (a message, a 403/422);
* pages derive their links and buttons from :func:`may` (the ``{% may %}`` tag), so nobody sees
  a control they may not use;
* ``docs/security.md`` is generated from this table (``careweave permissions --markdown``) and
  ``tests/access/test_permission_matrix.py`` runs every row for every demo role.

The rows are grouped in one section per app; an app's rows and the predicates only its rows use
sit in that section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careweave.access.decisions import Decision, decide, recall
from careweave.access.models import Level
from careweave.access.predicates import (
    has_break_glass,
    has_file_access,
    has_level,
    is_administrator,
    is_any_zone_staff,
    is_authenticated,
    is_care_professional,
    is_case_manager,
    is_coordinator,
    is_person_themselves,
    is_professional,
    is_team_informal_carer,
    is_team_professional,
    is_welfare_professional,
    is_zone_staff,
    person_coordinates_own_care,
    speaks_for_person,
    zone_role,
)
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person, Professional


@dataclass(frozen=True)
class Permission:
    """One row: an action, the level it needs on the person's file, and who may do it."""

    name: str
    label: Promise | str
    predicate: rules.Predicate
    level: int | Callable[[Any], int] | None = Level.PLAN
    resource_type: str = ""
    refusal: Promise | str = ""
    code: str = "not_allowed"

    def level_for(self, target: Any) -> int | None:
        """The level needed on this target: fixed, or by the target's label (a medical goal needs full)."""
        return self.level(target) if callable(self.level) else self.level

    @property
    def app(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def who(self) -> str:
        """The predicate as written, for docs/security.md."""
        return self.predicate.name.replace("_", " ")


TABLE: dict[str, Permission] = {}

NOT_ALLOWED = _("You may not do this: %(action)s.")


def permission(
    name: str,
    predicate: rules.Predicate,
    *,
    label: Promise | str,
    level: int | Callable[[Any], int] | None = Level.PLAN,
    resource_type: str = "",
    refusal: Promise | str = "",
    code: str = "not_allowed",
) -> Permission:
    """Add a row to the table (once per name).

    ``code`` is the refusal's stable rule code (API clients and tests rely on the codes the
    actions raised before the table, e.g. ``person_decides``).
    """
    if name in TABLE:
        raise ValueError(f"permission {name} is declared twice")
    row = Permission(name, label, predicate, level, resource_type, refusal, code)
    TABLE[name] = row
    return row


# --------------------------------------------------------------------------- resolving a target

# Attributes followed, in order, from an action's target to the person it concerns.
_PATHS = ("person", "team", "plan", "care_plan", "goal", "task", "consultation", "enrolment", "episode",
          "assessment", "referral", "owner")


def person_of(target: Any, depth: int = 0) -> Person | None:
    """The person an action's target concerns (a Person, or a record that leads to one)."""
    if target is None or depth > 4:
        return None
    if isinstance(target, Person):
        return target
    for attribute in _PATHS:
        if attribute in ("person", "owner") or hasattr(type(target), attribute) or hasattr(target, attribute):
            try:
                value = getattr(target, attribute, None)
            except Exception:  # noqa: BLE001 - a missing related row leads to nobody
                value = None
            if value is not None and value is not target:
                found = person_of(value, depth + 1)
                if found is not None:
                    return found
    return None


def _resource_id(target: Any) -> str:
    return str(getattr(target, "fhir_id", None) or getattr(target, "pk", "") or "")


# --------------------------------------------------------------------------- asking the table


def _refuse(actor: Any, row: Permission, target: Any, person: Person | None, code: str, message: str,
            basis: str) -> RuleViolation:
    from careweave.access.audit import record_access

    event = record_access(
        actor,
        "execute",
        row.resource_type or type(target).__name__,
        _resource_id(target),
        person=person,
        outcome="denied",
        reason=f"{row.name}: {message}",
        basis=basis,
    )
    error = RuleViolation(code, message)
    error.denied_audit = event  # kept after the action's rollback (careplans.actions._common.atomic_action)
    error.permission = row.name
    return error


def _not_allowed(row: Permission) -> str:
    message = str(row.refusal or NOT_ALLOWED)
    return message % {"action": str(row.label)} if "%(action)s" in message else message


def check(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> tuple[bool, str, str]:
    """``(allowed, code, message)`` for ``actor`` doing ``name`` on ``target``, without auditing."""
    row = TABLE[name]
    person = person if person is not None else person_of(target)
    needed = row.level_for(target)
    if needed is not None and person is not None:
        decision = decide(actor, person)
        if not decision.allows(needed):
            return False, "no_access", decision.refusal
    if not row.predicate.test(actor, target if target is not None else person):
        return False, row.code, _not_allowed(row)
    return True, "", ""


def authorize(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> Decision | None:
    """Refuse (audited, as a ``RuleViolation``) unless the table lets ``actor`` do ``name`` on ``target``.

    The first call of every action. Returns the actor's access decision on the person, if any.
    """
    row = TABLE[name]
    person = person if person is not None else person_of(target)
    decision = decide(actor, person) if person is not None else None
    needed = row.level_for(target)
    if needed is not None and decision is not None and not decision.allows(needed):
        raise _refuse(actor, row, target if target is not None else person, person, "no_access",
                      decision.refusal, decision.basis)
    if not row.predicate.test(actor, target if target is not None else person):
        raise _refuse(actor, row, target if target is not None else person, person, row.code, _not_allowed(row),
                      decision.basis if decision is not None else "")
    return decision


def may(actor: Any, name: str, target: Any = None, *, person: Person | None = None) -> bool:
    """Whether ``actor`` may do ``name`` on ``target`` (for links and buttons; not audited)."""
    return check(actor, name, target, person=person)[0]


def allowed(actor: Any, names: Iterable[str], target: Any = None) -> dict[str, bool]:
    """Several answers at once, for a page's controls."""
    return {name: may(actor, name, target) for name in names}


# --------------------------------------------------------------------------- the table's documentation


def as_markdown() -> str:
    """docs/security.md's table, generated from the rows (English, for developers and auditors)."""
    from django.utils import translation

    levels = {None: "—", Level.PLAN: "plan", Level.FULL: "full"}

    def level(row: Permission) -> str:
        return "by the item's label" if callable(row.level) else levels.get(row.level, str(row.level))

    lines = ["| action | what | level on the file | who may |", "|---|---|---|---|"]
    with translation.override("en"):
        for row in sorted(TABLE.values(), key=lambda r: r.name):
            who = row.who.replace("|", "\\|")
            lines.append(f"| `{row.name}` | {row.label} | {level(row)} | {who} |")
    return "\n".join(lines) + "\n"


def by_label(target: Any) -> int:
    """Medical items (``is_medical``) need the full file; the rest the shared plan (decision 0004)."""
    return Level.FULL if getattr(target, "is_medical", False) else Level.PLAN


# Predicates shared by several sections.
team_professional_or_case_manager = is_team_professional | is_case_manager
care_team = team_professional_or_case_manager | speaks_for_person | is_team_informal_carer
professional_in_care = (is_team_professional & is_care_professional) | is_case_manager


# =========================================================================== access (consent, emergency)


def _authenticated_actor(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


ACCESS_CHOICE_BY_PERSON = _("Only the person or their representative decides who may see their file.")
permission("access.set_access_choice", speaks_for_person, level=None, label=_("choose who may see the file"),
           resource_type="Consent", code="access_choice_by_person", refusal=ACCESS_CHOICE_BY_PERSON)
permission("access.revoke_access_choice", speaks_for_person, level=None, label=_("withdraw an access choice"),
           resource_type="Consent", code="access_choice_by_person", refusal=ACCESS_CHOICE_BY_PERSON)
# The privacy page (access choices, who acts for the person, who looked): the person's own (decision 0006).
permission("access.see_access_choices", speaks_for_person, level=None,
           label=_("see and change who may see the file"), resource_type="Consent", code="person_decides",
           refusal=_("Only the person or their representative can see and change who may see their file."))
# Emergency access is for someone without access yet: no level asked; the reason is checked by the action.
permission("access.emergency_lookup", is_care_professional, level=None,
           label=_("look a person up by SSIN for emergency access"), resource_type="Patient",
           code="break_glass_professional", refusal=_("Only an active care professional can use emergency access."))
permission("access.break_the_glass", is_care_professional, level=None, label=_("open the file in an emergency"),
           resource_type="Patient", code="break_glass_professional",
           refusal=_("Only an active care professional can use emergency access."))



@rules.predicate
def is_active_account(actor: Any) -> bool:
    """An active user; a professional's account also needs the professional to be active."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    professional = getattr(actor, "professional", None)
    return professional is None or professional.active


@rules.predicate
def owns_tokens(actor: Any, target: Any) -> bool:
    """The user whose API tokens these are (a token, or the user themselves)."""
    from careweave.access.models import ApiToken

    owner_id = target.user_id if isinstance(target, ApiToken) else getattr(target, "pk", None)
    return bool(getattr(actor, "is_authenticated", False)) and owner_id is not None and owner_id == actor.pk


# API tokens: each user creates, lists and revokes only their own (the CLI acts as the named user).
permission("access.create_api_token", is_active_account, level=None, label=_("create an API token"),
           resource_type="Account", code="api_token_owner", refusal=_("Only an active user can create an API token."))
permission("access.revoke_api_token", owns_tokens, level=None, label=_("revoke an API token"),
           resource_type="Account", code="api_token_owner", refusal=_("You can only manage your own API tokens."))
permission("access.revoke_all_api_tokens", owns_tokens, level=None, label=_("revoke all API tokens"),
           resource_type="Account", code="api_token_owner", refusal=_("You can only manage your own API tokens."))

# =========================================================================== people (network, registration)


@rules.predicate
def is_person_or_representative(actor: Any, target: Any) -> bool:
    """The person or their active representative: those who decide who acts for the person.

    Narrower than ``speaks_for_person``: someone with proxy access uses Careweave for the person
    but hands out no access to others (docs/domain.md, "Who acts for the person").
    """
    from careweave.people.actions import REPRESENTATIVE, SELF, standing

    person = person_of(target)
    return person is not None and _authenticated_actor(actor) and standing(actor, person) in (SELF, REPRESENTATIVE)


@rules.predicate
def is_own_network_record(actor: Any, related: Any) -> bool:
    """The network member themselves (a proxy gives up their access, a representative steps down)."""
    user_id = getattr(related, "user_id", None)
    return user_id is not None and getattr(actor, "pk", None) == user_id


PROXY_BY_PERSON = _("Only the person or their representative decides who has proxy access.")
@rules.predicate
def has_full_access(actor: Any, target: Any) -> bool:
    person = person_of(target)
    return person is not None and decide(actor, person).allows(Level.FULL)


permission("people.register_person", is_professional, level=None, label=_("register a new person"),
           resource_type="Patient", code="registrar_professional",
           refusal=_("Only an active care or welfare professional can register a person."))
# Full access is the person's own measure of trust (welfare professionals and informal carers get it
# when the person gives it); emergency access and consent to read do not count.
permission("people.update_contact_details",
           speaks_for_person | ((is_team_professional | is_team_informal_carer | is_case_manager) & has_full_access),
           label=_("change contact details"), resource_type="Patient", code="contact_details_editor",
           refusal=_("Only the person, their representative, or a member of their care team with full access "
                     "can change their contact details."))
permission("people.add_to_network", has_file_access, label=_("add someone to the informal network"),
           resource_type="RelatedPerson")
permission("people.grant_proxy_access", is_person_or_representative, level=None, label=_("give proxy access"),
           resource_type="RelatedPerson", code="proxy_by_person", refusal=PROXY_BY_PERSON)
permission("people.withdraw_proxy_access", is_own_network_record | is_person_or_representative, level=None,
           label=_("withdraw proxy access"), resource_type="RelatedPerson", code="proxy_by_person",
           refusal=PROXY_BY_PERSON)
# Art. 14 §1 patient-rights law: a mandate is given by the person themselves, never in their name.
permission("people.appoint_representative", is_person_themselves, level=None, label=_("appoint a representative"),
           resource_type="RelatedPerson", code="representative_by_person",
           refusal=_("Only the person themselves can appoint a representative, by a signed and dated written "
                     "mandate (patient-rights law of 22 August 2002, art. 14)."))
permission("people.end_representation", is_own_network_record | is_person_themselves, level=None,
           label=_("end a representation"), resource_type="RelatedPerson", code="representation_end_by",
           refusal=_("Only the person or the representative themselves can end a representation."))


# Registrations and directory entries other systems send (the FHIR API, imports): professionals register
# people, colleagues and organisations; an administrator may too (a migration), without joining a team.
@rules.predicate
def is_own_directory_entry(actor: Any, target: Any) -> bool:
    """The professional the entry describes (a Practitioner, or one of their PractitionerRoles)."""
    professional = getattr(target, "professional", None) if not isinstance(target, Professional) else target
    return _authenticated_actor(actor) and professional is not None and professional.user_id == actor.pk


@rules.predicate
def works_for_organisation(actor: Any, organisation: Any) -> bool:
    """A professional of this organisation keeps its entry."""
    professional = getattr(actor, "professional", None) if _authenticated_actor(actor) else None
    return professional is not None and organisation is not None and professional.organisation_id == organisation.pk


DIRECTORY_WRITERS = _("Only care and welfare professionals can register people, colleagues and organisations.")
OWN_ENTRY = _("Only the professional themselves or an administrator can change this.")
permission("people.receive_person", is_professional | is_administrator, level=None,
           label=_("register a person sent by another system"), resource_type="Patient",
           code="directory_writer", refusal=DIRECTORY_WRITERS)
# A person's identity record (SSIN, names, date of birth) is changed only with full access (decision 0004).
permission("people.update_person_record", has_file_access, level=Level.FULL,
           label=_("change a person's identity record"), resource_type="Patient")
permission("people.record_related_person", has_file_access, label=_("record someone of the person's network"),
           resource_type="RelatedPerson")
permission("people.update_related_person", has_file_access, label=_("change someone of the person's network"),
           resource_type="RelatedPerson")
permission("people.record_professional", is_professional | is_administrator, level=None,
           label=_("add a professional to the directory"), resource_type="Practitioner",
           code="directory_writer", refusal=DIRECTORY_WRITERS)
permission("people.update_professional", is_own_directory_entry | is_administrator, level=None,
           label=_("change a professional's directory entry"), resource_type="Practitioner",
           code="own_directory_entry", refusal=OWN_ENTRY)
permission("people.record_organisation", is_professional | is_administrator, level=None,
           label=_("add an organisation to the directory"), resource_type="Organization",
           code="directory_writer", refusal=DIRECTORY_WRITERS)
permission("people.update_organisation", works_for_organisation | is_administrator, level=None,
           label=_("change an organisation's directory entry"), resource_type="Organization",
           code="organisation_keeper",
           refusal=_("Only someone who works for this organisation or an administrator can change it."))
permission("people.record_practitioner_role", is_own_directory_entry | is_administrator, level=None,
           label=_("record a professional's role"), resource_type="PractitionerRole",
           code="own_directory_entry", refusal=OWN_ENTRY)
permission("people.update_practitioner_role", is_own_directory_entry | is_administrator, level=None,
           label=_("change a professional's role"), resource_type="PractitionerRole",
           code="own_directory_entry", refusal=OWN_ENTRY)

# =========================================================================== careplans (team, plan, coordination)


def _membership(actor: Any, team: Any) -> Any:
    from careweave.careplans.actions._common import membership_of

    if team is None or actor is None:
        return None
    # Asked by several rows for each control of a page: once per request (issue 19).
    return recall(("membership", getattr(actor, "pk", None), team.pk), lambda: membership_of(actor, team))


def _team_of(target: Any) -> Any:
    """The care team a target belongs to (a team, a member, a plan, a task, an episode)."""
    from careweave.careplans.models import CareTeam

    if isinstance(target, CareTeam):
        return target
    for attribute in ("team", "plan"):
        value = getattr(target, attribute, None)
        if isinstance(value, CareTeam):
            return value
        if value is not None and getattr(value, "team", None) is not None:
            return value.team
    if isinstance(target, Person):  # the shared team (``team_for``), without creating one
        return recall(("team", target.pk), lambda: target.care_teams.filter(
            status=CareTeam.Status.ACTIVE, external_id="").order_by("created_at").first())
    return None


@rules.predicate
def is_team_member(actor: Any, target: Any) -> bool:
    """An active member of the target's care team: a professional or someone of the informal network."""
    return _authenticated_actor(actor) and _membership(actor, _team_of(target)) is not None


@rules.predicate
def is_the_member(actor: Any, member: Any) -> bool:
    """The team member themselves (a member may always leave)."""
    return _authenticated_actor(actor) and getattr(member, "user", None) == actor


@rules.predicate
def is_episode_coordinator(actor: Any, episode: Any) -> bool:
    """The coordinator (proposed or holding the role) of this coordination episode."""
    coordinator = getattr(episode, "coordinator", None)
    return _authenticated_actor(actor) and coordinator is not None and coordinator.user == actor


@rules.predicate
def is_task_assignee(actor: Any, task: Any) -> bool:
    member = _membership(actor, getattr(getattr(task, "plan", None), "team", None))
    return member is not None and task.assignee_id == member.pk


@rules.predicate
def coordinates_the_team(actor: Any, target: Any) -> bool:
    """The actor's membership of the target's team holds an active coordination."""
    from careweave.careplans.models import CoordinationEpisode

    member = _membership(actor, _team_of(target))
    return member is not None and recall(("coordinates", member.pk), CoordinationEpisode.objects.filter(
        coordinator=member, status=CoordinationEpisode.Status.ACTIVE
    ).exists)


@rules.predicate
def is_episode_case_manager(actor: Any, episode: Any) -> bool:
    professional = getattr(actor, "professional", None) if _authenticated_actor(actor) else None
    return professional is not None and professional.pk == episode.case_manager_id


# The person decides (decision 0006): refused with ``person_decides`` whatever the level.
PERSON_DECIDES = _("Only the person or their representative can decide this.")
zone_contact_point = zone_role("contact_point", "staff")
team_member_or_case_manager = speaks_for_person | is_team_member | is_case_manager

permission("careplans.start_care_plan", has_file_access,
           label=_("start the shared plan"), resource_type="CarePlan")
permission("careplans.update_care_plan", has_file_access, label=_("change the shared plan"), resource_type="CarePlan")
permission("careplans.add_life_goal", has_file_access, label=_("add a life goal"), resource_type="Goal")
permission("careplans.update_life_goal", has_file_access, label=_("change a life goal"), resource_type="Goal")
permission("careplans.add_goal", has_file_access, label=_("add a goal"), resource_type="Goal")
permission("careplans.update_goal", has_file_access, label=_("change a goal"), resource_type="Goal")
permission("careplans.assign_task", has_file_access, label=_("assign a task"), resource_type="Task")
permission("careplans.update_task", has_file_access, label=_("change a task"), resource_type="Task")
permission("careplans.complete_task", speaks_for_person | is_task_assignee | coordinates_the_team,
           label=_("mark a task done"), resource_type="Task", code="task_not_yours",
           refusal=_("Only the team member this task is assigned to, the person or the coordinator can mark it done."))
permission("careplans.write_in_journal", has_file_access, label=_("write in the journal"),
           resource_type="Communication")
permission("careplans.record_agreement", has_file_access, label=_("record an agreement"), resource_type="CarePlan")
permission("careplans.review_plan", has_file_access, label=_("review the plan"), resource_type="CarePlan")
# Medical goals, tasks and journal entries need full access (decision 0004): asked besides the action's row.
permission("careplans.write_medical_detail", has_file_access, level=Level.FULL,
           label=_("write medical detail"), resource_type="CarePlan")
permission("careplans.see_medical_detail", has_file_access, level=Level.FULL,
           label=_("see medical detail"), resource_type="CarePlan")

permission("careplans.add_team_member", team_member_or_case_manager, label=_("add someone to the care team"),
           resource_type="CareTeam", code="member_proposer",
           refusal=_("Only the person, their representative or a team member can add someone to the team."))
# The person's shared team is created with their plan; a team received from another system likewise.
permission("careplans.create_care_team", has_file_access, label=_("create a care team"), resource_type="CareTeam")
permission("careplans.rename_care_team", has_file_access, label=_("rename the care team"), resource_type="CareTeam")
@rules.predicate
def has_no_team_yet(actor: Any, target: Any) -> bool:
    """Nobody is in the person's care team yet: the one who registers them becomes its first member."""
    from careweave.careplans.models import TeamMember

    person = person_of(target)
    return person is not None and not TeamMember.objects.filter(team__person=person).exists()


permission("careplans.enrol_registering_professional", is_professional & has_no_team_yet, level=None,
           label=_("become the first team member of a person one registers"), resource_type="CareTeam",
           code="registrar_professional",
           refusal=_("Only an active care or welfare professional can register a person."))
permission("careplans.approve_team_member", speaks_for_person, level=None, label=_("agree to a proposed team member"),
           resource_type="CareTeam", code="person_decides", refusal=PERSON_DECIDES)
permission("careplans.decline_team_member", speaks_for_person, level=None, label=_("decline a proposed team member"),
           resource_type="CareTeam", code="person_decides", refusal=PERSON_DECIDES)
permission("careplans.remove_team_member", speaks_for_person | is_the_member, level=None,
           label=_("remove a team member (or leave the team)"), resource_type="CareTeam", code="person_decides",
           refusal=PERSON_DECIDES)

permission("careplans.take_on_coordination", is_person_themselves | is_team_member,
           label=_("take on the coordinator role"), resource_type="CareTeam", code="coordinator_not_member",
           refusal=_("Only a member of the care team can take on the coordinator role. "
                     "A case manager works from outside the team and cannot coordinate."))
permission("careplans.assign_coordinator", team_member_or_case_manager, label=_("propose a coordinator"),
           resource_type="CareTeam", code="coordinator_proposer",
           refusal=_("Only the person, their representative, a team member or the case manager "
                     "can propose a coordinator."))
permission("careplans.accept_coordination", is_episode_coordinator, level=None, label=_("accept the coordinator role"),
           resource_type="CareTeam", code="not_the_coordinator",
           refusal=_("Only the proposed coordinator can accept the role."))
permission("careplans.agree_to_coordinator", speaks_for_person, level=None, label=_("agree to the coordinator"),
           resource_type="CareTeam", code="person_decides", refusal=PERSON_DECIDES)
permission("careplans.refuse_coordinator", speaks_for_person, level=None, label=_("refuse the proposed coordinator"),
           resource_type="CareTeam", code="person_decides", refusal=PERSON_DECIDES)
@rules.predicate
def runs_held_mdo_about_person(actor: Any, episode: Any) -> bool:
    """The convener of a held MDO about the episode's person: the meeting evaluates coordination at a transition
    point (001 l. 19485-19489) and its decision acts on the episode (issue 18, item 10)."""
    from careweave.consultations.models import Consultation

    person = person_of(episode)
    return _authenticated_actor(actor) and person is not None and Consultation.objects.filter(
        person=person, status=Consultation.Status.HELD, convened_by=actor).exists()


permission("careplans.end_coordination", is_episode_coordinator | speaks_for_person | runs_held_mdo_about_person,
           level=None, label=_("end coordination"), resource_type="CareTeam", code="end_coordination_by",
           refusal=_("Only the coordinator or the person can end coordination."))
permission("careplans.set_coordination_reimbursable",
           is_episode_coordinator | speaks_for_person | runs_held_mdo_about_person, level=None,
           label=_("say whether coordination goes on reimbursable or not"), resource_type="CareTeam")
permission("careplans.hand_back_coordination", is_episode_coordinator | speaks_for_person, level=None,
           label=_("hand back coordination"), resource_type="CareTeam", code="end_coordination_by",
           refusal=_("Only the coordinator or the person can end coordination."))

# Case management: the bell is rung by anyone with access; the zone's contact point decides (l. 19781-19785).
permission("careplans.ring_the_bell", has_file_access, label=_("ask for a case manager"),
           resource_type="ServiceRequest")
permission("careplans.appoint_case_manager", zone_contact_point, level=None, label=_("appoint a case manager"),
           resource_type="EpisodeOfCare", code="appointed_by_zone",
           refusal=_("A case manager is appointed by the zone's contact point, not by the care team."))
permission("careplans.decline_case_management", zone_contact_point, level=None,
           label=_("decline a request for case management"), resource_type="ServiceRequest",
           code="appointed_by_zone", refusal=_("Only the zone's contact point decides on case management."))
permission("careplans.end_case_management", is_episode_case_manager | zone_contact_point | speaks_for_person,
           level=None, label=_("end case management"), resource_type="EpisodeOfCare", code="end_case_management_by",
           refusal=_("Only the case manager, the zone or the person can end case management."))
permission("careplans.register_training", zone_contact_point, level=None,
           label=_("keep the zone's registry of trained coordinators and case managers"),
           resource_type="PractitionerRole", code="registry_by_zone",
           refusal=_("Only staff of the zone can update its registry."))

# =========================================================================== assessments


def _is_assessment_author(actor: Any, assessment: Any) -> bool:
    return _authenticated_actor(actor) and getattr(assessment, "author_id", None) == actor.pk


@rules.predicate
def is_assessment_author(actor: Any, assessment: Any) -> bool:
    """The one who filled the assessment in."""
    return _is_assessment_author(actor, assessment)


@rules.predicate
def not_private_or_author(actor: Any, assessment: Any) -> bool:
    """A private questionnaire (a carer's own, 001 l.4781-4785) is its author's until shared."""
    return not getattr(assessment, "author_only", False) or _is_assessment_author(actor, assessment)


ASSESSMENT = "QuestionnaireResponse"
PRIVATE_TO_AUTHOR = _("Only the one who filled this in can see it, until they share it with the team.")
permission("assessments.private_to_author", not_private_or_author, level=None,
           label=_("see a questionnaire kept private by its author"), resource_type=ASSESSMENT,
           code="private_to_author", refusal=PRIVATE_TO_AUTHOR)
permission("assessments.medical_instrument", has_file_access, level=Level.FULL,
           label=_("fill in or see a medical instrument"), resource_type=ASSESSMENT)
permission("assessments.open_assessment", not_private_or_author, label=_("see an assessment"),
           resource_type=ASSESSMENT, code="private_to_author", refusal=PRIVATE_TO_AUTHOR)
permission("assessments.start_assessment", has_file_access, label=_("start an assessment"), resource_type=ASSESSMENT)
permission("assessments.save_answers", has_file_access, label=_("save answers"), resource_type=ASSESSMENT)
permission("assessments.complete_assessment", has_file_access, label=_("complete an assessment"),
           resource_type=ASSESSMENT)
permission("assessments.amend_assessment", has_file_access, label=_("correct a completed assessment"),
           resource_type=ASSESSMENT)
permission("assessments.sync_response", has_file_access, label=_("send answers captured offline"),
           resource_type=ASSESSMENT)
permission("assessments.record_own_judgement", is_professional, label=_("record one's own judgement next to a score"),
           resource_type=ASSESSMENT, code="judgement_by_professional",
           refusal=_("Only a professional can record their own judgement next to a score."))
permission("assessments.share_with_team", is_assessment_author, label=_("share a private questionnaire with the team"),
           resource_type=ASSESSMENT, code="private_to_author", refusal=PRIVATE_TO_AUTHOR)
permission("assessments.mark_entered_in_error", is_assessment_author | speaks_for_person,
           label=_("withdraw an assessment entered in error"), resource_type=ASSESSMENT, code="withdraw_by_author",
           refusal=_("Only the one who filled this in, the person or their representative can withdraw it."))
permission("assessments.score_to_goal", not_private_or_author, label=_("turn a score into a goal"),
           resource_type=ASSESSMENT, code="private_to_author", refusal=PRIVATE_TO_AUTHOR)

# =========================================================================== programmes and pathways

# Who enrols (issue 17, defect 5): a professional of the team or the appointed case manager, with the
# person's agreement (recorded on the enrolment), or the person / their representative themselves.
# The case manager is "de referentiepersoon" and "alle beslissingen worden genomen in overleg met de
# rechthebbende" (001 l.19658-19664); an informal carer in the team does not enrol (he is not the
# person's representative).
decides_programmes = team_professional_or_case_manager | speaks_for_person


@rules.predicate
def keeps_pathway(actor: Any, target: Any) -> bool:
    """The pathway's owner account or the staff of the zone keeping it (001 l.19163); a pathway
    without zone: its owner or a platform administrator."""
    from careweave.programmes.models import PathwayVersion
    from careweave.territory.models import ZoneStaff

    pathway = target.pathway if isinstance(target, PathwayVersion) else target
    if pathway is None or not is_authenticated(actor):
        return False
    if pathway.owner_user_id is not None and pathway.owner_user_id == actor.pk:
        return True
    if pathway.zone_id is None:
        return bool(actor.is_staff)
    return ZoneStaff.objects.filter(user=actor, zone_id=pathway.zone_id, role__in=PATHWAY_REGISTRY_ROLES).exists()


PATHWAY_REGISTRY_ROLES = ("staff", "contact_point", "policy")
keeps_zone_inventory = zone_role(*PATHWAY_REGISTRY_ROLES)

permission("programmes.enrol_in_programme", decides_programmes, label=_("enrol the person in a programme"),
           resource_type="CarePlan")
permission("programmes.update_enrolment", decides_programmes,
           label=_("record the birth or change the reference person of a programme"), resource_type="CarePlan")
permission("programmes.leave_programme", decides_programmes, label=_("end the person's programme"),
           resource_type="CarePlan")
# Bringing the current phase's items into the plan: whoever works on the plan (on opening it).
permission("programmes.sync_enrolment", care_team, label=_("bring a programme's phase into the plan"),
           resource_type="CarePlan")
permission("programmes.request_pathway", keeps_zone_inventory, level=None,
           label=_("record a pathway request in the zone's inventory"), resource_type="PlanDefinition")
permission("programmes.move_pathway_step", keeps_pathway, level=None,
           label=_("move a pathway through the steps of its lifecycle"), resource_type="PlanDefinition")

# =========================================================================== consultations (MDO)

# Who convenes (decision 0016): a professional of the team, the appointed case manager, or the
# person/representative when they coordinate their own care (001 l.19370-19376, l.19600-19602).
may_convene = is_team_professional | is_case_manager | person_coordinates_own_care


@rules.predicate
def runs_mdo(actor: Any, target: Any) -> bool:
    """The MDO's convener; when the convener left the team, the person's coordinator or case manager
    (or the person coordinating their own care) takes over. A proposal nobody convened yet is
    anyone's who may convene (issue 17, defect 7)."""
    from careweave.consultations.models import Consultation

    if not may_convene.test(actor, target):
        return False
    if not isinstance(target, Consultation) or target.convened_by_id is None:
        return True
    if target.convened_by_id == actor.pk:
        return True
    if may_convene.test(target.convened_by, target):
        return False  # the convener is still there: the meeting is theirs
    return (is_coordinator | is_case_manager | person_coordinates_own_care).test(actor, target)


@rules.predicate
def attended_as_professional(actor: Any, target: Any) -> bool:
    """A professional who attended the MDO (minutes are often written by a participant)."""
    from careweave.consultations.models import Consultation

    return (isinstance(target, Consultation) and is_professional(actor)
            and target.participants.filter(attended=True, member__professional__user=actor).exists())


@rules.predicate
def is_invitee(actor: Any, target: Any) -> bool:
    """The invitee themselves; for the person: the person or their representative/proxy."""
    from careweave.consultations.models import Participant

    if not isinstance(target, Participant) or not is_authenticated(actor):
        return False
    if target.is_person:
        return speaks_for_person(actor, target.consultation.person)
    member = target.member
    return member.user is not None and member.user.pk == actor.pk


permission("consultations.propose_mdo", may_convene, label=_("propose an MDO"), resource_type="Appointment")
permission("consultations.schedule_mdo", runs_mdo, label=_("schedule or move an MDO"),
           resource_type="Appointment")
permission("consultations.invite_to_mdo", runs_mdo, label=_("invite to an MDO"), resource_type="Appointment")
permission("consultations.respond_to_invitation", is_invitee, label=_("answer an invitation to an MDO"),
           resource_type="Appointment")
permission("consultations.record_attendance", runs_mdo, label=_("record who attended an MDO"),
           resource_type="Appointment")
permission("consultations.write_minutes", runs_mdo | attended_as_professional, label=_("write the minutes of an MDO"),
           resource_type="Appointment")
permission("consultations.record_decision", runs_mdo, label=_("record a decision of an MDO"),
           resource_type="Appointment")
permission("consultations.conclude_mdo", runs_mdo, label=_("conclude an MDO"), resource_type="Appointment")
permission("consultations.cancel_mdo", runs_mdo, label=_("cancel an MDO"), resource_type="Appointment")
# A read, not on one file: the list of MDOs the professional is invited to (issue 18, item 30); the list shows
# only their own invitations, each read audited on the person's file.
permission("consultations.see_my_mdos", is_professional, level=None, label=_("see the MDOs one is invited to"),
           resource_type="Appointment")

# =========================================================================== financing

# Zone staff of the person's zone (staff or contact point; policy makers see aggregates only).
zone_office = zone_role("staff", "contact_point")


def provision_fits(ptype: Any, professional: Any, organisation: Any = None) -> bool:
    """The provider's discipline may provide this type (``ProvisionType.disciplines``, data); an
    organisation has no discipline. No type: the question is about the page, not one type."""
    if ptype is None:
        return True
    if professional is None:
        return organisation is not None
    return professional.discipline in (ptype.disciplines or [])


@rules.predicate
def registers_own_provision(actor: Any, target: Any) -> bool:
    """A professional in a care relationship with the person, registering themselves as provider of a
    type their discipline may provide; a medical type needs full access (issue 17, defect 6)."""
    ptype = getattr(target, "provision_type", None)
    named = getattr(target, "professional", None)
    if not is_professional(actor) or not team_professional_or_case_manager.test(actor, target):
        return False
    if named is not None and named.user_id != actor.pk:
        return False
    if ptype is not None and named is None:
        return False  # a professional registers with themselves as provider
    needed = Level.FULL if ptype is not None and ptype.medical else Level.PLAN
    return has_level(needed).test(actor, target) and provision_fits(ptype, actor.professional)


@rules.predicate
def zone_office_for_fitting_provider(actor: Any, target: Any) -> bool:
    """Zone staff of the person's zone, on behalf of a named provider whose discipline fits."""
    return zone_office.test(actor, target) and provision_fits(
        getattr(target, "provision_type", None), getattr(target, "professional", None),
        getattr(target, "organisation", None))


@rules.predicate
def provided_or_registered(actor: Any, target: Any) -> bool:
    """The provision's provider or the one who registered it."""
    if not is_authenticated(actor):
        return False
    professional = getattr(target, "professional", None)
    return (professional is not None and professional.user_id == actor.pk) or \
        getattr(target, "registered_by_id", None) == actor.pk


permission("financing.add_tariff", is_administrator, level=None, label=_("add a tariff"), resource_type="ChargeItem",
           refusal=_("Only an administrator can change tariffs."))
permission("financing.allocate_budget", zone_office, level=None, label=_("allocate care units"),
           resource_type="Account", refusal=_("Only the staff of the person's zone can allocate care units."))
permission("financing.transfer_units", zone_office, level=None, label=_("transfer care units"),
           resource_type="Account", refusal=_("Only the staff of the zone can transfer care units."))
permission("financing.register_provision", registers_own_provision | zone_office_for_fitting_provider, level=None,
           label=_("register a provision"), resource_type="Claim")
permission("financing.cancel_provision", zone_office | (provided_or_registered & has_level(Level.PLAN)), level=None,
           label=_("cancel a provision"), resource_type="Claim",
           refusal=_("Only the provider, the one who registered it or the staff of the person's zone can cancel a "
                     "provision."))
# Reads: the person's provisions and budget page; provisions of a medical type need full access.
permission("financing.see_provisions", has_level(Level.PLAN) | zone_office, level=None,
           label=_("see the person's provisions and budget"), resource_type="Claim")
permission("financing.see_medical_provisions", has_level(Level.FULL) | zone_office, level=None,
           label=_("see provisions of a medical type"), resource_type="Claim")
# The MDO fee has no row: the system registers it from a concluded MDO (financing.actions.register_mdo_fees,
# the receiver of consultations.signals.mdo_concluded); consultations.conclude_mdo decides who concludes.

# =========================================================================== territory (social map, referrals)


@rules.predicate
def keeps_service(actor: Any, target: Any) -> bool:
    """The provider keeps its entry: its managers, or the professional it describes."""
    if not is_authenticated(actor):
        return False
    if target.professional_id and target.professional.user_id == actor.pk:
        return True
    return target.managed_by.filter(pk=actor.pk).exists()


@rules.predicate
def receives_referral(actor: Any, target: Any) -> bool:
    """The provider who receives the referral: the service's managers or the professional it describes."""
    from careweave.territory.actions import receivers_of

    return is_authenticated(actor) and actor in receivers_of(target.service)


@rules.predicate
def made_referral(actor: Any, target: Any) -> bool:
    return is_authenticated(actor) and target.requested_by_id == actor.pk


permission("territory.register_service", is_professional | is_administrator, level=None,
           label=_("put an entry on the social map"), resource_type="HealthcareService",
           refusal=_("Only a care or welfare provider can put an entry on the social map."))
permission("territory.update_service", keeps_service, level=None, label=_("change an entry of the social map"),
           resource_type="HealthcareService", refusal=_("Only the provider who keeps this entry can change it."))
permission("territory.add_keeper", keeps_service, level=None, label=_("share the keeping of an entry"),
           resource_type="HealthcareService", refusal=_("Only the provider who keeps this entry can change it."))
permission("territory.refer_to_service", care_team, label=_("refer the person to a service"),
           resource_type="ServiceRequest")
permission("territory.accept_referral", receives_referral, level=None, label=_("accept a referral"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.refuse_referral", receives_referral, level=None, label=_("refuse a referral"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.complete_referral", receives_referral, level=None, label=_("mark a referral as done"),
           resource_type="ServiceRequest",
           refusal=_("Only the provider who receives this referral can answer it."))
permission("territory.see_referral", made_referral | receives_referral | has_level(Level.PLAN), level=None,
           label=_("see a referral"), resource_type="ServiceRequest")

# =========================================================================== maturity


def _maturity_zone(target: Any) -> Any:
    """The zone whose self-assessment a round, participant, workshop or vote belongs to."""
    from careweave.territory.models import Zone

    if isinstance(target, Zone):
        return target
    for path in ("zone", "round.zone", "workshop.round.zone"):
        value = target
        for attribute in path.split("."):
            value = getattr(value, attribute, None)
        if value is not None:
            return value
    return None


@rules.predicate
def runs_zone_self_assessment(actor: Any, target: Any) -> bool:
    """Zone staff (and the contact point) of the zone run its maturity self-assessment (decision 0019)."""
    zone = _maturity_zone(target)
    return zone is not None and zone_contact_point.test(actor, zone)


@rules.predicate
def is_the_participant(actor: Any, participant: Any) -> bool:
    return _authenticated_actor(actor) and participant.user_id == actor.pk


@rules.predicate
def is_round_participant(actor: Any, vote: Any) -> bool:
    """Everyone invited to the round votes in its workshop, submitted or not (C13-R11)."""
    from careweave.maturity.actions import voter

    return voter(actor, vote.workshop) is not None


ZONE_STAFF_ONLY = _("Only the zone's staff can do this.")
for _name, _label in (
    ("open_round", _("open a maturity round")),
    ("close_round", _("close a maturity round")),
    ("reopen_round", _("reopen a maturity round")),
    ("invite_participant", _("invite a participant")),
    ("reopen_scores", _("reopen a participant's scores")),
    ("send_reminders", _("send reminders")),
    ("plan_workshop", _("plan a consensus workshop")),
    ("record_consensus", _("record the consensus")),
    ("open_vote", _("open a vote")),
    ("close_vote", _("close a vote")),
):
    permission(f"maturity.{_name}", runs_zone_self_assessment, level=None, label=_label,
               resource_type="MaturityRound", code="zone_staff_only", refusal=ZONE_STAFF_ONLY)
permission("maturity.save_score", is_the_participant, level=None, label=_("score a dimension"),
           resource_type="MaturityScore", code="own_scores_only", refusal=_("You can only change your own scores."))
permission("maturity.submit_scores", is_the_participant, level=None, label=_("submit one's scores"),
           resource_type="MaturityScore", code="own_scores_only", refusal=_("You can only change your own scores."))
permission("maturity.cast_vote", is_round_participant, level=None, label=_("vote in a workshop"),
           resource_type="MaturityBallot", code="not_participant",
           refusal=_("Only the round's participants can vote."))

# =========================================================================== population


@rules.predicate
def in_zone_staff_group(actor: Any) -> bool:
    """Zone dashboards: superusers and members of the ``zone_staff`` group (population/views.py)."""
    from careweave.population.access import ZONE_STAFF_GROUP

    return _authenticated_actor(actor) and (
        actor.is_superuser or actor.groups.filter(name=ZONE_STAFF_GROUP).exists()
    )


@rules.predicate
def may_see_outreach_persons(actor: Any) -> bool:
    """A zone staff member granted ``population.view_outreach_list`` (to them or a group of theirs).

    Not ``user.has_perm``: that says yes to every superuser, and an administrator reads no personal
    file (decision 0011; issue 17.13).
    """
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from careweave.population.access import OUTREACH_PERMISSION, ZONE_STAFF_GROUP

    if not _authenticated_actor(actor) or not actor.groups.filter(name=ZONE_STAFF_GROUP).exists():
        return False
    app_label, codename = OUTREACH_PERMISSION.split(".")
    return Permission.objects.filter(
        Q(user=actor) | Q(group__user=actor), content_type__app_label=app_label, codename=codename
    ).exists()


# Reads of a zone (aggregated, or pseudonymised and audited): the views ask through population.access.
permission("population.view_zone_dashboard", in_zone_staff_group, level=None, label=_("see a zone's dashboard"),
           resource_type="PopulationDashboard", refusal=_("Zone dashboards are for zone staff."))
permission("population.view_outreach_list", in_zone_staff_group & may_see_outreach_persons, level=None,
           label=_("see the person-level outreach list"), resource_type="PopulationOutreachList",
           refusal=_("The person-level outreach list needs a specific permission."))

# =========================================================================== FHIR subscriptions (issue 21)
# Another system subscribes for its user: to one person's file when that user may read the plan, or to every
# file the user may read (each event is checked for the owner at the change and again at delivery).


@rules.predicate
def owns_subscription(actor: Any, target: Any) -> bool:
    """The user whose API token created the subscription."""
    return bool(getattr(actor, "is_authenticated", False)) and getattr(target, "owner_id", None) == actor.pk


permission("fhir.subscribe", is_active_account, level=Level.PLAN, label=_("subscribe another system to changes"),
           resource_type="Subscription",
           refusal=_("Only an active user can subscribe, and only to files they may read."))
permission("fhir.manage_subscription", owns_subscription, level=None, label=_("see or stop a subscription"),
           resource_type="Subscription", code="subscription_owner",
           refusal=_("You can only manage your own subscriptions."))
# =========================================================================== fhir bulk export (issue 20)

# FHIR Bulk Data $export (decision 0026). Identified exports: an active professional, of the persons whose file
# they may read (each person decided as for a search: the export holds what a search would show). Pseudonymised
# exports for secondary use: the staff of the zone, of their own zone's persons only, never identities.


@rules.predicate
def is_export_requester(actor: Any, target: Any) -> bool:
    """The one who asked for the export: only they poll it, download its files or cancel it."""
    return _authenticated_actor(actor) and getattr(target, "requester_id", None) == actor.pk


permission("fhir.bulk_export", is_professional, level=None, label=_("export the files one may read (FHIR bulk export)"),
           resource_type="Group",
           refusal=_("Only professionals can export identified files; zone staff can ask for a pseudonymised export "
                     "of their zone (_pseudonymize=true)."))
permission("fhir.bulk_export_pseudonymised", zone_role("staff", "contact_point"), level=None,
           label=_("export the zone's persons under pseudonyms (FHIR bulk export)"), resource_type="Group",
           code="zone_staff_only",
           refusal=_("Only the staff of the zone can export its persons, and only under pseudonyms."))
permission("fhir.see_bulk_export", is_export_requester, level=None, label=_("follow and download one's bulk export"),
           resource_type="Binary", code="own_exports_only", refusal=_("This export was asked for by someone else."))
permission("fhir.cancel_bulk_export", is_export_requester, level=None, label=_("cancel one's bulk export"),
           resource_type="Binary", code="own_exports_only", refusal=_("This export was asked for by someone else."))
permission("fhir.read_group", is_professional | is_any_zone_staff, level=None,
           label=_("read a zone's or programme's Group"), resource_type="Group",
           refusal=_("Groups are for professionals and zone staff."))
# =========================================================================== notifications (issue 21, decision 0030)


@rules.predicate
def is_notification_recipient(actor: Any, notification: Any) -> bool:
    """The reader the notification was fanned out to."""
    return _authenticated_actor(actor) and getattr(notification, "recipient_id", None) == actor.pk


@rules.predicate
def is_own_account(actor: Any, account: Any) -> bool:
    """The user themselves (their inbox, their e-mail choices, their devices)."""
    owner = getattr(account, "user_id", None) if not hasattr(account, "is_authenticated") else account.pk
    return _authenticated_actor(actor) and owner is not None and owner == actor.pk


def notification_level(notification: Any) -> int | None:
    """Reading a notification needs what reading its place needs: the plan, the full file for medical
    items; a referral received is the receiving service's before it has any access to the file."""
    from careweave.notifications.kinds import NO_FILE_ACCESS

    event = getattr(notification, "event", None)
    if event is None or event.person_id is None or event.kind in NO_FILE_ACCESS:
        return None
    return Level.FULL if event.medical else Level.PLAN


OWN_INBOX = _("This is someone else's inbox.")
permission("notifications.open_notification", is_notification_recipient, level=notification_level,
           label=_("see or open a notification"), resource_type="Communication", code="not_recipient",
           refusal=OWN_INBOX)
permission("notifications.mark_read", is_notification_recipient, level=None, label=_("mark a notification read"),
           resource_type="Communication", code="not_recipient", refusal=OWN_INBOX)
permission("notifications.mark_all_read", is_own_account, level=None, label=_("mark all notifications read"),
           resource_type="Communication", code="not_recipient", refusal=OWN_INBOX)
OWN_SETTINGS = _("You can only change your own notification settings.")
permission("notifications.set_email_choices", is_own_account, level=None,
           label=_("choose which notifications come by e-mail"), resource_type="Account", code="own_settings",
           refusal=OWN_SETTINGS)
permission("notifications.subscribe_push", is_own_account, level=None, label=_("receive notifications on a phone"),
           resource_type="Account", code="own_settings", refusal=OWN_SETTINGS)
permission("notifications.unsubscribe_push", is_own_account, level=None, label=_("stop notifications on a device"),
           resource_type="Account", code="own_settings", refusal=OWN_SETTINGS)
permission("notifications.retry_delivery", is_administrator, level=None, label=_("send a failed notification again"),
           resource_type="Communication", code="administrator_only",
           refusal=_("Only an administrator sees and resends failed deliveries."))
# The administrator's list of failed deliveries (recipients and kinds, never the content: there is none).
permission("notifications.see_deliveries", is_administrator, level=None, label=_("see failed notification deliveries"),
           resource_type="Communication", code="administrator_only",
           refusal=_("Only an administrator sees and resends failed deliveries."))

# =========================================================================== outreach, macro and PDCA (issue #20)


@rules.predicate
def is_general_practitioner(actor: Any) -> bool:
    """An active professional whose discipline is general practice (the micro dashboard's reader)."""
    professional = getattr(actor, "professional", None) if _authenticated_actor(actor) else None
    return professional is not None and professional.active and professional.discipline == "gp"


@rules.predicate
def is_macro_user(actor: Any) -> bool:
    """A policy maker at the administration (group ``population.access.MACRO_GROUP``): aggregates of all zones."""
    from careweave.population.access import MACRO_GROUP

    return _authenticated_actor(actor) and actor.groups.filter(name=MACRO_GROUP).exists()


# The persons behind a pseudonymous list: sent by the zone's office to the GPs, who each see their own
# patients (care-team member) named; the follow-up is theirs, zone staff see counts only.
permission("population.send_outreach_list", in_zone_staff_group & may_see_outreach_persons & zone_office,
           level=None, label=_("send an outreach list to the GPs"), resource_type="PopulationOutreachList",
           code="zone_staff_only", refusal=_("Only the zone's staff with the outreach permission can send a list."))
permission("population.view_my_patients", is_general_practitioner, level=None,
           label=_("see the micro dashboard of one's own patients"), resource_type="Patient", code="gp_only",
           refusal=_("The dashboard of one's own patients is for general practitioners."))
permission("population.follow_up_outreach", is_team_professional & is_general_practitioner,
           label=_("record the follow-up of an outreach list item"), resource_type="PopulationOutreachList",
           code="own_patients_only", refusal=_("Only a GP in the person's care team records this follow-up."))
permission("population.view_outreach_followup", in_zone_staff_group, level=None,
           label=_("see how many of a sent list were followed up"), resource_type="PopulationOutreachList",
           refusal=_("Zone dashboards are for zone staff."))
permission("population.view_macro", is_macro_user | is_administrator, level=None,
           label=_("compare the indicators of all zones"), resource_type="PopulationDashboard", code="macro_only",
           refusal=_("The comparison of zones is for policy makers."))
# PDCA: the zone's office plans and reviews; policy makers read along (learning, not sanctioning).
permission("population.view_pdca", in_zone_staff_group | is_macro_user, level=None,
           label=_("see a zone's targets, actions and reviews"), resource_type="PopulationDashboard",
           refusal=_("Targets and improvement actions are for zone staff and policy makers."))
for _name, _label in (
    ("set_target", _("set a zone's target for an indicator")),
    ("plan_action", _("plan an improvement action")),
    ("update_action", _("change an improvement action")),
    ("plan_review", _("plan a review moment")),
    ("record_review", _("record what a review taught")),
):
    permission(f"population.{_name}", zone_office, level=None, label=_label, resource_type="PopulationDashboard",
               code="zone_staff_only", refusal=_("Only the zone's staff can change its targets and actions."))

# =========================================================================== population pipeline (issue 20, loop)
# The zone's own work feeds its dashboard: the zone's staff start the pipeline (a pseudonymised export of the
# zone, the shipped views, the process indicators); the nightly run acts as the staff member who last asked.
permission("fhir.start_population_feed", zone_role("staff", "contact_point"), level=None,
           label=_("compute the zone's indicators from its own care work"), resource_type="Group",
           code="zone_staff_only",
           refusal=_("Only the staff of the zone can compute its indicators from its care work."))

# =========================================================================== records (received data)

# =========================================================================== documents (issue 21, decision 0031)
# Files on the plan and on journal entries follow the journal's rules: whoever works on the plan shares and
# lists them; a document labelled medical needs the full file to open, replace or relabel (``by_label``,
# decision 0004), and attaching one asks ``careplans.write_medical_detail`` besides. Every download is audited.


@rules.predicate
def shared_the_document(actor: Any, document: Any) -> bool:
    """The one who attached the document."""
    return _authenticated_actor(actor) and getattr(document, "created_by_id", None) == actor.pk


permission("documents.list_documents", has_file_access, label=_("see the list of documents"),
           resource_type="DocumentReference")
permission("documents.attach_document", has_file_access, label=_("share a document"),
           resource_type="DocumentReference")
permission("documents.replace_document", has_file_access, level=by_label, label=_("add a new version of a document"),
           resource_type="DocumentReference")
permission("documents.download_document", has_file_access, level=by_label, label=_("open a document"),
           resource_type="DocumentReference")
permission("documents.relabel_document", has_file_access, level=Level.FULL,
           label=_("mark a document medical or not"), resource_type="DocumentReference")
permission("documents.mark_document_in_error", has_file_access & (shared_the_document | speaks_for_person
                                                                  | coordinates_the_team),
           level=by_label, label=_("withdraw a document shared by mistake"), resource_type="DocumentReference",
           code="document_not_yours",
           refusal=_("Only whoever shared this document, the person or the coordinator can withdraw it."))
# =========================================================================== scheduling (calendar, issue 21)
# Appointments with the person, each user's calendar and iCalendar feed (decision 0032). An MDO keeps its
# own rows above; the calendar shows it, and anything else, only when ``scheduling.see_in_calendar`` says so.


@rules.predicate
def organises_appointment(actor: Any, appointment: Any) -> bool:
    """Who booked the appointment, or a professional of the team taking part in it."""
    if not _authenticated_actor(actor):
        return False
    if getattr(appointment, "created_by_id", None) == actor.pk:
        return True
    members = getattr(appointment, "members", None)
    return members is not None and members.filter(professional__user=actor).exists()


books_appointments = team_professional_or_case_manager | speaks_for_person
runs_appointment = (organises_appointment & books_appointments) | speaks_for_person | is_coordinator
NOT_YOUR_APPOINTMENT = _("Only who booked the appointment, a professional taking part, the person or the "
                         "coordinator can change it.")

permission("scheduling.create_appointment", books_appointments, label=_("book an appointment with the person"),
           resource_type="Appointment", code="appointment_booker",
           refusal=_("Only a professional of the team, the case manager or the person can book an appointment."))
permission("scheduling.reschedule_appointment", runs_appointment, level=by_label, label=_("move an appointment"),
           resource_type="Appointment", code="appointment_not_yours", refusal=NOT_YOUR_APPOINTMENT)
permission("scheduling.cancel_appointment", runs_appointment, level=by_label, label=_("cancel an appointment"),
           resource_type="Appointment", code="appointment_not_yours", refusal=NOT_YOUR_APPOINTMENT)
permission("scheduling.complete_appointment", runs_appointment, level=by_label,
           label=_("mark an appointment done"), resource_type="Appointment", code="appointment_not_yours",
           refusal=NOT_YOUR_APPOINTMENT)
# A read: an appointment, an MDO, a task's due date or a plan review in someone's calendar or feed, asked at
# read time for each item (a medical task or appointment needs the full file).
permission("scheduling.see_in_calendar", care_team, level=by_label, label=_("see an item in one's calendar"),
           resource_type="Appointment")
# One's own calendar feed: a secret URL anyone with an account may make, renew or stop (no file involved).
permission("scheduling.manage_feed", is_authenticated, level=None, label=_("make, renew or stop one's calendar feed"),
           resource_type="Calendar")

# =========================================================================== sof (issue 20: SQL on FHIR views)
# A ViewDefinition is no personal data; running one over Careweave's records reads them through the FHIR
# search, so each record still needs the reader's access to that person's file (and is audited there).
permission("sof.read_viewdefinition", is_authenticated, level=None, label=_("read a ViewDefinition"),
           resource_type="ViewDefinition")
permission("sof.run_view", is_authenticated, level=None, label=_("run a ViewDefinition ($viewdefinition-run)"),
           resource_type="ViewDefinition")

__all__ = [
    "TABLE",
    "Permission",
    "allowed",
    "as_markdown",
    "authorize",
    "care_team",
    "check",
    "has_break_glass",
    "is_administrator",
    "is_any_zone_staff",
    "is_coordinator",
    "is_person_themselves",
    "is_professional",
    "is_welfare_professional",
    "is_zone_staff",
    "may",
    "permission",
    "person_coordinates_own_care",
    "person_of",
    "professional_in_care",
    "team_professional_or_case_manager",
    "zone_role",
]
