"""CareTeam, CarePlan, Goal, Task and Communication (the journal), written through the plan actions.

A Goal names its plan in a Careweave extension and a Task in ``basedOn``: the plan itself does not
list them, because adding a goal is not a new version of the plan (``versionId`` stays honest).
Medical detail is labelled ``R`` (restricted) in ``meta.security``; without a label it is not medical.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from careweave.careplans.actions import (
    add_goal,
    add_team_member,
    assign_task,
    create_care_team,
    remove_team_member,
    rename_care_team,
    start_care_plan,
    update_care_plan,
    update_goal,
    update_task,
    write_in_journal,
)
from careweave.careplans.models import CarePlan, CareTeam, Goal, JournalEntry, Task, TeamMember
from careweave.fhir.errors import Conflict, MethodNotAllowed, Unprocessable
from careweave.fhir.limits import MAX_TEXT, limited
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    changed_fields,
    code_in,
    date_filter,
    ensure_access,
    extension_value,
    external_identifier,
    fhir_date,
    instant,
    is_medical,
    parse_date,
    ref,
    reference_filter,
    require_subject,
    same_person,
    text_of,
    token_filter,
    user_reference,
)
from careweave.fhir.mapping.codes import (
    GOAL_STATUS,
    PLAN_INTENT,
    PLAN_STATUS,
    TASK_INTENT,
    TASK_STATUS,
    codes_differ,
)
from careweave.fhir.mapping.people import DISCIPLINE_HCPARTY
from careweave.fhir.profiles import (
    CANDIDATE_LIST,
    CW_DISCIPLINE,
    CW_GOAL_KIND,
    CW_JOURNAL,
    CW_LIFE_DOMAIN,
    CW_RELATIONSHIP,
    EXT_CARE_PLAN,
    EXT_LIFE_GOAL,
    EXT_MEMBER_STATUS,
    EXT_NEXT_REVIEW,
    EXT_REFERENCE_PERSON,
    GOAL_ACHIEVEMENT,
    HCPARTY,
)
from careweave.fhir.sources import MARK, OMIT
from careweave.people.models import Person, Professional, RelatedPerson
from careweave.versioning import ChangedMeanwhile

PLAN_STATUS_IN = PLAN_STATUS.codes
GOAL_STATUS_IN = GOAL_STATUS.codes
TASK_STATUS_IN = TASK_STATUS.codes
PLAN_OPEN = [CarePlan.Status.DRAFT, CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD]


def shared_plan(person: Person) -> CarePlan | None:
    """The person's own shared plan (not one imported from another system)."""
    return (CarePlan.objects.filter(person=person, external_id="", status__in=PLAN_OPEN)
            .order_by("-created_at").first())


def plan_for(ctx: Context, resource: dict, person: Person, reference: dict | None) -> CarePlan:
    """The plan a goal, task or message belongs to: named, implied by the bundle, or the shared plan."""
    plan = ctx.resolve(reference, "CarePlan", what=_("the care plan")) if reference else None
    listed = ctx.bundle_key(ctx.full_url, ctx.goal_plans) if ctx.full_url else None
    if plan is None and listed is not None:
        plan = ctx.resolve({"reference": ctx.goal_plans[listed]}, "CarePlan")
    if plan is None:
        plan = shared_plan(person)
    if plan is None:
        raise Unprocessable(_("This person has no care plan yet: start one (CarePlan) first."), rule="no_plan")
    if plan.person_id != person.pk:
        raise Unprocessable(_("This care plan belongs to another person."), rule="plan_person")
    return plan


def recoded(mapping: Mapping, obj: Any, resource: dict) -> bool:
    """The update sends another valid code that the record keeps as the same value (``on-hold`` for a
    task in progress): a new version, so that the code served and its versionId change together."""
    from careweave.fhir import sources

    copy = sources.received(mapping.resource_type, [mapping.resource_id(obj)]).get(mapping.resource_id(obj))
    return codes_differ(mapping.code_tables, obj, resource, copy)


