"""Demo data of the maturity app: ELZ Zora's 2025 round (closed, with a consensus workshop) and its
2026 round (open; the home nurse is halfway, the GP has not started and was reminded). Arguments in Dutch."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from careweave.maturity.aggregation import aggregate, suggest_for_workshop
from careweave.maturity.dimensions import codes
from careweave.maturity.models import (
    ConsensusWorkshop,
    DimensionScore,
    MaturityRound,
    Participant,
    ParticipantReminder,
    WorkshopDimension,
)
from careweave.territory.models import ZoneStaff

# username -> (organisation, role, offset added to the dimension's base score)
PANEL = {
    "gp": ("Huisartsenkring Dender", "huisarts", 0),
    "nurse": ("Thuisverpleging Zora", "thuisverpleegkundige", 1),
    "socialworker": ("OCMW Ninove", "maatschappelijk werker", -1),
    "coordinator": ("Wit-Gele Kruis", "zorg- en welzijnscoördinator", 1),
    "casemanager": ("Dienst maatschappelijk werk CM", "casemanager", 0),
    "zonestaff": ("ELZ Zora", "stafmedewerker eerstelijnszone", -1),
}
# Base score per dimension in 2025 (in the model's order) and a Dutch observation per dimension.
BASE_2025 = [3, 2, 1, 2, 1, 2, 2, 2, 1, 3, 2, 2]
ARGUMENTS = [
    "De partners willen samenwerken; de zorgraad heeft een gedeelde visie op papier gezet",
    "De zorgraad vergadert maandelijks, maar het mandaat tegenover de ziekenhuizen is nog onduidelijk",
    "Iedere discipline gebruikt een eigen dossier; gegevens delen gebeurt via telefoon en mail",
    "Voor ontslag uit het ziekenhuis bestaan afspraken, voor de thuiszorg onderling nog niet",
    "We draaien op projectmiddelen die elk jaar opnieuw moeten worden aangevraagd",
    "De privacyregels rond gegevensdeling zijn een drempel; er loopt een werkgroep",
    "Het populatiedashboard toont de risicogroepen, maar het aanbod is er nog niet op afgestemd",
    "Zelfregie staat in het zorgplan, maar mensen kennen hun doelen nog weinig",
    "We meten vooral activiteiten, nog weinig uitkomsten voor de burger",
    "Eerste lijn en welzijn werken samen; lokale besturen schuiven steeds vaker aan",
    "Goede praktijken worden gedeeld op de intervisie, zonder vast proces om op te schalen",
    "Er is vorming voor coördinatoren; voor andere rollen nog niet",
]
PERSPECTIVE = {
    "gp": "vanuit de huisartsenpraktijk gezien",
    "nurse": "in de thuisverpleging merken we dat elke dag",
    "socialworker": "vanuit het OCMW zien we vooral de kwetsbare gezinnen",
    "coordinator": "als coördinator zie ik vooruitgang",
    "casemanager": "bij complexe situaties blijft het moeilijk",
    "zonestaff": "op zoneniveau zien we grote verschillen tussen gemeenten",
}


def _score(base: int, offset: int, step: int) -> int:
    return max(0, min(5, base + offset + step))


def _scores(participant: Participant, username: str, year_step: int, only: int | None = None) -> list[DimensionScore]:
    offset = PANEL[username][2]
    rows = []
    for i, code in enumerate(codes()[:only]):
        wobble = (i + len(username)) % 3 - 1 if username in ("socialworker", "coordinator") else 0
        score = _score(BASE_2025[i], offset + wobble, year_step if i % 2 == 0 else 0)
        rows.append(DimensionScore(
            participant=participant, dimension=code, score=score,
            argument=f"{ARGUMENTS[i]}; {PERSPECTIVE[username]}.",
        ))
    return rows


def load_maturity(users: dict[str, User], now: datetime) -> dict[str, Any]:
    staff = users["zonestaff"]
    zone = ZoneStaff.objects.filter(user=staff).select_related("zone").first().zone
    closed = MaturityRound.objects.create(
        zone=zone, year=2025, label="Nulmeting 2025", status=MaturityRound.Status.CLOSED, created_by=staff,
        opened_at=datetime(2025, 9, 1, 9, tzinfo=now.tzinfo), closed_at=datetime(2025, 10, 31, 17, tzinfo=now.tzinfo),
    )
    current = MaturityRound.objects.create(
        zone=zone, year=2026, label="Meting 2026", created_by=staff, opened_at=now - timedelta(days=20)
    )
    scores: list[DimensionScore] = []
    for username, (organisation, role, _offset) in PANEL.items():
        p = Participant.objects.create(
            round=closed, user=users[username], organisation=organisation, role=role, invited_by=staff,
            submitted_at=datetime(2025, 10, 20, 12, tzinfo=now.tzinfo),
        )
        scores += _scores(p, username, 0)
    for username, (organisation, role, _offset) in PANEL.items():
        if username == "gp":  # not started: reminded once two days ago (C13-R11); the nurse not yet
            p = Participant.objects.create(round=current, user=users[username], organisation=organisation, role=role,
                                           invited_by=staff)
            ParticipantReminder.objects.create(participant=p, sent_by=staff, sent_at=now - timedelta(days=2),
                                               language="nl")
            continue
        halfway = username == "nurse"
        p = Participant.objects.create(
            round=current, user=users[username], organisation=organisation, role=role, invited_by=staff,
            submitted_at=None if halfway else now - timedelta(days=3),
        )
        scores += _scores(p, username, 1, only=4 if halfway else None)
    DimensionScore.objects.bulk_create(scores)

    by_participant: dict[int, dict[str, int]] = {}
    for s in scores:
        if s.participant.round_id == closed.pk:
            by_participant.setdefault(s.participant_id, {})[s.dimension] = s.score
    chosen = suggest_for_workshop(aggregate(by_participant.values()), 4)
    workshop = ConsensusWorkshop.objects.create(
        round=closed, held_on=date(2025, 11, 18), facilitator=staff, attendees=9,
        notes="Vier uur in het gemeentehuis van Ninove; huisartsen, thuisverpleging, OCMW en welzijn aanwezig.",
    )
    WorkshopDimension.objects.bulk_create(
        WorkshopDimension(
            workshop=workshop, dimension=code, consensus_score=BASE_2025[codes().index(code)],
            argument="Na bespreking: " + ARGUMENTS[codes().index(code)].lower() + ".",
        )
        for code in chosen
    )
    return {"rounds": 2, "scores": len(scores), "workshop_dimensions": chosen}
