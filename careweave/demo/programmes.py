"""Demo data of the programmes app (called by demo.loader.load_demo after the zone, its people and the
assessments exist).

The three interfederal programmes are rolled out in the registry, and the zone's own fall-prevention
pathway is in co-creation (sent back once after feedback). Persons are enrolled through the same
action as the web: a pregnant woman (prenatal), a young mother (postnatal), Godelieve and other frail
older persons (frail persons, with the next frailty re-assessment planned from her last one), and the
teenager whose BMI-for-age the GP follows (obesity, with the growth chart).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from careweave.careplans.models import TeamMember
from careweave.people.models import Person
from careweave.programmes import actions, registry
from careweave.programmes.models import Enrolment, PathwayVersion
from careweave.territory.models import ZoneStaff

FRAIL_EXTRA = 7  # besides Godelieve, so that the zone counts show more than suppressed cells


def _member_with_login(person: Person, preferred: User | None = None) -> TeamMember | None:
    members = TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE,
                                        professional__user__isnull=False).select_related("professional__user")
    if preferred is not None:
        mine = members.filter(professional__user=preferred).first()
        if mine is not None:
            return mine
    return members.order_by("start").first()


def _enrol(person: Person, code: str, preferred: User | None = None, **dates: Any) -> Enrolment | None:
    member = _member_with_login(person, preferred)
    if member is None:
        return None
    version = next(v for v in actions.usable_versions() if v.pathway.code == code)
    return actions.enrol_in_programme(member.professional.user, person, version, reference_member=member,
                                      person_agreed=True, **dates)


def _women(today: date) -> list[Person]:
    young = today - timedelta(days=20 * 365)
    older = today - timedelta(days=40 * 365)
    return list(Person.objects.filter(sex="female", birth_date__lte=young, birth_date__gte=older,
                                      deceased_on__isnull=True).order_by("pk")[:20])


def load_programmes(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Registry and enrolments; returns how many persons each programme has."""
    actions.sync_shipped_pathways()
    today = now.date()
    staff = users.get("zonestaff")
    role = ZoneStaff.objects.filter(user=staff).select_related("zone").first() if staff else None
    draft = PathwayVersion.objects.filter(pathway__code="frail-falls").select_related("pathway").first()
    if draft is not None and role is not None and draft.pathway.zone_id is None:
        draft.pathway.zone, draft.pathway.owner_user = role.zone, staff
        draft.pathway.save(update_fields=["zone", "owner_user"])
        draft = registry.move_pathway_step(staff, draft, "feedback", draft.version,
                                           "Ontwerp voorgelegd aan kinesitherapeuten en ergotherapeuten.")
        registry.move_pathway_step(staff, draft, "co_creation", draft.version,
                                   "Feedback: de woningaanpassing moet ook het OCMW betrekken.")

    counts: dict[str, int] = {}

    def count(enrolment: Enrolment | None) -> None:
        if enrolment is not None:
            counts[enrolment.pathway.code] = counts.get(enrolment.pathway.code, 0) + 1

    mother = Person.objects.filter(given_name="Godelieve", family_name="Peeters").first()
    if mother is not None:
        count(_enrol(mother, "frail-persons", users.get("coordinator")))
    cutoff = today - timedelta(days=78 * 365)
    frail = Person.objects.filter(birth_date__lte=cutoff, deceased_on__isnull=True).exclude(
        enrolments__status=Enrolment.Status.ACTIVE).order_by("pk")[:FRAIL_EXTRA * 2]
    for person in list(frail)[:FRAIL_EXTRA]:
        count(_enrol(person, "frail-persons"))

    women = [w for w in _women(today) if _member_with_login(w)]
    plans = [
        {"expected_birth": today + timedelta(days=95)},
        {"expected_birth": today + timedelta(days=40)},
        {"expected_birth": today - timedelta(days=12), "birth_date": today - timedelta(days=10)},
        {"expected_birth": today - timedelta(days=150), "birth_date": today - timedelta(days=148),
         "started_on": today - timedelta(days=200)},
    ]
    for woman, dates in zip(women, plans, strict=False):
        count(_enrol(woman, "perinatal", **dates))

    from careweave.demo.assessments import _teenager
    from careweave.people.models import Professional

    gp = users.get("gp")
    teen = _teenager(Professional.objects.get(user=gp)) if gp else None
    if teen is not None:
        count(_enrol(teen, "obesity-youth", gp))
    return counts