def _label_or(resource: dict, default: bool) -> bool:
    label = is_medical(resource)
    return default if label is None else label


# --------------------------------------------------------------------------- CareTeam


def _member_coding(member: TeamMember) -> list[dict[str, Any]]:
    if member.professional_id:
        discipline = member.professional.discipline
        coding = [{"system": CW_DISCIPLINE, "code": discipline}]
        if discipline in DISCIPLINE_HCPARTY:
            coding.insert(0, {"system": HCPARTY, "code": DISCIPLINE_HCPARTY[discipline]})
        return coding
    return [{"system": CW_RELATIONSHIP, "code": member.related_person.relationship}]


class CareTeamMapping(Mapping):
    resource_type = "CareTeam"
    model = CareTeam
    person_path = "person"
    select = ("person",)
    search_docs = {"patient": "reference", "subject": "reference", "status": "token", "identifier": "token",
                   "participant": "reference"}
    search_params = {"status": token_filter("status")}

    def queryset(self):  # noqa: ANN201
        members = TeamMember.objects.exclude(status=TeamMember.Status.DECLINED).select_related(
            "professional", "related_person").order_by("start", "pk")
        return super().queryset().prefetch_related(Prefetch("members", queryset=members, to_attr="shown_members"))

    def _members(self, team: CareTeam) -> list[TeamMember]:
        shown = getattr(team, "shown_members", None)
        if shown is None:
            shown = list(team.members.exclude(status=TeamMember.Status.DECLINED)
                         .select_related("professional", "related_person").order_by("start", "pk"))
        return shown

    def to_fhir(self, team: CareTeam) -> dict[str, Any]:
        participants = []
        for member in self._members(team):
            entry: dict[str, Any] = {
                "role": [{"coding": _member_coding(member), "text": member.role or str(member.display_role)}],
                "member": (ref("Practitioner", member.professional) if member.professional_id
                           else ref("RelatedPerson", member.related_person)),
                "period": {"start": instant(member.start)},
            }
            if member.end and member.status == TeamMember.Status.ENDED:
                entry["period"]["end"] = instant(member.end)
            extensions = []
            if member.status == TeamMember.Status.PROPOSED:
                extensions.append({"url": EXT_MEMBER_STATUS, "valueCode": "proposed"})
            if member.is_reference_person:
                extensions.append({"url": EXT_REFERENCE_PERSON, "valueBoolean": True})
            if extensions:
                entry["extension"] = extensions
            participants.append(entry)
        resource: dict[str, Any] = {
            "resourceType": "CareTeam",
            "id": str(team.fhir_id),
            "meta": self.meta(team),
            "identifier": self.identifiers(team),
            "status": team.status,
            "name": str(team),
            "subject": ref("Patient", team.person),
            "period": {"start": instant(team.created_at)},
        }
        if participants:
            resource["participant"] = participants
        return resource

    def _wanted(self, ctx: Context, resource: dict) -> dict[tuple[str, int], dict[str, Any]]:
        """The current participants the resource asks for, keyed by (kind, pk)."""
        wanted: dict[tuple[str, int], dict[str, Any]] = {}
        for participant in resource.get("participant") or []:
            if (participant.get("period") or {}).get("end"):
                continue  # an ended membership: history, not a wish
            member = ctx.resolve(participant.get("member"), "Practitioner", "RelatedPerson", "Patient",
                                 "Organization", "CareTeam", "PractitionerRole", what=_("the team member"))
            if member is None or isinstance(member, Person):
                continue  # the person is at the centre of their own team
            if isinstance(member, Professional):
                key = ("professional", member.pk)
            elif isinstance(member, RelatedPerson):
                key = ("related_person", member.pk)
            else:
                ctx.warnings.append(_("Only professionals and people from the informal network can be team "
                                      "members; %(ref)s was left out.") % {"ref": participant["member"].get(
                                          "reference", "")})
                continue
            roles = participant.get("role") or []
            reference_person = extension_value(participant, EXT_REFERENCE_PERSON, "valueBoolean") is True
            wanted[key] = {key[0]: member, "role": limited(text_of(roles[0]) if roles else "", 100, "participant.role"),
                           "is_reference_person": reference_person}
        return wanted

    def create(self, ctx: Context, resource: dict) -> CareTeam:
        person = require_subject(ctx, resource)
        external = external_identifier(resource, ctx.full_url)
        team = create_care_team(ctx.actor, person, name=limited(resource.get("name") or "", 200, "name"),
                                status=resource.get("status") or CareTeam.Status.ACTIVE, external_id=external)
        for values in self._wanted(ctx, resource).values():
            add_team_member(ctx.actor, team, **values)
        team.refresh_from_db()
        return team

    def update(self, ctx: Context, team: CareTeam, resource: dict, expected: int) -> bool:
        same_person(team.person, ctx, resource)
        locked = CareTeam.objects.select_for_update().get(pk=team.pk)
        if locked.version != expected:
            raise ChangedMeanwhile(locked, expected)
        changed = False
        status = resource.get("status") or team.status
        if status != team.status:
            raise Unprocessable(_("A care team cannot be closed here; end its members' memberships instead."),
                                expression=["status"])
        name = limited(resource.get("name") or "", 200, "name")
        if name and name != str(team) and name != team.name:
            rename_care_team(ctx.actor, team, name, expected)
            changed = True
        wanted = self._wanted(ctx, resource)
        current = {("professional" if m.professional_id else "related_person",
                    m.professional_id or m.related_person_id): m
                   for m in team.members.filter(status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED])}
        for key, member in current.items():
            if key not in wanted:
                remove_team_member(ctx.actor, member)
                changed = True
        for key, values in wanted.items():
            if key not in current:
                add_team_member(ctx.actor, team, **values)
                changed = True
        if changed:
            team.refresh_from_db()
        return changed

    def existing_for(self, resource: dict):  # noqa: ANN201
        return super().existing_for(resource)


