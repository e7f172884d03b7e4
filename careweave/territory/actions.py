"""Social-map and referral actions (C10): the only door for writes to services, locations and referrals.

Rules and their sources: providers keep their own entry (001 l.20354-20356); a zone never binds a
person, so search and referral cross zone borders freely (001 l.3050-3056, l.1244-1252); a referred
professional joins the care team only when the person agrees (001 l.20702-20704).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import authorize, may
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.careplans.limits import check_length
from careweave.careplans.models import TeamMember
from careweave.people.models import Discipline, Language, Person
from careweave.territory import texts as sentences
from careweave.territory.geo import bounding_box, haversine_km, postal_code_centroid
from careweave.territory.models import Location, OpeningHours, Referral, Service, Zone
from careweave.territory.query import interpret

REFERRAL_NOTE_MAX = 2000  # a 20,000-character note once made the referrals page 254,000 px wide (issue 18)

# --------------------------------------------------------------------------- zones


def derive_zones(location: Location) -> set[Zone]:
    """The zones an address falls in: those listing its postal code, its municipality, and every zone
    these are part of. Derived membership only describes the map; it never limits whom a person may see."""
    direct = set(Zone.objects.filter(postal_codes__contains=location.postal_code))
    direct = {z for z in direct if location.postal_code in z.postal_code_list}
    direct |= set(Zone.objects.filter(kind=Zone.Kind.MUNICIPALITY, name__iexact=location.municipality))
    found = set(direct)
    for zone in direct:
        found.update(zone.ancestors())
    return found


def place_location(location: Location, declared: list[Zone] | None = None) -> None:
    """Set a location's zones: the derived ones plus those declared (e.g. a statistical sector)."""
    location.zones.set(derive_zones(location) | set(declared or []))


# --------------------------------------------------------------------------- opening hours

_RANGE = re.compile(r"^(\d{1,2})[:.h](\d{2})\s*[-–]\s*(\d{1,2})[:.h](\d{2})$")


