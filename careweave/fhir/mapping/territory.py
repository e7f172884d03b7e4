"""Location, HealthcareService and referrals as ServiceRequest (registered in fhir/registry.py).

The social map is a directory, not personal data: any authenticated user may read it (C10-R11, 001
l.17735-17748: persons and professionals both search it). Providers change their entries on the web page
that checks they keep them (territory.actions.update_service). Location follows HL7 Belgium BeLocation
(``be-location``, BeAddress); ``near`` is the standard Location search ``lat|lon|distance|km``.

Referrals are served as ServiceRequest through the same type that keeps ServiceRequests received from
other systems (``mapping/stored.py``): each referral action writes its FHIR face to ``StoredResource``
under the referral's own id (:func:`store_referral`), as assessments do for their score Observations.
So ``ServiceRequest/{id}``, ``ServiceRequest?patient=`` and ``Patient/{id}/ServiceRequest`` answer
for both, with the same access rule (full access to the person, audited).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.fhir.errors import BadRequest
from careweave.fhir.mapping.base import (
    Mapping,
    boolean_filter,
    instant,
    ref,
    reference_filter,
    string_filter,
    token_filter,
    user_reference,
)
from careweave.fhir.profiles import BE_CORE, CAREWEAVE, CW_DISCIPLINE, URI
from careweave.territory.geo import bounding_box, haversine_km
from careweave.territory.models import Location, Referral, Service

CW_CATEGORY = f"{CAREWEAVE}/CodeSystem/service-category"
LANGUAGE = "urn:ietf:bcp:47"
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def near_filter(qs: QuerySet, value: str, modifier: str, path: str = "") -> QuerySet:
    """``near=lat|lon|distance|unit`` (km or m; default 10 km): within the great-circle distance."""
    parts = value.split("|")
    try:
        lat, lon = float(parts[0]), float(parts[1])
        distance = float(parts[2]) if len(parts) > 2 and parts[2] else 10.0
    except (ValueError, IndexError):
        raise BadRequest(_("near needs latitude|longitude|distance|unit, e.g. 50.83|4.02|5|km.")) from None
    unit = parts[3] if len(parts) > 3 and parts[3] else "km"
    if unit not in ("km", "m") or not (-90 <= lat <= 90 and -180 <= lon <= 180) or distance <= 0:
        raise BadRequest(_("near needs a position on Earth and a distance in km or m."))
    km = distance / 1000 if unit == "m" else distance
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, km)
    prefix = f"{path}__" if path else ""
    boxed = qs.filter(**{f"{prefix}latitude__range": (lat_min, lat_max),
                         f"{prefix}longitude__range": (lon_min, lon_max)})
    rows = boxed.values_list("pk", f"{prefix}latitude", f"{prefix}longitude")
    return qs.filter(pk__in=[pk for pk, a, b in rows if haversine_km(lat, lon, a, b) <= km])


class LocationMapping(Mapping):
    resource_type = "Location"
    model = Location
    interactions = ("read", "search-type")
    default_order = ("municipality", "name", "pk")
    search_docs = {"name": "string", "address": "string", "address-city": "string",
                   "address-postalcode": "string", "near": "special"}
    search_params = {
        "name": string_filter("name"),
        "address": string_filter("street", "municipality", "postal_code"),
        "address-city": string_filter("municipality"),
        "address-postalcode": string_filter("postal_code"),
        "near": near_filter,
    }

    @property
    def profile(self) -> str | None:
        return f"{BE_CORE}/StructureDefinition/be-location"

    def to_fhir(self, location: Location) -> dict[str, Any]:
        address: dict[str, Any] = {"use": "work", "type": "physical", "city": location.municipality,
                                   "postalCode": location.postal_code, "country": "BE"}
        if location.street:
            address["line"] = [location.street]
        return {
            "resourceType": "Location",
            "id": str(location.fhir_id),
            "meta": self.meta(location),
            "identifier": self.identifiers(location),
            "status": "active",
            "name": location.name,
            "mode": "instance",
            "address": address,
            "position": {"latitude": location.latitude, "longitude": location.longitude},
            "extension": [{"url": f"{CAREWEAVE}/StructureDefinition/wheelchair-access",
                           "valueBoolean": location.wheelchair_access}],
        }


def _language_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    q = Q()
    for code in value.split(","):
        code = code.split("|")[-1].strip().lower()
        q |= Q(languages=code) | Q(languages__startswith=f"{code},") | Q(languages__endswith=f",{code}") \
            | Q(languages__contains=f",{code},")
    return qs.filter(q)


class HealthcareServiceMapping(Mapping):
    resource_type = "HealthcareService"
    model = Service
    select = ("location", "organisation", "professional")
    interactions = ("read", "search-type")
    search_docs = {"name": "string", "specialty": "token", "service-category": "token", "active": "token",
                   "location": "reference", "organization": "reference", "communication": "token",
                   "location.near": "special"}
    search_params = {
        "name": string_filter("name"),
        "specialty": token_filter("discipline"),
        "service-category": token_filter("category"),
        "active": boolean_filter("active"),
        "location": reference_filter("location"),
        "organization": reference_filter("organisation"),
        "communication": _language_filter,
        "location.near": lambda qs, v, m: near_filter(qs, v, m, path="location"),
    }

    def queryset(self) -> QuerySet:
        return super().queryset().prefetch_related("hours")

    def to_fhir(self, service: Service) -> dict[str, Any]:
        available: dict[tuple, list[str]] = {}
        for hours in service.hours.all():
            key = (hours.opens, hours.closes)
            available.setdefault(key, []).append(DAYS[hours.weekday])
        resource: dict[str, Any] = {
            "resourceType": "HealthcareService",
            "id": str(service.fhir_id),
            "meta": self.meta(service),
            "identifier": self.identifiers(service),
            "active": service.active,
            "name": service.name,
            "category": [{"coding": [{"system": CW_CATEGORY, "code": service.category,
                                      "display": str(service.get_category_display())}]}],
            "specialty": [{"coding": [{"system": CW_DISCIPLINE, "code": service.discipline,
                                       "display": str(service.get_discipline_display())}]}],
            "location": [ref("Location", service.location)],
            "communication": [{"coding": [{"system": LANGUAGE, "code": code}]} for code in service.language_list],
            "referralMethod": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/service-referral-method",
                                            "code": "elec"}]}] if service.accepts_referrals else [],
            "availableTime": [
                {"daysOfWeek": days, "availableStartTime": f"{opens:%H:%M:%S}",
                 "availableEndTime": f"{closes:%H:%M:%S}"}
                for (opens, closes), days in sorted(available.items())
            ],
        }
        if service.organisation_id:
            resource["providedBy"] = ref("Organization", service.organisation)
        if service.description:
            resource["comment"] = service.description
        telecom = [{"system": s, "value": v} for s, v in
                   (("phone", service.phone), ("email", service.email), ("url", service.website)) if v]
        if telecom:
            resource["telecom"] = telecom
        if service.professional_id:
            resource["extension"] = [{"url": f"{CAREWEAVE}/StructureDefinition/provided-by-practitioner",
                                      "valueReference": ref("Practitioner", service.professional)}]
        return {k: v for k, v in resource.items() if v != []}


MAPPINGS: list[Mapping] = [LocationMapping(), HealthcareServiceMapping()]


# --------------------------------------------------------------------------- referrals as ServiceRequest

SNOMED = "http://snomed.info/sct"
REFERRAL_STATUS = f"{CAREWEAVE}/StructureDefinition/referral-status"
FHIR_STATUS = {Referral.Status.SENT: "active", Referral.Status.ACCEPTED: "active",
               Referral.Status.REFUSED: "revoked", Referral.Status.DONE: "completed"}


def referral_resource(referral: Referral) -> dict[str, Any]:
    """The referral as a FHIR R4 ServiceRequest; Careweave's own steps (sent, accepted...) in an extension."""
    service = referral.service
    performer = [ref("HealthcareService", service)]
    if referral.receiver_id:
        performer.append(ref("Practitioner", referral.receiver))
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.fhir_id),
        "identifier": [{"system": URI, "value": f"urn:uuid:{referral.fhir_id}"}],
        "extension": [{"url": REFERRAL_STATUS, "valueCode": referral.status}],
        "status": FHIR_STATUS[referral.status],
        "intent": "order",
        "category": [{"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}]}],
        "priority": referral.urgency,
        "code": {"coding": [{"system": CW_DISCIPLINE, "code": service.discipline,
                             "display": str(service.get_discipline_display())}], "text": service.name},
        "subject": ref("Patient", referral.person),
        "authoredOn": instant(referral.created_at),
        "requester": user_reference(referral.requested_by),
        "performer": performer,
        "locationReference": [ref("Location", service.location)],
        "reasonCode": [{"text": referral.reason}],
    }
    notes = [text for text in (referral.note, referral.status_reason) if text]
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def store_referral(referral: Referral) -> None:
    """Write (or bring up to date) the referral's ServiceRequest; a change becomes a new version."""
    from careweave.records.actions import keep_record_as

    keep_record_as(referral.person, "ServiceRequest", referral.fhir_id, f"urn:uuid:{referral.fhir_id}",
                   referral_resource(referral))