def _participant_filter(qs, value: str, modifier: str):  # noqa: ANN001, ANN202
    from careweave.fhir.mapping.base import as_uuid, reference_id

    ids = [as_uuid(reference_id(v)) for v in value.split(",")]
    ids = [i for i in ids if i]
    active = [TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED]
    return qs.filter(
        Q(members__professional__fhir_id__in=ids, members__status__in=active)
        | Q(members__related_person__fhir_id__in=ids, members__status__in=active)
    ).distinct()


CareTeamMapping.search_params = {**CareTeamMapping.search_params, "participant": _participant_filter}


# --------------------------------------------------------------------------- CarePlan


class CarePlanMapping(Mapping):
    resource_type = "CarePlan"
    model = CarePlan
    source_first = ("period",)  # an imported plan started when its source says, not when we imported it
    # the day and the professional that recorded it here are not the source's start and author; ``created``
    # is when the record was made in a system (Careweave's own, marked)
    recorded_here: ClassVar[dict[str, str]] = {"period": OMIT, "author": OMIT, "created": MARK}
    code_tables = (PLAN_STATUS, PLAN_INTENT)
    person_path = "person"
    select = ("person", "team", "author__professional", "author__person")
    search_docs = {"patient": "reference", "subject": "reference", "status": "token", "identifier": "token",
                   "care-team": "reference", "date": "date"}
    search_params = {
        "status": token_filter("status"),
        "care-team": reference_filter("team"),
        "date": lambda qs, v, m: date_filter(qs, "created_at", v),
    }

    def to_fhir(self, plan: CarePlan) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "CarePlan",
            "id": str(plan.fhir_id),
            "meta": self.meta(plan),
            "identifier": self.identifiers(plan),
            "status": plan.status,
            "intent": "plan",
            "title": plan.title,
            "subject": ref("Patient", plan.person),
            "period": {"start": instant(plan.created_at)},
            "created": instant(plan.created_at),
        }
        if plan.review_date:
            resource["extension"] = [{"url": EXT_NEXT_REVIEW, "valueDate": fhir_date(plan.review_date)}]
        if plan.description:
            resource["description"] = plan.description
        author = user_reference(plan.author)
        if author:
            resource["author"] = author
        if plan.team_id:
            resource["careTeam"] = [ref("CareTeam", plan.team, display=plan.team.name)]
        return resource

    def values(self, resource: dict) -> dict[str, Any]:
        PLAN_INTENT.incoming(resource)  # refused when invalid; a valid code is served as received (codes.py)
        title = (resource.get("title") or "").strip()
        categories = resource.get("category") or []
        if not title and categories:
            title = text_of(categories[0])
        description = (resource.get("description") or "").strip()
        if not description:
            activities = [text_of((a.get("detail") or {}).get("code")) for a in resource.get("activity") or []]
            activities = [a for a in dict.fromkeys(activities) if a]
            if activities:
                description = "; ".join(activities)
        if not title:
            title = description[:200] or _("Care plan")
        return {
            "title": limited(title, 200, "title"),
            "description": limited(description, MAX_TEXT, "description"),
            "status": PLAN_STATUS.incoming(resource),
            "review_date": parse_date(extension_value(resource, EXT_NEXT_REVIEW, "valueDate")),
        }

    def create(self, ctx: Context, resource: dict) -> CarePlan:
        person = require_subject(ctx, resource)
        values = self.values(resource)
        external = external_identifier(resource, ctx.full_url)
        if external and not ctx.in_transaction and CarePlan.objects.filter(external_id=external).exists():
            raise Conflict(_("A care plan with this identifier exists already."), rule="duplicate_identifier")
        plan = start_care_plan(ctx.actor, person, values["title"], description=values["description"],
                               review_date=values["review_date"])
        self.set_external_id(plan, external)
        if values["status"] != plan.status:
            update_care_plan(ctx.actor, plan, plan.version, status=values["status"])
        return plan

    def update(self, ctx: Context, plan: CarePlan, resource: dict, expected: int) -> bool:
        same_person(plan.person, ctx, resource)
        changes = changed_fields(plan, self.values(resource))
        if not changes and not recoded(self, plan, resource):
            return False
        update_care_plan(ctx.actor, plan, expected, **changes)
        return True


