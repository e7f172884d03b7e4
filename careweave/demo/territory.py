"""Demo data of the territory app: the social map of ELZ Zora and a few referrals (called by demo.loader).

Overlapping zones as the seeds describe them (001 l.2863-2877: zorgraad, regional care zone, hospital
networks; statistical sectors as the finest grain, l.2977-2987), care and welfare services with their
languages and opening hours (001 l.3339-3341; 000 l.372-373, l.416-422: rights services and GGZ
"kruispunten"), and referrals in each status, made through the actions so that they obey the rules.
"""

from __future__ import annotations

import random
from datetime import datetime, time
from typing import Any

from django.contrib.auth.models import User

from careweave.careplans.models import TeamMember
from careweave.people.models import Discipline, Organisation, Person, Professional, Sector
from careweave.territory import actions
from careweave.territory.geo import POSTAL_CODES
from careweave.territory.models import Location, OpeningHours, Referral, Service, Zone

ZORA_CODES = ["9400", "9470", "9450", "9420", "9340", "1770"]
NIS = {"9400": 41048, "9470": 41011, "9450": 41024, "9420": 41082, "9340": 41034, "1770": 23044}
STREETS = ["Kerkstraat", "Stationsstraat", "Markt", "Brusselsesteenweg", "Dreef", "Molenstraat", "Nieuwstraat",
           "Geraardsbergsestraat", "Oudenaardsestraat", "Kapellestraat", "Bergstraat", "Pastorijstraat"]
WEEKDAY_HOURS = [(time(8, 30), time(12, 0)), (time(13, 30), time(18, 0))]

# (name, discipline, category, sector, languages, postal code, organisation key or "", manager username or "")
ORGANISATION_SERVICES = [
    ("Huisartsenpraktijk De Linde", "gp", "care", "care", "nl,fr,en", "9400", "Huisartsenpraktijk De Linde", "gp"),
    ("Thuisverpleging Dender", "home_nurse", "care", "care", "nl,fr", "9470", "Thuisverpleging Dender", "nurse"),
    ("OCMW Ninove — sociale dienst", "social_worker", "welfare", "welfare", "nl,fr", "9400", "OCMW Ninove",
     "socialworker"),
    ("OCMW Ninove — dienst rechten en voordelen", "social_worker", "rights", "welfare", "nl,fr,en", "9400",
     "OCMW Ninove", "socialworker"),
    ("Familiezorg Denderstreek", "family_aid", "welfare", "welfare", "nl", "9450", "Familiezorg Denderstreek", ""),
    ("Kruispunt GGZ Dender", "psychologist", "mh_entry", "care", "nl,fr", "9400",
     "Centrum Geestelijke Gezondheidszorg Dender", ""),
    ("CGG Dender — volwassenen", "psychologist", "care", "care", "nl", "9300",
     "Centrum Geestelijke Gezondheidszorg Dender", ""),
    ("Dienst Maatschappelijk Werk van het ziekenfonds", "social_worker", "rights", "welfare", "nl,fr", "9470",
     "Ziekenfonds Midden-Vlaanderen", ""),
    ("CAW Oost-Vlaanderen — onthaal Ninove", "social_worker", "welfare", "welfare", "nl,en", "9400", "", ""),
    ("Geïntegreerd Breed Onthaal Denderleeuw", "social_worker", "welfare", "welfare", "nl,fr", "9470", "", ""),
    ("Buurtteam Zorgzame Buurt Liedekerke", "peer_worker", "community", "welfare", "nl,fr", "1770", "", ""),
    ("Lokaal dienstencentrum De Brug", "educator", "community", "welfare", "nl", "9340", "", ""),
    ("Apotheek Denderleeuw Centrum", "pharmacist", "care", "care", "nl,fr", "9470", "", ""),
    ("Cabinet de kinésithérapie Lennik", "physio", "care", "care", "fr,nl", "1750", "", ""),
    ("Kinepraktijk Geraardsbergen", "physio", "care", "care", "nl", "9500", "", ""),
    ("AZ Aalst — sociale dienst", "social_worker", "welfare", "welfare", "nl,fr,en", "9300", "", ""),
]


def _point(rng: random.Random, code: str) -> tuple[float, float]:
    _name, lat, lon = POSTAL_CODES[code]
    return lat + rng.uniform(-0.012, 0.012), lon + rng.uniform(-0.018, 0.018)


