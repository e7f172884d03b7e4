"""MDOs in the demo zone, made through the MDO actions (decision 0003), then dated back where they lie in the past.

For the demo coordinator (Els Wouters): a concluded MDO about Godelieve at her return home, with minutes
and decisions that became tasks (reimbursable: the GP attended); a concluded one about another person she
coordinates that is not reimbursable (no GP attended); a scheduled in-person one; and a proposal the app
made at a transition point. For Maria: an upcoming hybrid MDO convened by her home nurse, with
invitations to Maria, her son Jan and her GP, so the person, carer and GP accounts each have one to answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from careweave.access.permissions import may
from careweave.careplans.models import CoordinationEpisode, Task, TeamMember
from careweave.careplans.signals import care_transition
from careweave.consultations import actions
from careweave.consultations.models import Consultation, Participant
from careweave.people.models import Discipline, Person

ROOM = "Wijkgezondheidscentrum De Linde, Ninove"
LINK = "https://teams.microsoft.com/l/meetup-join/demo-mdo"


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def _members(person: Person) -> list[TeamMember]:
    return list(TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE)
                .select_related("team", "professional", "related_person"))


def _schedule(actor: User, person: Person, day: date, mode: str, reason: str) -> Consultation:
    """Schedule (for today when ``day`` lies in the past: the dates are moved back afterwards)."""
    run_day = max(day, timezone.localdate())
    return actions.schedule_mdo(
        actor, person, mode=mode, start=_at(run_day, 14), end=_at(run_day, 15),
        location=ROOM if mode != Consultation.Mode.ONLINE else "", link=LINK if mode != Consultation.Mode.IN_PERSON
        else "", reason=reason,
    )


def _held(actor: User, person: Person, day: date, reason: str, *, with_gp: bool, minutes: str,
          decisions: list[tuple[str, str]]) -> Consultation:
    c = _schedule(actor, person, day, Consultation.Mode.IN_PERSON, reason)
    members = _members(person)
    actions.invite_to_mdo(actor, c, members, include_person=True)
    invited = list(c.participants.select_related("member__professional", "member__related_person"))
    for p in invited:
        gp = p.professional is not None and p.professional.discipline == Discipline.GP
        answer = "declined" if gp and not with_gp else "accepted"
        Participant.objects.filter(pk=p.pk).update(response=answer, responded_at=timezone.now())
    present = [p for p in c.participants.all() if p.response == "accepted"]
    actions.record_attendance(actor, c, present)
    actions.write_minutes(actor, c, minutes)
    by_discipline = {m.professional.discipline: m for m in members if m.professional_id}
    for text, discipline in decisions:
        member = by_discipline.get(discipline) or next(m for m in members if m.professional_id)
        actions.record_decision(actor, c, text, assignee=member, due_date=timezone.localdate() + timedelta(days=14),
                                coordination="continue" if "coördinatie" in text else "")
    c = actions.conclude_mdo(actor, c)
    start = _at(day, 14)
    Consultation.objects.filter(pk=c.pk).update(start=start, end=start + timedelta(hours=1), created_at=start,
                                                held_at=start + timedelta(hours=1),
                                                concluded_at=start + timedelta(days=1))
    return c


def load_consultations(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Create the demo MDOs; returns how many there are per status."""
    coordinator = users.get("coordinator")
    if coordinator is None or not hasattr(coordinator, "professional"):
        return {}
    today = timezone.localdate()
    coordinated = list(
        Person.objects.filter(
            care_teams__coordination_episodes__coordinator__professional=coordinator.professional,
            care_teams__coordination_episodes__status=CoordinationEpisode.Status.ACTIVE,
            care_plans__isnull=False,
        ).distinct().order_by("pk")[:4]
    )
    mother = next((p for p in coordinated if p.given_name == "Godelieve"), coordinated[0] if coordinated else None)
    others = [p for p in coordinated if p != mother]
    if mother is not None:
        _held(coordinator, mother, today - timedelta(days=20),
              "Terug thuis na ziekenhuisopname: afspraken met het team", with_gp=True,
              minutes="Godelieve is terug thuis. Jan kan niet elke dag langskomen. Afgesproken: extra gezinszorg, "
                      "valpreventie en een evaluatie over drie maanden. De coördinatie loopt verder.",
              decisions=[("Valrisico thuis beoordelen en hulpmiddelen voorstellen", Discipline.HOME_NURSE),
                         ("Medicatieschema herzien na ontslag", Discipline.GP),
                         ("Zorg- en welzijnscoördinatie verderzetten, evaluatie binnen drie maanden",
                          Discipline.HOME_NURSE)])
    if others:
        _held(coordinator, others[0], today - timedelta(days=9), "Evaluatie van de ondersteuning thuis",
              with_gp=False, minutes="De huisarts kon niet komen. Het team stemde de thuiszorg af.",
              decisions=[("Huisarts informeren over de afspraken", Discipline.HOME_NURSE)])
    if len(others) > 1:
        c = _schedule(coordinator, others[1], today + timedelta(days=8), Consultation.Mode.IN_PERSON,
                      "Overleg over de ondersteuning van de mantelzorger")
        actions.invite_to_mdo(coordinator, c, _members(others[1]), include_person=True)
    transition_for = others[2] if len(others) > 2 else mother
    if transition_for is not None:
        care_transition.send(sender=None, person=transition_for, kind="care_setting",
                             label="Terug thuis na een ziekenhuisopname", on=today - timedelta(days=1),
                             actor=None, source=None)
    maria = Person.objects.filter(user=users.get("person")).first()
    nurse = users.get("nurse")
    if maria is not None and nurse is not None and may(nurse, "consultations.schedule_mdo", maria):
        c = _schedule(nurse, maria, today + timedelta(days=5), Consultation.Mode.HYBRID,
                      "Na de ziekenhuisopname: wie doet wat thuis?")
        invite = [m for m in _members(maria)
                  if (m.professional_id and m.professional.user_id in (users["gp"].pk, nurse.pk))
                  or (m.related_person_id and m.related_person.user_id == users["carer"].pk)]
        actions.invite_to_mdo(nurse, c, invite, include_person=True)
        for p in c.participants.select_related("member__professional"):
            if p.professional is not None:
                actions.respond_to_invitation(p.professional.user, p, "accepted")
    counts: dict[str, Any] = {
        status: Consultation.objects.filter(status=status).count() for status in Consultation.Status.values
    }
    counts["decision_tasks"] = Task.objects.filter(mdo_decision__isnull=False).count()
    return counts