# --------------------------------------------------------------------------- Goal


class GoalMapping(Mapping):
    resource_type = "Goal"
    model = Goal
    source_first = ("startDate",)
    recorded_here: ClassVar[dict[str, str]] = {"startDate": OMIT, "expressedBy": OMIT}
    code_tables = (GOAL_STATUS,)
    person_path = "plan__person"
    has_medical_flag = True
    select = ("plan__person", "life_goal", "author__professional", "author__person")
    search_docs = {"patient": "reference", "subject": "reference", "lifecycle-status": "token",
                   "identifier": "token", "target-date": "date", "category": "token", "care-plan": "reference"}
    search_params = {
        "care-plan": reference_filter("plan"),
        "lifecycle-status": token_filter("status", GOAL_STATUS_IN),
        "target-date": lambda qs, v, m: date_filter(qs, "target_date", v, is_datetime=False),
        "category": lambda qs, v, m: qs.filter(Q(kind__in=v.split(",")) | Q(domain__in=v.split(","))),
    }

    def to_fhir(self, goal: Goal) -> dict[str, Any]:
        extensions = [{"url": EXT_CARE_PLAN, "valueReference": ref("CarePlan", goal.plan)}]
        if goal.life_goal_id:
            extensions.append({"url": EXT_LIFE_GOAL, "valueString": goal.life_goal.text})
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "id": str(goal.fhir_id),
            "meta": self.meta(goal),
            "extension": extensions,
            "identifier": self.identifiers(goal),
            "lifecycleStatus": goal.status,
            "category": [
                {"coding": [{"system": CW_GOAL_KIND, "code": goal.kind, "display": str(goal.get_kind_display())}]},
                {"coding": [{"system": CW_LIFE_DOMAIN, "code": goal.domain,
                             "display": str(goal.get_domain_display())}]},
            ],
            "description": {"text": goal.description},
            "subject": ref("Patient", goal.plan.person),
            "startDate": fhir_date(goal.created_at.date()),
        }
        if goal.status == Goal.Status.ACHIEVED:
            resource["achievementStatus"] = {"coding": [{"system": GOAL_ACHIEVEMENT, "code": "achieved"}]}
        if goal.target_date:
            resource["target"] = [{"dueDate": fhir_date(goal.target_date)}]
        expressed = user_reference(goal.author)
        if expressed and "reference" in expressed:
            resource["expressedBy"] = expressed
        return resource

    def values(self, ctx: Context, resource: dict, default_medical: bool) -> dict[str, Any]:
        description = text_of(resource.get("description")).strip()
        kind = code_in(resource.get("category"), CW_GOAL_KIND)
        domain = code_in(resource.get("category"), CW_LIFE_DOMAIN)
        targets = resource.get("target") or []
        return {
            "description": limited(description, MAX_TEXT, "description.text"),
            "kind": kind if kind in Goal.Kind.values else Goal.Kind.CARE,
            "domain": domain if domain in Goal.Domain.values else Goal.Domain.HEALTH,
            "status": GOAL_STATUS.incoming(resource),
            "target_date": parse_date(next((t.get("dueDate") for t in targets if t.get("dueDate")), None)),
            "is_medical": _label_or(resource, default_medical),
        }

    def create(self, ctx: Context, resource: dict) -> Goal:
        person = require_subject(ctx, resource)
        ensure_access(ctx, person, self.resource_type)
        plan = plan_for(ctx, resource, person, extension_value(resource, EXT_CARE_PLAN, "valueReference"))
        medical = bool(ctx.full_url) and ctx.bundle_key(ctx.full_url, dict.fromkeys(ctx.medical_goals)) is not None
        values = self.values(ctx, resource, medical)
        external = external_identifier(resource, ctx.full_url)
        if external and not ctx.in_transaction and Goal.objects.filter(external_id=external).exists():
            raise Conflict(_("A goal with this identifier exists already."), rule="duplicate_identifier")
        goal = add_goal(ctx.actor, plan, values.pop("description"), **values)
        self.set_external_id(goal, external)
        return goal

    def update(self, ctx: Context, goal: Goal, resource: dict, expected: int) -> bool:
        same_person(goal.plan.person, ctx, resource)
        changes = changed_fields(goal, self.values(ctx, resource, goal.is_medical))
        if not changes and not recoded(self, goal, resource):
            return False
        update_goal(ctx.actor, goal, expected, **changes)
        return True