def parse_day_hours(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:00 13:30-17:00"`` -> time ranges; each closes after it opens and none overlap."""
    ranges: list[tuple[time, time]] = []
    for chunk in re.split(r"[,;\s]+(?=\d)", text.strip()) if text.strip() else []:
        match = _RANGE.match(chunk.strip())
        if not match:
            raise ValidationError(
                _("“%(text)s” is not a time range: write it as 09:00-12:00.") % {"text": chunk.strip()}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationError(_("“%(text)s” is not a time of day.") % {"text": chunk.strip()})
        opens, closes = time(h1, m1), time(23, 59) if h2 == 24 else time(h2, m2)
        if closes <= opens:
            raise ValidationError(
                _("%(range)s: the closing time must come after the opening time.") % {"range": chunk.strip()}
            )
        ranges.append((opens, closes))
    ranges.sort()
    for (_o1, c1), (o2, _c2) in zip(ranges, ranges[1:], strict=False):
        if o2 < c1:
            raise ValidationError(_("The time ranges of one day must not overlap."))
    return ranges


def format_day_hours(service: Service, weekday: int) -> str:
    return " ".join(f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in service.hours.all() if h.weekday == weekday)


def _set_hours(service: Service, hours: dict[int, list[tuple[time, time]]] | None) -> None:
    if hours is None:
        return
    service.hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(service=service, weekday=day, opens=o, closes=c)
        for day, ranges in hours.items()
        for o, c in ranges
    )


# --------------------------------------------------------------------------- who keeps an entry


def receivers_of(service: Service) -> list[User]:
    """Who receives referrals to a service: its managers and the professional it describes."""
    users = list(service.managed_by.filter(is_active=True))
    if service.professional_id and service.professional.user_id and service.professional.user not in users:
        users.append(service.professional.user)
    return users


def services_managed_by(user) -> QuerySet:  # noqa: ANN001
    return Service.objects.filter(Q(managed_by=user) | Q(professional__user=user)).distinct()


def _audit_entry(actor, action: str, obj, reason: str = "") -> None:  # noqa: ANN001
    resource_type = "Location" if isinstance(obj, Location) else "HealthcareService"
    record_access(actor, action, resource_type, str(obj.fhir_id), reason=reason)


SERVICE_FIELDS = ("name", "description", "category", "discipline", "sector", "languages", "phone", "email",
                  "website", "accepts_referrals", "home_visits", "active", "organisation", "professional")
LOCATION_FIELDS = ("name", "street", "postal_code", "municipality", "latitude", "longitude", "wheelchair_access")


def _clean_languages(value: str) -> str:
    codes = [c.strip().lower() for c in re.split(r"[,\s]+", value or "") if c.strip()]
    if not codes:
        raise RuleViolation("service_languages", _("Say at least one language in which the service is offered."))
    known = set(Language.values)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise RuleViolation(
            "service_languages",
            _("Unknown language code %(codes)s: use %(known)s.") % {"codes": ", ".join(unknown),
                                                                    "known": ", ".join(Language.values)},
        )
    return ",".join(dict.fromkeys(codes))


def _validated(obj, exclude: list[str]) -> None:  # noqa: ANN001
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        first = next(iter(exc.message_dict.values()))[0] if hasattr(exc, "message_dict") else exc.messages[0]
        raise RuleViolation("invalid_entry", first) from exc


@atomic_action
def register_service(
    actor,  # noqa: ANN001
    *,
    service: dict,
    location: dict,
    hours: dict[int, list[tuple[time, time]]] | None = None,
    zones: list[Zone] | None = None,
) -> Service:
    """A provider puts its own entry on the map and keeps it from then on (it becomes its manager)."""
    authorize(actor, "territory.register_service")
    values = dict(service)
    values["languages"] = _clean_languages(values.get("languages", ""))
    place = Location(**{k: v for k, v in location.items() if k in LOCATION_FIELDS})
    if not place.name:
        place.name = values.get("name", "")
    _validated(place, exclude=[])
    place.save()
    place_location(place, zones)
    entry = Service(location=place, **{k: v for k, v in values.items() if k in SERVICE_FIELDS})
    _validated(entry, exclude=["location"])
    entry.save()
    entry.managed_by.add(actor)
    _set_hours(entry, hours)
    _audit_entry(actor, "create", entry)
    return entry


@atomic_action
def update_service(
    actor,  # noqa: ANN001
    entry: Service,
    expected_version: int,
    *,
    service: dict,
    location: dict,
    hours: dict[int, list[tuple[time, time]]] | None = None,
    zones: list[Zone] | None = None,
) -> Service:
    """The provider changes its own entry; a stale edit is refused (``ChangedMeanwhile``)."""
    authorize(actor, "territory.update_service", entry)
    values = dict(service)
    if "languages" in values:
        values["languages"] = _clean_languages(values["languages"])
    for key, value in values.items():
        if key in SERVICE_FIELDS:
            setattr(entry, key, value)
    _validated(entry, exclude=["location"])
    place = entry.location
    for key, value in location.items():
        if key in LOCATION_FIELDS:
            setattr(place, key, value)
    _validated(place, exclude=[])
    entry.save_versioned(expected_version)
    place.save_versioned()
    place_location(place, zones)
    _set_hours(entry, hours)
    _audit_entry(actor, "update", entry)
    return entry


@atomic_action
def add_keeper(actor, entry: Service, professional) -> Service:  # noqa: ANN001
    """A keeper shares its entry with a colleague (an organisation's entry is kept by several people)."""
    authorize(actor, "territory.add_keeper", entry)
    if professional is None or not professional.active or professional.user_id is None:
        raise RuleViolation("keeper", _("Only an active professional with a Careweave account can keep an entry."))
    if may(professional.user, "territory.update_service", entry):
        raise RuleViolation("keeper", _("%(name)s keeps this entry already.") % {"name": professional})
    entry.managed_by.add(professional.user)
    _audit_entry(actor, "update", entry, reason=f"kept also by {professional}")
    return entry


# --------------------------------------------------------------------------- search


@dataclass
class Hit:
    service: Service
    distance_km: float | None
    open_at: bool | None


def resolve_point(text: str) -> tuple[float, float]:
    """A point to search from: ``lat,lon`` or a Belgian postal code. Bad input is a rule violation."""
    text = (text or "").strip()
    match = re.match(r"^(-?\d+(?:\.\d+)?)\s*[,;]\s*(-?\d+(?:\.\d+)?)$", text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise RuleViolation("near", _("%(text)s is not a position on Earth.") % {"text": text})
        return lat, lon
    if re.fullmatch(r"\d{4}", text):
        point = postal_code_centroid(text)
        if point is None:
            raise RuleViolation("near", _("Postal code %(code)s is not known to the social map.") % {"code": text})
        return point
    raise RuleViolation("near", _("Give a postal code (four digits) or a position as latitude,longitude."))


def search_services(
    *,
    discipline: str = "",
    language: str = "",
    near: tuple[float, float] | None = None,
    within_km: float | None = None,
    open_at: datetime | None = None,
    zone: Zone | None = None,
    category: str = "",
    text: str = "",
    limit: int = 50,
) -> list[Hit]:
    """Active services matching the filters, nearest first (great-circle distance) when a point is given.

    The zone filter is a convenience for a coordinator who wants to know their region (001 l.19538-19544);
    nothing else restricts results by zone.
    """
    qs = Service.objects.filter(active=True)
    if text:  # "kinésithérapeute", "nearest physiotherapist who speaks French": filters typed as words
        reading = interpret(text)
        discipline, language, text = discipline or reading.discipline, language or reading.language, " ".join(
            reading.words)
    if discipline:
        if discipline not in Discipline.values:
            raise RuleViolation("discipline", _("Unknown discipline."))
        qs = qs.filter(discipline=discipline)
    if category:
        qs = qs.filter(category=category)
    if language:
        qs = qs.filter(languages__icontains=language)
    if zone is not None:
        qs = qs.filter(location__zones=zone)
    for word in text.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word)
                       | Q(location__municipality__icontains=word) | Q(organisation__name__icontains=word))
    if near is None or within_km:
        return _hits(_ranked(qs, language, near, within_km), open_at, limit)
    # Nearest first without a radius: widen a ring until it holds ``limit`` hits (all of them nearer than
    # anything outside it), so a search reads the services around the point, not the whole map. Each step
    # guesses the radius from the density seen so far (the area grows with the square of the radius).
    km = FIRST_RING_KM
    while km < WHOLE_MAP_KM:
        ranked = _ranked(qs, language, near, km)
        hits = _hits(ranked, open_at, limit) if len(ranked) >= limit else []
        if len(hits) >= limit:
            return hits
        found = len(hits) if open_at is not None else len(ranked)
        km *= 4.0 if not found else min(4.0, max(1.5, 1.2 * math.sqrt(limit / found)))
    return _hits(_ranked(qs, language, near, None), open_at, limit)


