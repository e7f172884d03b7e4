"""A small care situation built through the domain actions, shared by the view and browser tests.

Maria (logs in herself) has a team with a GP, a home nurse, a social worker (welfare sector), a
coordinator and her son Jan as informal carer. Jan also represents his mother Godelieve, who has
an appointed case manager. Louis waits at the zone's contact point. A GP from elsewhere has no
relationship with anyone (the stranger).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User

from careweave.careplans import actions
from careweave.careplans.models import CarePlan, CareTeam, Goal, Task, TeamMember, TrainingRecord
from careweave.careplans.models.coordination import Trigger
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional, RelatedPerson, Sector
from careweave.territory.models import Zone, ZoneStaff

PASSWORD = "careweave-test-pass"


@dataclass
class Cast:
    zone: Zone
    maria: Person
    godelieve: Person
    louis: Person
    jan: RelatedPerson
    gp: Professional
    nurse: Professional
    social: Professional
    coordinator: Professional
    case_manager: Professional
    stranger: Professional
    zone_staff: User
    admin: User
    team: CareTeam
    plan: CarePlan
    goal: Goal
    medical_goal: Goal
    task_for_jan: Task
    task_for_nurse: Task
    medical_task: Task

    def member(self, professional: Professional | None = None, related: RelatedPerson | None = None) -> TeamMember:
        return self.team.members.get(professional=professional, related_person=related, status="active")


def _user(username: str, first: str, last: str, **extra: object) -> User:
    return User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last, **extra)


def _professional(
    username: str | None,
    first: str,
    last: str,
    discipline: str,
    zone: Zone,
    serial: int,
    sector: str = Sector.CARE,
    languages: str = "nl,fr",
) -> Professional:
    user = _user(username, first, last) if username else None
    return Professional.objects.create(
        user=user,
        given_name=first,
        family_name=last,
        discipline=discipline,
        sector=sector,
        zone=zone,
        nihdi=make_nihdi(1 if discipline == Discipline.GP else 4, serial, 0) if sector == Sector.CARE else "",
        languages=languages,
        phone=f"+32 470 00 00 {serial % 100:02d}",
    )


def build_cast() -> Cast:
    zone = Zone.objects.create(code="ZORA", name="ELZ Zora", region=Zone.Region.FLANDERS)
    maria = Person.objects.create(
        given_name="Maria",
        family_name="Peeters",
        ssin=make_ssin(date(1958, 3, 14), 2),
        birth_date=date(1958, 3, 14),
        sex="female",
        language="nl",
        municipality="Ninove",
        zone=zone,
        user=_user("person", "Maria", "Peeters"),
    )
    godelieve = Person.objects.create(
        given_name="Godelieve",
        family_name="Peeters",
        ssin=make_ssin(date(1934, 6, 2), 4),
        language="nl",
        zone=zone,
    )
    louis = Person.objects.create(
        given_name="Louis",
        family_name="Dubois",
        ssin=make_ssin(date(1949, 11, 30), 5),
        language="fr",
        zone=zone,
        user=_user("louis", "Louis", "Dubois"),
    )
    carer_user = _user("carer", "Jan", "Peeters")
    jan = RelatedPerson.objects.create(
        person=maria,
        user=carer_user,
        given_name="Jan",
        family_name="Peeters",
        relationship=RelatedPerson.Relationship.CHILD,
        phone="+32 471 12 34 56",
    )
    RelatedPerson.objects.create(
        person=godelieve,
        user=carer_user,
        given_name="Jan",
        family_name="Peeters",
        relationship=RelatedPerson.Relationship.CHILD,
        is_representative=True,
        has_proxy_access=True,
    )
    gp = _professional("gp", "An", "Claes", Discipline.GP, zone, 101)
    nurse = _professional("nurse", "Sofie", "Van Damme", Discipline.HOME_NURSE, zone, 102)
    social = _professional("socialworker", "Karim", "El Amrani", Discipline.SOCIAL_WORKER, zone, 103, Sector.WELFARE)
    coordinator = _professional("coordinator", "Els", "Wouters", Discipline.HOME_NURSE, zone, 104)
    case_manager = _professional("casemanager", "Pieter", "De Smet", Discipline.CASE_MANAGER, zone, 105)
    stranger = _professional("stranger", "Bart", "Vreemd", Discipline.GP, zone, 106)
    _professional(None, "Aylin", "Dubois", Discipline.PHYSIOTHERAPIST, zone, 107)
    TrainingRecord.objects.create(
        professional=case_manager,
        function=TrainingRecord.Function.CASE_MANAGER,
        zone=zone,
        trained_on=date(2025, 3, 1),
        capacity=2,
    )
    TrainingRecord.objects.create(
        professional=coordinator,
        function=TrainingRecord.Function.COORDINATOR,
        zone=zone,
        trained_on=date(2025, 5, 1),
        capacity=30,
    )
    zone_staff = _user("zonestaff", "Lotte", "Maes")
    ZoneStaff.objects.create(user=zone_staff, zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    admin = _user("admin", "Admin", "", is_staff=True, is_superuser=True)

    me = maria.user
    team = actions.team_for(maria)
    for professional in (gp, nurse, social, coordinator):
        actions.add_team_member(me, team, professional=professional)
    actions.add_team_member(me, team, related_person=jan)
    plan = actions.start_care_plan(
        me, maria, "Gezond thuis blijven", description="Woont alleen", review_date=date.today() + timedelta(days=40)
    )
    life_goal = actions.add_life_goal(me, plan, "Ik wil weer zelf naar de markt kunnen wandelen.")
    goal = actions.add_goal(gp.user, plan, "Dagelijks 20 minuten wandelen", life_goal=life_goal)
    medical_goal = actions.add_goal(gp.user, plan, "HbA1c onder 7% brengen", life_goal=life_goal, is_medical=True)
    member = team.members.get
    task_for_jan = actions.assign_task(
        gp.user,
        plan,
        "Recepten voor de week uitkiezen",
        goal=goal,
        assignee=member(related_person=jan),
        due_date=date.today() + timedelta(days=3),
    )
    task_for_nurse = actions.assign_task(
        gp.user, plan, "Voeten nakijken", goal=goal, assignee=member(professional=nurse), due_date=date.today()
    )
    medical_task = actions.assign_task(
        gp.user,
        plan,
        "Bloedafname HbA1c",
        goal=medical_goal,
        is_medical=True,
        assignee=member(professional=nurse),
        due_date=date.today() + timedelta(days=5),
    )
    actions.write_in_journal(carer_user, plan, "Al drie keer gewandeld deze week!")
    episode = actions.take_on_coordination(coordinator.user, team, reason="Meerdere zorgverleners betrokken")
    actions.agree_to_coordinator(me, episode)

    mother_team = actions.team_for(godelieve)
    actions.add_team_member(carer_user, mother_team, professional=gp)
    actions.start_care_plan(carer_user, godelieve, "Thuis wonen met dementie")
    bell = actions.ring_the_bell(carer_user, godelieve, [Trigger.UNSTABLE_COMPLEX], "Valt vaak, weigert hulp")
    actions.appoint_case_manager(zone_staff, bell, case_manager)

    louis_team = actions.team_for(louis)
    actions.add_team_member(louis.user, louis_team, professional=gp)
    actions.start_care_plan(louis.user, louis, "Vivre à la maison")
    actions.ring_the_bell(gp.user, louis, [Trigger.NO_COORDINATION, Trigger.OWN_REQUEST], "Personne ne coordonne")

    return Cast(
        zone=zone,
        maria=maria,
        godelieve=godelieve,
        louis=louis,
        jan=jan,
        gp=gp,
        nurse=nurse,
        social=social,
        coordinator=coordinator,
        case_manager=case_manager,
        stranger=stranger,
        zone_staff=zone_staff,
        admin=admin,
        team=team,
        plan=plan,
        goal=goal,
        medical_goal=medical_goal,
        task_for_jan=task_for_jan,
        task_for_nurse=task_for_nurse,
        medical_task=medical_task,
    )
