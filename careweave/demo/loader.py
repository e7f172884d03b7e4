"""Load the synthetic demo zone (ELZ Zora) with named demo accounts.

The data is built directly (it is seed data "as if" months of use happened), but every state it
creates is one the actions allow: coordinators are team members, case managers are outside the
team, and so on — ``tests/demo`` checks these invariants on the loaded zone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.access.models import AccessRule, AuditEvent, Level
from careweave.careplans.models import (
    CarePlan,
    CareTeam,
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    Goal,
    JournalEntry,
    LifeGoal,
    Task,
    TeamMember,
    TrainingRecord,
)
from careweave.careplans.models.coordination import Trigger
from careweave.demo.cases import CASES, CaseTemplate
from careweave.demo.names import FAMILY, GIVEN_FEMALE, GIVEN_MALE, STREETS
from careweave.demo.personal import Personaliser
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import WELFARE_DISCIPLINES, Organisation, Person, Professional, RelatedPerson
from careweave.territory.models import Zone, ZoneStaff

DEMO_PASSWORD = "careweave-demo"

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {"username": "person", "name": "Maria Peeters", "role": _("person with a care need")},
    {"username": "carer", "name": "Jan Peeters", "role": _("informal carer; representative of his mother")},
    {"username": "gp", "name": "Dr. An Claes", "role": _("general practitioner")},
    {"username": "nurse", "name": "Sofie Van Damme", "role": _("home nurse")},
    {"username": "socialworker", "name": "Karim El Amrani", "role": _("social worker (welfare sector)")},
    {"username": "coordinator", "name": "Els Wouters", "role": _("home nurse, care-and-welfare coordinator")},
    {"username": "casemanager", "name": "Pieter De Smet", "role": _("case manager")},
    {"username": "zonestaff", "name": "Lotte Maes", "role": _("zone staff, central contact point (ELZ Zora)")},
    {"username": "physio", "name": "Claire Dubois", "role": _("physiotherapist; keeps her own social-map entry")},
    {"username": "admin", "name": "Admin", "role": _("administrator")},
    {"username": "policy", "name": "Hilde Verbeke", "role": _("policy maker at the administration (zones compared)")},
]
for _account in DEMO_ACCOUNTS:
    _account["password"] = DEMO_PASSWORD

# Postal codes of the six municipalities of the demo zone (ELZ Zora, see population.geography).
POSTAL_CODES = {
    "Ninove": "9400",
    "Denderleeuw": "9470",
    "Haaltert": "9450",
    "Erpe-Mere": "9420",
    "Lede": "9340",
    "Liedekerke": "1770",
}
POOL = {  # professionals per discipline in the demo zone
    "gp": 8,
    "home_nurse": 10,
    "physio": 4,
    "ot": 2,
    "psychologist": 4,
    "pharmacist": 3,
    "dietitian": 2,
    "speech": 2,
    "social_worker": 6,
    "family_aid": 4,
    "educator": 3,
    "peer_worker": 2,
    "case_manager": 3,
}
NIHDI_PROFESSION = {
    "gp": 1,
    "home_nurse": 4,
    "physio": 5,
    "pharmacist": 6,
    "speech": 5,
    "dietitian": 5,
    "ot": 5,
    "psychologist": 7,
    "midwife": 4,
}
REGION = {"VLG": Zone.Region.FLANDERS, "BRU": Zone.Region.BRUSSELS, "WAL": Zone.Region.WALLONIA}
KIND = {"ELZ": Zone.Kind.ELZ, "bassin": Zone.Kind.BRUSSELS_BASSIN, "zone": Zone.Kind.WALLOON_ZONE}


def demo_loaded() -> bool:
    return User.objects.filter(username="gp").exists() and Person.objects.exists()


@dataclass
class _Builder:
    rng: random.Random
    now: datetime
    zone: Zone | None = None
    users: dict[str, User] = field(default_factory=dict)
    pool: dict[str, list[Professional]] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    named: dict[str, Professional] = field(default_factory=dict)
    used_ssins: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    words: Personaliser | None = None

    def __post_init__(self) -> None:
        # Its own generator, so personal wording does not shift the rest of the demo.
        self.words = Personaliser(random.Random(self.rng.getrandbits(64)))

    # --- places, organisations, people ---------------------------------------------------

    def zones(self) -> None:
        from careweave.population.geography import MUNICIPALITIES, ZONES

        for z in ZONES:
            zone, _created = Zone.objects.get_or_create(
                code=z.code,
                defaults={"name": z.name, "kind": KIND.get(z.kind, Zone.Kind.ELZ), "region": REGION[z.region]},
            )
            if z.code == "ZORA":
                self.zone = zone
        for m in MUNICIPALITIES:
            parent = Zone.objects.get(code=m.zone)
            Zone.objects.get_or_create(
                code=f"NIS-{m.nis}",
                defaults={
                    "name": m.name,
                    "kind": Zone.Kind.MUNICIPALITY,
                    "region": parent.region,
                    "parent": parent,
                    "population": m.population,
                },
            )
        Zone.objects.filter(code="ZORA").update(population=102_280)

    def organisations(self) -> None:
        specs = [
            ("gp", "Huisartsenpraktijk De Linde", Organisation.Kind.GP_PRACTICE, "care"),
            ("nursing", "Thuisverpleging Dender", Organisation.Kind.HOME_NURSING, "care"),
            ("ocmw", "OCMW Ninove", Organisation.Kind.SOCIAL_SERVICE, "welfare"),
            ("family", "Familiezorg Denderstreek", Organisation.Kind.FAMILY_CARE, "welfare"),
            ("cgg", "Centrum Geestelijke Gezondheidszorg Dender", Organisation.Kind.MENTAL_HEALTH, "care"),
            ("mutuality", "Ziekenfonds Midden-Vlaanderen", Organisation.Kind.MUTUALITY, "welfare"),
            ("zone", "Eerstelijnszone Zora", Organisation.Kind.ZONE, "care"),
        ]
        for i, (key, name, kind, sector) in enumerate(specs):
            from careweave.people.identifiers import make_kbo

            self.orgs[key] = Organisation.objects.create(
                name=name, kind=kind, sector=sector, kbo=make_kbo(810_000 + i * 37), municipality="Ninove"
            )

    def user(self, username: str, first: str, last: str, **extra: Any) -> User:
        user = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=first, last_name=last, **extra)
        self.users[username] = user
        return user

    def professionals(self) -> None:
        org_for = {
            "gp": "gp",
            "home_nurse": "nursing",
            "social_worker": "ocmw",
            "family_aid": "family",
            "psychologist": "cgg",
            "peer_worker": "cgg",
            "case_manager": "zone",
        }
        named = {
            ("gp", 0): ("gp", "An", "Claes", "Dr."),
            ("home_nurse", 0): ("nurse", "Sofie", "Van Damme", ""),
            ("home_nurse", 1): ("coordinator", "Els", "Wouters", ""),
            ("social_worker", 0): ("socialworker", "Karim", "El Amrani", ""),
            ("case_manager", 0): ("casemanager", "Pieter", "De Smet", ""),
        }
        serial = 10_000
        for discipline, count in POOL.items():
            self.pool[discipline] = []
            for i in range(count):
                serial += 7
                key = named.get((discipline, i))
                if key:
                    username, first, last, _title = key
                    user = self.user(username, first, last)
                else:
                    female = self.rng.random() < 0.6
                    first = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
                    last, user = self.rng.choice(FAMILY), None
                profession = NIHDI_PROFESSION.get(discipline)
                sector = "welfare" if discipline in WELFARE_DISCIPLINES else "care"
                professional = Professional.objects.create(
                    user=user,
                    given_name=first,
                    family_name=last,
                    discipline=discipline,
                    sector=sector,
                    nihdi=make_nihdi(profession, serial, 4 if discipline == "gp" else 0) if profession else "",
                    organisation=self.orgs.get(org_for.get(discipline, ""), None),
                    zone=self.zone,
                    languages=self.rng.choice(["nl", "nl", "nl,fr", "nl,fr,en"]),
                    email=f"{first}.{last}@example.org".lower().replace(" ", ""),
                )
                self.pool[discipline].append(professional)
                if key:
                    self.named[key[0]] = professional
        for cm in self.pool["case_manager"]:
            TrainingRecord.objects.create(
                professional=cm,
                function=TrainingRecord.Function.CASE_MANAGER,
                zone=self.zone,
                trained_on=date(2025, 3, 1),
                capacity=25,
            )
        for coordinator in (self.named["coordinator"], self.pool["social_worker"][1], self.pool["home_nurse"][2]):
            TrainingRecord.objects.create(
                professional=coordinator,
                function=TrainingRecord.Function.COORDINATOR,
                zone=self.zone,
                trained_on=date(2025, 5, 15),
                capacity=30,
            )

    def staff(self) -> None:
        zonestaff = self.user("zonestaff", "Lotte", "Maes")
        ZoneStaff.objects.create(user=zonestaff, zone=self.zone, role=ZoneStaff.Role.CONTACT_POINT)
        group, _created = Group.objects.get_or_create(name="zone_staff")
        zonestaff.groups.add(group)
        outreach = Permission.objects.filter(codename="view_outreach_list").first()
        if outreach:
            zonestaff.user_permissions.add(outreach)
        self.user("admin", "Admin", "", is_staff=True, is_superuser=True)
        from careweave.population.access import MACRO_GROUP

        policy = self.user("policy", "Hilde", "Verbeke")
        policy.groups.add(Group.objects.get_or_create(name=MACRO_GROUP)[0])

    def person(
        self,
        case: CaseTemplate,
        *,
        given: str | None = None,
        family: str | None = None,
        sex: str | None = None,
        age: int | None = None,
        language: str | None = None,
        user: User | None = None,
    ) -> Person:
        rng = self.rng
        sex = sex or rng.choice(["female", "male"])
        age = age if age is not None else rng.randint(*case.age)
        birth = date.today() - timedelta(days=age * 365 + rng.randint(0, 364))
        while True:
            seq = rng.randrange(1 if sex == "male" else 2, 998, 2)
            ssin = make_ssin(birth, seq)
            if ssin not in self.used_ssins:
                self.used_ssins.add(ssin)
                break
        municipality = rng.choice(list(POSTAL_CODES))
        language = language or (
            "fr"
            if municipality in ("Denderleeuw", "Liedekerke") and rng.random() < 0.35
            else "fr"
            if rng.random() < 0.05
            else "nl"
        )
        return Person.objects.create(
            ssin=ssin,
            birth_date=birth,
            sex=sex,
            language=language,
            user=user,
            given_name=given or rng.choice(GIVEN_FEMALE if sex == "female" else GIVEN_MALE),
            family_name=family or rng.choice(FAMILY),
            street=f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
            postal_code=POSTAL_CODES[municipality],
            municipality=municipality,
            zone=self.zone,
            phone=f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            living_situation=case.living_situation.get(language, case.living_situation.get("nl", "")),
            communication_needs=case.communication_needs,
            created_at=self.now - timedelta(days=rng.randint(60, 900)),
        )

    # --- one care situation -------------------------------------------------------------------

    def situation(
        self,
        case: CaseTemplate,
        person: Person,
        *,
        carer_users: dict[int, User] | None = None,
        prefer: dict[str, str] | None = None,
        scenario: str = "",
    ) -> CarePlan:
        rng, lang = self.rng, person.language
        since = person.created_at
        team = CareTeam.objects.create(person=person, name="", created_at=since)
        carers: list[TeamMember] = []
        for i, relationship in enumerate(case.carers):
            user = (carer_users or {}).get(i)
            family = (
                person.family_name if relationship in ("partner", "child", "parent", "sibling") else rng.choice(FAMILY)
            )
            first = user.first_name if user else rng.choice(GIVEN_FEMALE + GIVEN_MALE)
            related = RelatedPerson.objects.create(
                person=person,
                user=user,
                given_name=first,
                family_name=user.last_name if user else family,
                relationship=relationship,
                is_representative=case.representative and i == 0,
                has_proxy_access=case.representative and i == 0 and user is not None,
                phone=f"+32 47{rng.randint(0, 9)} {rng.randint(100000, 999999)}",
            )
            carers.append(
                TeamMember.objects.create(
                    team=team, related_person=related, start=since, is_reference_person=i == 0 and case.representative
                )
            )
        members: dict[str, TeamMember] = {}
        for discipline in case.team:
            username = (prefer or {}).get(discipline)
            professional = self.named[username] if username else self._pick(discipline)
            status = TeamMember.Status.ACTIVE
            if scenario == "maria" and discipline == "physio":
                status = TeamMember.Status.PROPOSED
            members[discipline] = TeamMember.objects.create(
                team=team,
                professional=professional,
                start=since + timedelta(days=rng.randint(0, 40)),
                status=status,
                added_by=self.users.get("gp") if status == TeamMember.Status.PROPOSED else None,
                reason="Voorgesteld door de huisarts na valpartij" if status == TeamMember.Status.PROPOSED else "",
            )
        if rng.random() < 0.12 and scenario == "":
            former = self._pick("physio")
            TeamMember.objects.create(
                team=team,
                professional=former,
                start=since,
                end=since + timedelta(days=90),
                status=TeamMember.Status.ENDED,
                reason="Revalidatie afgerond",
            )

        plan = CarePlan.objects.create(
            person=person,
            team=team,
            title=case.title.get(lang, case.title["nl"]),
            description=person.living_situation,
            review_date=date.today() + timedelta(days=rng.randint(-14, 90)),
            created_at=since + timedelta(days=3),
        )
        place = person.municipality or "Ninove"
        life_goals = [
            LifeGoal.objects.create(
                plan=plan,
                text=self.words.life_goal(text.get(lang, text["nl"]), lang, place),
                position=i,
                created_at=plan.created_at,
            )
            for i, text in enumerate(case.life_goals)
        ]
        goals = []
        achieved: set[int] = set()
        for g in case.goals:
            if rng.random() < 0.1:
                achieved.add(len(goals))
            goals.append(
                Goal.objects.create(
                    plan=plan,
                    life_goal=life_goals[g.life_goal] if g.life_goal is not None else None,
                    description=g.text.get(lang, g.text["nl"]),
                    kind=g.kind,
                    domain=g.domain,
                    is_medical=g.is_medical,
                    status=Goal.Status.ACHIEVED if len(goals) in achieved else Goal.Status.ACTIVE,
                    created_at=plan.created_at + timedelta(days=1),
                )
            )
        active = {d: m for d, m in members.items() if m.status == TeamMember.Status.ACTIVE}
        for t in case.tasks:
            assignee, to_person = None, False
            if t.assignee == "person":
                to_person = True
            elif t.assignee == "carer":
                assignee = carers[0] if carers else None
                to_person = assignee is None
            else:
                assignee = active.get(t.assignee)
                if assignee is None:
                    continue
            due = (
                date.today() + timedelta(days=t.due_in_days + rng.randint(-2, 3)) if t.due_in_days is not None else None
            )
            done = t.done or (due is not None and due < date.today() - timedelta(days=3) and rng.random() < 0.5)
            # An achieved goal has no work left: its tasks are done (never "achieved" with open tasks).
            done = done or (t.goal is not None and t.goal in achieved)
            Task.objects.create(
                plan=plan,
                goal=goals[t.goal] if t.goal is not None else None,
                description=t.text.get(lang, t.text["nl"]),
                assignee=assignee,
                assigned_to_person=to_person,
                due_date=due,
                is_medical=t.is_medical,
                status=Task.Status.COMPLETED if done else Task.Status.REQUESTED,
                completed_at=self.now - timedelta(days=rng.randint(1, 5)) if done else None,
                completed_by=assignee.user if done and assignee else None,
                created_at=plan.created_at + timedelta(days=2),
            )
        for j in case.journal:
            if j.author == "carer":
                author_member = carers[0] if carers else None
            else:
                author_member = active.get(j.author)
            if author_member is None:
                continue
            user = author_member.user
            if j.carer_checkin:
                names = tuple(n for n in GIVEN_FEMALE + GIVEN_MALE if n != author_member.member.given_name)
            else:
                names = (person.given_name, *(c.member.given_name for c in carers))
            JournalEntry.objects.create(
                plan=plan,
                author=user,
                author_name=str(author_member.member),
                text=self.words.journal(j.text.get(lang, j.text["nl"]), lang, names, checkin=j.carer_checkin),
                is_medical=j.is_medical,
                is_carer_checkin=j.carer_checkin,
                carer_feeling=j.feeling,
                created_at=self.now - timedelta(days=j.days_ago, hours=rng.randint(0, 10)),
            )
        self._coordination(case, team, active, carers, scenario)
        self.counts[case.key] = self.counts.get(case.key, 0) + 1
        return plan

    def _pick(self, discipline: str) -> Professional:
        named = {"gp": "gp", "home_nurse": "nurse", "social_worker": "socialworker"}.get(discipline)
        if named and self.rng.random() < 0.35:
            return self.named[named]
        pool = [p for p in self.pool[discipline] if p.user_id is None]
        return self.rng.choice(pool or self.pool[discipline])

    def _coordination(
        self, case: CaseTemplate, team: CareTeam, active: dict[str, TeamMember], carers: list[TeamMember], scenario: str
    ) -> None:
        rng = self.rng
        started = team.created_at + timedelta(days=10)
        if scenario == "maria":
            # The home nurse took the role on; Maria has not agreed yet (her home page asks her).
            CoordinationEpisode.objects.create(
                team=team,
                coordinator=active["home_nurse"],
                initiated_by=CoordinationEpisode.Initiator.TEAM,
                requested_by=active["home_nurse"].user,
                requested_at=self.now - timedelta(days=2),
                accepted_by_coordinator_at=self.now - timedelta(days=2),
                reimbursable=True,
                reason="Meerdere zorgverleners betrokken na ziekenhuisopname",
            )
            return
        if case.coordinator is None or (scenario == "" and rng.random() < 0.2):
            return
        coordinator, held_by_person, reimbursable = None, False, True
        if case.coordinator == "person":
            held_by_person, reimbursable = True, False
        elif case.coordinator == "carer":
            coordinator, reimbursable = (carers[0] if carers else None), False
        else:
            coordinator = active.get(case.coordinator)
            if coordinator is None:
                return
        if coordinator is not None:
            # Nobody coordinates a team before they are in it.
            started = max(started, coordinator.start + timedelta(days=1))
        CoordinationEpisode.objects.create(
            team=team,
            coordinator=coordinator,
            held_by_person=held_by_person,
            status=CoordinationEpisode.Status.ACTIVE,
            initiated_by=CoordinationEpisode.Initiator.TEAM,
            requested_at=started,
            accepted_by_coordinator_at=started,
            agreed_at=started + timedelta(days=1),
            started_at=started + timedelta(days=1),
            reimbursable=reimbursable,
            requested_by=coordinator.user if coordinator else team.person.user,
        )

    def case_management(
        self, person: Person, triggers: list[str], *, open_only: bool = False, case_manager: Professional | None = None
    ) -> None:
        rng = self.rng
        reported = self.now - timedelta(days=rng.randint(1, 120))
        request = CaseManagementRequest.objects.create(
            person=person,
            zone=self.zone,
            reporter_role="discipline:gp" if rng.random() < 0.5 else "informal_carer",
            triggers=triggers,
            description="Situatie ontspoort; meerdere diensten betrokken zonder afstemming.",
            created_at=reported,
            status=CaseManagementRequest.Status.OPEN,
        )
        if open_only:
            return
        cm = case_manager or (
            self.named["casemanager"] if rng.random() < 0.6 else rng.choice(self.pool["case_manager"])
        )
        request.status = CaseManagementRequest.Status.APPOINTED
        request.decided_by, request.decided_at = self.users["zonestaff"], reported + timedelta(days=2)
        request.save()
        CaseManagementEpisode.objects.create(
            person=person,
            request=request,
            case_manager=cm,
            appointed_by=self.users["zonestaff"],
            zone=self.zone,
            started_at=reported + timedelta(days=2),
        )


CASE_TRIGGERS = {
    "complex_mental_health": [Trigger.UNSTABLE_COMPLEX, Trigger.COORDINATION_FAILED],
    "addiction_mental_health": [Trigger.UNSTABLE_COMPLEX, Trigger.CARE_REFUSAL],
    "youth_without_housing": [Trigger.NO_REPRESENTATION, Trigger.UNSTABLE_COMPLEX],
    "young_disability_mental_health": [Trigger.NO_COORDINATION],
}


@transaction.atomic
def load_demo(persons: int = 200, seed: int = 42) -> dict[str, Any]:
    """Create the demo zone. Idempotent: does nothing when the demo accounts already exist."""
    if demo_loaded():
        return {"created": False, "persons": Person.objects.count()}
    rng = random.Random(seed)
    b = _Builder(rng=rng, now=timezone.now())
    b.zones()
    b.organisations()
    b.professionals()
    b.staff()
    person_user = b.user("person", "Maria", "Peeters")
    carer_user = b.user("carer", "Jan", "Peeters")
    scale = persons / 200
    by_key = {c.key: c for c in CASES}

    # The named scenarios first: Maria (logs in herself) and Jan's mother (Jan represents her).
    maria = b.person(
        by_key["multimorbidity"], given="Maria", family="Peeters", sex="female", age=67, language="nl", user=person_user
    )
    b.situation(
        by_key["multimorbidity"],
        maria,
        carer_users={0: carer_user},
        prefer={"gp": "gp", "home_nurse": "nurse"},
        scenario="maria",
    )
    AccessRule.objects.create(
        person=maria,
        professional=b.pool["pharmacist"][0],
        level=Level.PLAN,
        note="Apotheker ziet enkel het gedeelde plan",
        recorded_by=person_user,
    )
    mother = b.person(
        by_key["frail_older_dementia"], given="Godelieve", family="Peeters", sex="female", age=91, language="nl"
    )
    b.situation(
        by_key["frail_older_dementia"],
        mother,
        carer_users={0: carer_user},
        prefer={"gp": "gp", "home_nurse": "coordinator", "family_aid": ""},
        scenario="mother",
    )
    for who, resource, days in (("gp", "CarePlan", 1), ("nurse", "Task", 2), ("gp", "Goal", 6)):
        user = b.users[who]
        AuditEvent.objects.create(
            recorded_at=b.now - timedelta(days=days, hours=3),
            user=user,
            user_display=user.get_full_name(),
            user_role=f"discipline:{user.professional.discipline}",
            action=AuditEvent.Action.READ,
            resource_type=resource,
            resource_id="",
            person=maria,
            basis="care_relationship",
            channel="web",
        )

    created = 2
    for case in CASES:
        count = max(1, round(case.share * scale)) - (1 if case.key in ("multimorbidity", "frail_older_dementia") else 0)
        for _i in range(max(0, count)):
            person = b.person(case)
            prefer = {}
            if case.coordinator == "home_nurse" and rng.random() < 0.35:
                prefer["home_nurse"] = "coordinator"
            b.situation(case, person, prefer=prefer)
            created += 1
            if rng.random() < case.case_management:
                b.case_management(person, CASE_TRIGGERS.get(case.key, [Trigger.UNSTABLE_COMPLEX]))
    # A few fresh requests waiting at the central contact point (meldpunt).
    waiting = Person.objects.exclude(case_management_requests__isnull=False).exclude(user__isnull=False)
    for person in waiting.order_by("?" if False else "pk")[3:6]:
        b.case_management(person, [Trigger.OWN_REQUEST, Trigger.NO_COORDINATION], open_only=True)
    from careweave.demo.assessments import load_assessments

    assessments = load_assessments(b.users, b.now)
    from careweave.demo.consultations import load_consultations
    from careweave.demo.documents import load_documents
    from careweave.demo.exports import load_exports
    from careweave.demo.financing import load_financing
    from careweave.demo.maturity import load_maturity
    from careweave.demo.notifications import load_notifications
    from careweave.demo.outreach import load_outreach
    from careweave.demo.programmes import load_programmes
    from careweave.demo.territory import load_territory

    extra = {}
    for name, load in [("social_map", load_territory), ("programmes", load_programmes),
                       ("consultations", load_consultations), ("financing", load_financing),
                       ("maturity", load_maturity), ("documents", load_documents),
                       ("bulk_exports", load_exports), ("outreach", load_outreach),
                       ("notifications", load_notifications)]:
        extra[name] = load(b.users, b.now)
    return {
        "created": True,
        "assessments": assessments,
        **extra,
        "persons": created,
        "professionals": Professional.objects.count(),
        "cases": b.counts,
        "accounts": [a["username"] for a in DEMO_ACCOUNTS],
    }