# --------------------------------------------------------------------------- Task


class TaskMapping(Mapping):
    resource_type = "Task"
    model = Task
    person_path = "plan__person"
    has_medical_flag = True
    code_tables = (TASK_STATUS, TASK_INTENT)
    select = ("plan__person", "goal", "assignee__professional", "assignee__related_person",
              "author__professional", "author__person", "mdo_decision__consultation")
    search_docs = {"patient": "reference", "subject": "reference", "status": "token", "identifier": "token",
                   "owner": "reference", "based-on": "reference", "focus": "reference", "authored-on": "date"}
    search_params = {
        "status": token_filter("status", TASK_STATUS_IN),
        "based-on": reference_filter("plan"),
        "focus": reference_filter("goal"),
        "authored-on": lambda qs, v, m: date_filter(qs, "created_at", v),
    }

    def _owner(self, task: Task) -> dict | None:
        if task.assigned_to_person:
            return ref("Patient", task.plan.person)
        if task.assignee_id:
            member = task.assignee
            if member.professional_id:
                return ref("Practitioner", member.professional)
            return ref("RelatedPerson", member.related_person)
        return None

    def to_fhir(self, task: Task) -> dict[str, Any]:
        owner = self._owner(task)
        candidate = owner or ref("Patient", task.plan.person)
        resource: dict[str, Any] = {
            "resourceType": "Task",
            "id": str(task.fhir_id),
            "meta": self.meta(task),
            "extension": [{"url": CANDIDATE_LIST, "valueReference": candidate}],
            "identifier": self.identifiers(task),
            "basedOn": [ref("CarePlan", task.plan)],
            "status": task.status,
            "intent": "plan",
            "description": task.description,
            "for": ref("Patient", task.plan.person),
            "authoredOn": instant(task.created_at),
            "lastModified": instant(task.updated_at),
        }
        if task.goal_id:
            resource["focus"] = ref("Goal", task.goal)
        requester = user_reference(task.author)
        if requester and "reference" in requester:
            resource["requester"] = requester
        if owner:
            resource["owner"] = owner
        if task.due_date:
            resource["restriction"] = {"period": {"end": fhir_date(task.due_date)}}
        if task.completed_at:
            resource["executionPeriod"] = {"end": instant(task.completed_at)}
        decision = getattr(task, "mdo_decision", None)  # issue #9: decided in an MDO (consultations)
        if decision is not None:
            resource["reasonReference"] = ref("Appointment", decision.consultation, display="")
        return resource

    def _assignee(self, ctx: Context, resource: dict, plan: CarePlan) -> tuple[TeamMember | None, bool]:
        owner = ctx.resolve(resource.get("owner"), "Practitioner", "RelatedPerson", "Patient", what=_("the owner"))
        if owner is None:
            return None, False
        if isinstance(owner, Person):
            if owner.pk != plan.person_id:
                raise Unprocessable(_("A task can only be assigned to a current member of this person's care team."))
            return None, True
        field = "professional" if isinstance(owner, Professional) else "related_person"
        members = TeamMember.objects.filter(team__person_id=plan.person_id, **{field: owner}).order_by(
            "-start").select_related("team")
        member = members.filter(status=TeamMember.Status.ACTIVE).first() or members.first()
        if member is None:
            raise Unprocessable(_("A task can only be assigned to a current member of this person's care team."),
                                rule="assignee_not_member")
        return member, False

    def values(self, ctx: Context, resource: dict, plan: CarePlan) -> dict[str, Any]:
        TASK_INTENT.incoming(resource)  # refused when invalid; a valid code is served as received (codes.py)
        assignee, to_person = self._assignee(ctx, resource, plan)
        goal = ctx.resolve(resource.get("focus"), "Goal", what=_("the goal")) if resource.get("focus") else None
        return {
            "description": limited((resource.get("description") or text_of(resource.get("code"))).strip(),
                                   MAX_TEXT, "description"),
            "assignee": assignee,
            "assigned_to_person": to_person,
            "goal": goal,
            "due_date": parse_date(((resource.get("restriction") or {}).get("period") or {}).get("end")),
            "status": TASK_STATUS.incoming(resource),
        }

    def create(self, ctx: Context, resource: dict) -> Task:
        person = require_subject(ctx, resource, "for")
        ensure_access(ctx, person, self.resource_type)
        based_on = next((r for r in resource.get("basedOn") or [] if "CarePlan" in (r.get("reference") or "")
                         or r.get("reference", "").startswith("urn:")), None)
        plan = plan_for(ctx, resource, person, based_on)
        values = self.values(ctx, resource, plan)
        external = external_identifier(resource, ctx.full_url)
        if external and not ctx.in_transaction and Task.objects.filter(external_id=external).exists():
            raise Conflict(_("A task with this identifier exists already."), rule="duplicate_identifier")
        status = values.pop("status")
        task = assign_task(ctx.actor, plan, values["description"], assignee=values["assignee"],
                           to_person=values["assigned_to_person"], goal=values["goal"], due_date=values["due_date"],
                           is_medical=_label_or(resource, False))
        self.set_external_id(task, external)
        if status != task.status:
            update_task(ctx.actor, task, task.version, status=status)
        return task

    def update(self, ctx: Context, task: Task, resource: dict, expected: int) -> bool:
        same_person(task.plan.person, ctx, resource, "for")
        values = self.values(ctx, resource, task.plan)
        label = is_medical(resource)
        if label is not None:
            values["is_medical"] = label  # refused by update_task when it changes: medical detail is fixed
        changes = changed_fields(task, values)
        if not changes and not recoded(self, task, resource):
            return False
        update_task(ctx.actor, task, expected, **changes)
        return True