FIRST_RING_KM = 5.0
WHOLE_MAP_KM = 500.0  # Belgium is about 320 km corner to corner: beyond this, read every matching service


def _ranked(qs, language: str, near: tuple[float, float] | None,  # noqa: ANN001
            within_km: float | None) -> list[tuple[float, str, int, float | None]]:
    """(sort distance, name, pk, distance) of the services of ``qs`` within ``within_km`` of ``near``, nearest
    first: a bounding box in SQL, then the exact distance on a few columns (no service is loaded here)."""
    if near is not None and within_km:
        lat_min, lat_max, lon_min, lon_max = bounding_box(near[0], near[1], within_km)
        qs = qs.filter(location__latitude__range=(lat_min, lat_max), location__longitude__range=(lon_min, lon_max))
    ranked = []
    for pk, languages, name, lat, lon in (qs.values_list("pk", "languages", "name", "location__latitude",
                                                         "location__longitude").distinct()):
        if language and language not in Service.codes(languages):
            continue
        distance = haversine_km(near[0], near[1], lat, lon) if near is not None else None
        if within_km and distance is not None and distance > within_km:
            continue
        ranked.append((distance if distance is not None else 0.0, name, pk, distance))
    ranked.sort()
    return ranked


def _hits(ranked: list[tuple[float, str, int, float | None]], open_at: datetime | None, limit: int) -> list[Hit]:
    """The first ``limit`` ranked services (open at ``open_at``, if given) with their location."""
    hits: list[Hit] = []
    step = max(1, limit if open_at is None else 2 * limit)
    services_qs = Service.objects.select_related("location")
    if open_at is not None:
        services_qs = services_qs.prefetch_related("hours")
    for start in range(0, len(ranked), step):
        chunk = ranked[start:start + step]
        services = services_qs.in_bulk([pk for _d, _n, pk, _km in chunk])
        for _d, _n, pk, distance in chunk:
            service = services[pk]
            is_open = service.is_open_at(open_at) if open_at is not None else None
            if open_at is not None and not is_open:
                continue
            hits.append(Hit(service, distance, is_open))
            if len(hits) >= limit:
                return hits
    return hits