def _zones(zora: Zone) -> dict[str, Zone]:
    """Overlapping layers around ELZ Zora; municipalities learn their postal codes (membership is derived)."""
    for code, nis in NIS.items():
        Zone.objects.filter(code=f"NIS-{nis}").update(postal_codes=code)
    Zone.objects.filter(pk=zora.pk).update(postal_codes=" ".join(ZORA_CODES))
    specs = [
        ("ZR-ZORA", "Zorgraad Zora", Zone.Kind.ZORGRAAD, " ".join(ZORA_CODES), None),
        ("RZ-DENDER", "Regionale zorgzone Dender", Zone.Kind.REGIONAL_CARE_ZONE, " ".join([*ZORA_CODES, "9300"]),
         None),
        ("HN-DENDER-SCHELDE", "Ziekenhuisnetwerk Dender-Schelde", Zone.Kind.HOSPITAL_NETWORK,
         "9300 9400 9420 9340 9450 9470 9500", None),
        ("GGZ-DENDER", "Netwerk GGZ volwassenen Dender", Zone.Kind.MENTAL_HEALTH_NETWORK,
         " ".join([*ZORA_CODES, "9300", "9500"]), None),
    ]
    out = {}
    for code, name, kind, postal, parent in specs:
        out[code], _created = Zone.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "region": Zone.Region.FLANDERS,
                                 "postal_codes": postal, "parent": parent})
    out["ZR-ZORA"].overlaps.add(zora)
    out["HN-DENDER-SCHELDE"].overlaps.add(zora, out["RZ-DENDER"])
    zora.parent = out["RZ-DENDER"]
    zora.save(update_fields=["parent"])
    for nis, sectors in {41048: ["A00-", "A01-", "B10-"], 41011: ["A00-", "A1--"]}.items():
        parent = Zone.objects.filter(code=f"NIS-{nis}").first()
        for suffix in sectors:  # statistical sectors (Statbel codes: NIS + sector letters/digits)
            out[f"{nis}{suffix}"], _c = Zone.objects.update_or_create(
                code=f"{nis}{suffix}", defaults={"name": f"{parent.name if parent else nis} {suffix.strip('-')}",
                                                 "kind": Zone.Kind.STATISTICAL_SECTOR,
                                                 "region": Zone.Region.FLANDERS, "parent": parent})
    return out


def _service(rng: random.Random, sectors: list[Zone], *, name: str, discipline: str, category: str, sector: str,
             languages: str, code: str, organisation: Organisation | None = None,
             professional: Professional | None = None, hours: list[tuple[int, time, time]]) -> Service:
    lat, lon = _point(rng, code)
    municipality = POSTAL_CODES[code][0]
    location = Location.objects.create(
        name=name, street=f"{rng.choice(STREETS)} {rng.randint(1, 140)}", postal_code=code,
        municipality=municipality, latitude=round(lat, 5), longitude=round(lon, 5),
        wheelchair_access=rng.random() < 0.6)
    declared = [z for z in sectors if z.parent is not None and z.parent.name == municipality][:1]
    actions.place_location(location, declared)
    service = Service.objects.create(
        name=name, discipline=discipline, category=category, sector=sector, languages=languages, location=location,
        organisation=organisation, professional=professional,
        phone=f"+32 54 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        home_visits=discipline in ("home_nurse", "family_aid", "physio", "ot") and rng.random() < 0.7,
        description="")
    OpeningHours.objects.bulk_create(OpeningHours(service=service, weekday=d, opens=o, closes=c) for d, o, c in hours)
    return service


def _hours(rng: random.Random, discipline: str) -> list[tuple[int, time, time]]:
    days = range(7) if discipline == "home_nurse" else range(5)
    out = [(d, o, c) for d in days for o, c in WEEKDAY_HOURS if not (d == 2 and o.hour >= 12 and rng.random() < 0.4)]
    if discipline in ("gp", "pharmacist", "physio") and rng.random() < 0.5:
        out.append((5, time(9, 0), time(12, 0)))
    return out


