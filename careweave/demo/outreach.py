"""Demo data of issue #20: an outreach list the zone sent to the GPs, followed up in part, and a PDCA target.

Seed data "as if" it happened: zone staff sent the list of level-3 persons without a care coordinator;
Careweave found some of them among its own persons (through their stored zone pseudonyms), among them
patients of Dr. Claes (``gp``), who followed two up already. The zone set itself a flu-vaccination
target with two actions and two review moments.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from careweave.careplans.models import TeamMember
from careweave.people.models import Person
from careweave.people.pseudonyms import refresh_zone
from careweave.population.models import OutreachItem, OutreachList, PdcaAction, PdcaReview, PdcaTarget
from careweave.territory.models import Zone


def load_outreach(users: dict[str, Any], now: Any) -> dict[str, int]:
    zone = Zone.objects.get(code="ZORA")
    refresh_zone(zone.code)
    gp = users["gp"].professional
    maria = Person.objects.get(user=users["person"])
    own = list(Person.objects.filter(care_teams__members__professional=gp,
                                     care_teams__members__status=TeamMember.Status.ACTIVE)
               .exclude(pk=maria.pk).distinct().order_by("pk")[:7])
    others = list(Person.objects.filter(zone=zone, user__isnull=True).exclude(pk__in=[p.pk for p in own])
                  .exclude(pk=maria.pk).order_by("pk")[:12])
    on_list = [maria, *own, *others]
    sent = OutreachList.objects.create(zone=zone, reason="no_coordinator", level=3, size=len(on_list),
                                       matched=len(on_list), sent_by=users["zonestaff"],
                                       sent_at=now - timedelta(days=6),
                                       note="Graag bekijken of een zorg- en welzijnscoördinator zinvol is.")
    states = ["followed_up", "not_relevant", "followed_up"]
    for i, person in enumerate(on_list):
        state = states[i - 1] if 1 <= i <= len(states) else ("followed_up" if i % 3 == 0 and i > 8 else "open")
        OutreachItem.objects.create(outreach_list=sent, person=person, level=3, reasons="no_coordinator", state=state,
                                    state_changed_at=now - timedelta(days=2) if state != "open" else None,
                                    state_changed_by=users["gp"] if state != "open" and i <= len(states) else None)
    target = PdcaTarget.objects.create(zone=zone, indicator="flu_vaccination_65", target_value=65.0,
                                       target_year=now.year + 1, set_by=users["zonestaff"],
                                       rationale="Griepvaccinatie bij 65-plussers: samen met apothekers en huisartsen.")
    PdcaAction.objects.create(target=target, description="Vaccinatiedag in de woonzorgcentra van Ninove en Lede",
                              owner_name="Lotte Maes (ELZ Zora)", due_date=(now + timedelta(days=40)).date())
    PdcaAction.objects.create(target=target, description="Huisartsen en apothekers sturen een herinnering",
                              owner_name="Kring huisartsen Dender", due_date=(now + timedelta(days=20)).date(),
                              status=PdcaAction.Status.IN_PROGRESS)
    PdcaReview.objects.create(target=target, planned_on=(now - timedelta(days=30)).date(), held=True,
                              learned="Minder bereik bij alleenwonenden: thuisverpleging vraagt het mee na.")
    PdcaReview.objects.create(target=target, planned_on=(now + timedelta(days=75)).date())
    return {"outreach_items": len(on_list), "targets": 1}