def discipline_counts(zone: Zone) -> list[tuple[str, int]]:
    """How many active services of each discipline a zone has (000 l.416-422: "geen accuraat beeld")."""
    from django.db.models import Count

    labels = dict(Discipline.choices)
    rows = (Service.objects.filter(active=True, location__zones=zone).values("discipline")
            .annotate(n=Count("pk", distinct=True)).order_by("-n", "discipline"))
    return [(str(labels.get(r["discipline"], r["discipline"])), r["n"]) for r in rows]


# --------------------------------------------------------------------------- referrals


@atomic_action
def refer_to_service(
    actor,  # noqa: ANN001
    person: Person,
    service: Service,
    *,
    reason: str,
    urgency: str = Referral.Urgency.ROUTINE,
    note: str = "",
) -> Referral:
    """A team member (or the person) refers the person to a service on the map, in any zone."""
    authorize(actor, "territory.refer_to_service", person)
    if not reason.strip():
        raise RuleViolation("referral_reason", _("Say why you refer."))
    if urgency not in Referral.Urgency.values:
        raise RuleViolation("referral_urgency", _("Unknown urgency."))
    note = check_length((note or "").strip(), REFERRAL_NOTE_MAX, _("the note for the receiver"))
    if not service.active or not service.accepts_referrals:
        raise RuleViolation("service_closed", _("%(name)s does not accept referrals.") % {"name": service})
    if not receivers_of(service):
        raise RuleViolation(
            "service_unreachable",
            _("Nobody receives referrals for %(name)s in Careweave yet: contact the service directly.")
            % {"name": service},
        )
    if Referral.objects.filter(person=person, service=service,
                               status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]).exists():
        raise RuleViolation("referral_open", _("There is already an open referral to %(name)s.") % {"name": service})
    referral = Referral.objects.create(
        person=person,
        service=service,
        requested_by=actor,
        requester=getattr(actor, "professional", None),
        reason=reason.strip()[:300],
        urgency=urgency,
        note=note,
    )
    audit_write(actor, "create", "ServiceRequest", referral, person, reason=f"referral to {service}")
    _publish(referral)
    _tell("referral_received", actor, referral, receivers_of(service), reverse("territory:referrals"))
    return referral


def _tell(kind: str, actor, referral: Referral, recipients: Iterable[Any], url: str = "") -> None:  # noqa: ANN001
    """The receiving service hears of a referral, the referrer of the answer (decision 0030)."""
    from careweave.notifications import emit

    emit(kind, person=referral.person, target=referral, actor=actor, recipients=recipients, url=url)


def _require_status(referral: Referral, *allowed: str) -> None:
    if referral.status not in allowed:
        raise RuleViolation(
            "referral_status",
            _("This referral is %(status)s: that step is not possible any more.")
            % {"status": referral.get_status_display()},
        )