def _owner_filter(qs, value: str, modifier: str):  # noqa: ANN001, ANN202
    from careweave.fhir.mapping.base import as_uuid, reference_id

    q = Q()
    for item in value.split(","):
        key = as_uuid(reference_id(item))
        if key is None:
            continue
        if item.startswith("Patient/"):
            q |= Q(assigned_to_person=True, plan__person__fhir_id=key)
        elif item.startswith("RelatedPerson/"):
            q |= Q(assignee__related_person__fhir_id=key)
        elif item.startswith("Practitioner/"):
            q |= Q(assignee__professional__fhir_id=key)
        else:
            q |= (Q(assignee__professional__fhir_id=key) | Q(assignee__related_person__fhir_id=key)
                  | Q(assigned_to_person=True, plan__person__fhir_id=key))
    return qs.filter(q) if q else qs.none()


TaskMapping.search_params = {**TaskMapping.search_params, "owner": _owner_filter}


# --------------------------------------------------------------------------- Communication (journal)


class CommunicationMapping(Mapping):
    resource_type = "Communication"
    model = JournalEntry
    person_path = "plan__person"
    has_medical_flag = True
    select = ("plan__person", "author__professional", "author__person")
    interactions = ("read", "vread", "search-type", "history-instance", "create")
    search_docs = {"patient": "reference", "subject": "reference", "identifier": "token", "based-on": "reference",
                   "sent": "date", "category": "token"}
    search_params = {
        "based-on": reference_filter("plan"),
        "sent": lambda qs, v, m: date_filter(qs, "created_at", v),
        "category": lambda qs, v, m: qs.filter(is_carer_checkin="carer-checkin" in v),
    }

    def to_fhir(self, entry: JournalEntry) -> dict[str, Any]:
        sender = user_reference(entry.author)
        if not sender or "reference" not in sender:
            sender = {"display": entry.author_name}
        return {
            "resourceType": "Communication",
            "id": str(entry.fhir_id),
            "meta": self.meta(entry),
            "identifier": self.identifiers(entry),
            "basedOn": [ref("CarePlan", entry.plan)],
            "status": "completed",
            "category": [{"coding": [{"system": CW_JOURNAL,
                                      "code": "carer-checkin" if entry.is_carer_checkin else "journal"}]}],
            "subject": ref("Patient", entry.plan.person),
            "sent": instant(entry.created_at),
            "sender": sender,
            "payload": [{"contentString": entry.text}],
        }

    def _text(self, resource: dict) -> str:
        parts = [p.get("contentString", "") for p in resource.get("payload") or [] if p.get("contentString")]
        return limited("\n\n".join(parts).strip(), MAX_TEXT, "payload.contentString")

    def create(self, ctx: Context, resource: dict) -> JournalEntry:
        person = require_subject(ctx, resource)
        ensure_access(ctx, person, self.resource_type)
        based_on = next(iter(resource.get("basedOn") or []), None)
        plan = plan_for(ctx, resource, person, based_on)
        external = external_identifier(resource, ctx.full_url)
        if external and not ctx.in_transaction and JournalEntry.objects.filter(external_id=external).exists():
            raise Conflict(_("A message with this identifier exists already."), rule="duplicate_identifier")
        checkin = code_in(resource.get("category"), CW_JOURNAL) == "carer-checkin"
        entry = write_in_journal(ctx.actor, plan, self._text(resource), is_medical=_label_or(resource, False),
                                 carer_checkin=checkin)
        self.set_external_id(entry, external)
        return entry

    def update(self, ctx: Context, entry: JournalEntry, resource: dict, expected: int) -> bool:
        if self._text(resource) == entry.text and _label_or(resource, entry.is_medical) == entry.is_medical:
            return False
        raise MethodNotAllowed(_("A message in the journal cannot be changed afterwards; write a new one."))


MAPPINGS = [CareTeamMapping(), CarePlanMapping(), GoalMapping(), TaskMapping(), CommunicationMapping()]