def load_territory(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """The social map of the demo zone: ~70 services, overlapping zones and referrals in every status."""
    from careweave.demo.loader import DEMO_PASSWORD

    rng = random.Random(1010)
    zora = Zone.objects.get(code="ZORA")
    layers = _zones(zora)
    sectors = [z for z in layers.values() if z.kind == Zone.Kind.STATISTICAL_SECTOR]
    for z in sectors:
        z.parent = Zone.objects.filter(pk=z.parent_id).first()
    orgs = {o.name: o for o in Organisation.objects.all()}
    managed: dict[str, Service] = {}
    count = 0
    for name, discipline, category, sector, languages, code, org, manager in ORGANISATION_SERVICES:
        service = _service(rng, sectors, name=name, discipline=discipline, category=category, sector=sector,
                           languages=languages, code=code, organisation=orgs.get(org),
                           hours=_hours(rng, discipline))
        if manager and manager in users:
            service.managed_by.add(users[manager])
            managed.setdefault(manager, service)
        count += 1
    # One entry per professional of the zone's pool, in the municipality they work from.
    physio_fr = 0
    for i, pro in enumerate(Professional.objects.filter(zone=zora, active=True).exclude(
            discipline=Discipline.CASE_MANAGER).order_by("pk")):
        languages = pro.languages
        if pro.discipline == Discipline.PHYSIOTHERAPIST and physio_fr < 2:
            languages, physio_fr = "fr,nl", physio_fr + 1
        code = ZORA_CODES[i % len(ZORA_CODES)]
        title = f"{pro.get_discipline_display()} {pro.given_name} {pro.family_name}"
        service = _service(rng, sectors, name=title[:1].upper() + title[1:], discipline=pro.discipline,
                           category="welfare" if pro.sector == Sector.WELFARE else "care", sector=pro.sector,
                           languages=languages, code=code, organisation=pro.organisation, professional=pro,
                           hours=_hours(rng, pro.discipline))
        if pro.user_id:
            service.managed_by.add(pro.user)
        count += 1
    # A French-speaking physiotherapist who keeps her own entry (demo account "physio").
    physio_user = User.objects.create_user("physio", password=DEMO_PASSWORD, first_name="Claire", last_name="Dubois")
    users["physio"] = physio_user
    claire = Professional.objects.create(user=physio_user, given_name="Claire", family_name="Dubois",
                                         discipline=Discipline.PHYSIOTHERAPIST, languages="fr,nl,en", zone=zora,
                                         email="claire.dubois@example.org")
    own = _service(rng, sectors, name="Kinésithérapie Claire Dubois", discipline=Discipline.PHYSIOTHERAPIST,
                   category="care", sector="care", languages="fr,nl,en", code="9470", professional=claire,
                   hours=_hours(rng, "physio"))
    own.managed_by.add(physio_user)
    count += 1
    referrals = _referrals(users, own, managed)
    return {"services": count, "zones": len(layers), "referrals": referrals}


def _referrals(users: dict[str, User], physio: Service, managed: dict[str, Service]) -> dict[str, int]:
    """Referrals by the demo GP to the demo providers, one in each status, through the actions."""
    gp = users.get("gp")
    if gp is None or not hasattr(gp, "professional"):
        return {}
    persons = list(Person.objects.filter(care_teams__members__professional=gp.professional,
                                         care_teams__members__status=TeamMember.Status.ACTIVE).distinct()[:4])
    maria = Person.objects.filter(user=users.get("person")).first()
    if maria in persons:
        persons.remove(maria)
        persons.insert(0, maria)
    social = managed.get("socialworker")
    nursing = managed.get("nurse")
    plan = [
        (physio, "Mobiliteit na val: oefentherapie aan huis", "sent"),
        (social, "Vraag naar verhoogde tegemoetkoming en mantelzorgpremie", "accepted"),
        (nursing, "Wondzorg na ontslag uit het ziekenhuis", "refused"),
        (social, "Budgetbegeleiding", "done"),
    ]
    counts: dict[str, int] = {}
    for person, (service, reason, status) in zip(persons, plan, strict=False):
        if service is None:
            continue
        referral = actions.refer_to_service(gp, person, service, reason=reason,
                                            urgency=Referral.Urgency.ROUTINE)
        receiver = actions.receivers_of(service)[0]
        if status in ("accepted", "done"):
            actions.accept_referral(receiver, referral)
        if status == "refused":
            actions.refuse_referral(receiver, referral, "Geen plaats deze maand: vraag Thuisverpleging Liedekerke")
        if status == "done":
            actions.complete_referral(receiver, referral, "Budgetplan opgesteld")
        counts[status] = counts.get(status, 0) + 1
    return counts