def _publish(referral: Referral) -> None:
    """Say that the referral changed: the FHIR app keeps its ServiceRequest equal to it (same transaction)."""
    from careweave.records.signals import referral_changed

    referral_changed.send(sender=Referral, instance=referral)


def _log(actor, referral: Referral, what: str) -> None:  # noqa: ANN001
    _publish(referral)
    record_access(actor, "update", "ServiceRequest", str(referral.fhir_id), person=referral.person,
                  reason=f"referral {what}", basis="referral")


@atomic_action
def accept_referral(actor, referral: Referral, expected_version: int | None = None) -> Referral:  # noqa: ANN001
    """The receiver takes the referral on and is proposed for the care team; the person decides on that."""
    authorize(actor, "territory.accept_referral", referral)
    _require_status(referral, Referral.Status.SENT)
    professional = getattr(actor, "professional", None)
    if professional is None:
        raise RuleViolation("referral_receiver", _("Accept with the account of the professional who takes this on."))
    referral.status = Referral.Status.ACCEPTED
    referral.receiver = professional
    referral.decided_at = timezone.now()
    referral.save_versioned(expected_version)
    referral.team_member = _propose_for_team(referral, professional)
    if referral.team_member is not None:
        Referral.objects.filter(pk=referral.pk).update(team_member=referral.team_member)
    _log(actor, referral, "accepted")
    _tell("referral_accepted", actor, referral, [referral.requested_by])
    return referral


def _propose_for_team(referral: Referral, professional) -> TeamMember | None:  # noqa: ANN001
    """Propose the receiver in the referrer's name (add_team_member: the person's agreement is needed)."""
    from careweave.careplans.actions.team import add_team_member, team_for
    from careweave.people.roles import discipline_code

    team = team_for(referral.person)
    existing = team.members.filter(professional=professional,
                                   status__in=[TeamMember.Status.ACTIVE, TeamMember.Status.PROPOSED]).first()
    if existing is not None:
        return existing
    try:
        member = add_team_member(
            referral.requested_by, team, professional=professional,
            # A code, rendered in each reader's language (issue 18.25), never the referrer's word for it.
            role=discipline_code(referral.service.discipline),
        )
    except RuleViolation:
        return None  # the referrer left the team meanwhile, or is the case manager: the person can add them
    # "referred: …" is rendered for each reader (issue 18.25), not stored in the referrer's language.
    TeamMember.objects.filter(pk=member.pk, reason="").update(message_code=sentences.REFERRED,
                                                              message_params={"reason": referral.reason})
    member.message_code, member.message_params = sentences.REFERRED, {"reason": referral.reason}
    return member


@atomic_action
def refuse_referral(actor, referral: Referral, reason: str, expected_version: int | None = None) -> Referral:  # noqa: ANN001
    authorize(actor, "territory.refuse_referral", referral)
    _require_status(referral, Referral.Status.SENT)
    if not reason.strip():
        raise RuleViolation("referral_reason", _("Say why you refuse, so that the referrer can look further."))
    referral.status = Referral.Status.REFUSED
    referral.status_reason = reason.strip()[:300]
    referral.receiver = getattr(actor, "professional", None)
    referral.decided_at = timezone.now()
    referral.save_versioned(expected_version)
    _log(actor, referral, "refused")
    _tell("referral_refused", actor, referral, [referral.requested_by])
    return referral


@atomic_action
def complete_referral(actor, referral: Referral, note: str = "", expected_version: int | None = None) -> Referral:  # noqa: ANN001
    authorize(actor, "territory.complete_referral", referral)
    _require_status(referral, Referral.Status.ACCEPTED)
    referral.status = Referral.Status.DONE
    referral.status_reason = note.strip()[:300]
    referral.done_at = timezone.now()
    referral.save_versioned(expected_version)
    _log(actor, referral, "done")
    return referral
