"""Consent (the person's access choices, AccessRule) and AuditEvent (the audit trail, read-only).

Who sees the audit trail through the API: the person themselves and their representative or proxy
(access bases ``self`` and ``proxy``). Professionals, even with full access, do not: the trail is
the person's instrument to check who looked at their file, and it also describes the professionals'
own work; a privacy officer uses the admin instead. Reading the trail is itself audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from careweave.access.actions import revoke_access_choice, set_access_choice
from careweave.access.audit import record_access
from careweave.access.decisions import decide, persons_visible_to
from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, AuditEvent, Level
from careweave.fhir.errors import NotFound, Unprocessable
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    date_filter,
    instant,
    parse_instant,
    ref,
    reference_id,
    require_subject,
    same_person,
    token_filter,
    user_reference,
)
from careweave.fhir.profiles import ACT_CODE, CONFIDENTIALITY, CONSENT_SCOPE, CW_ACCESS_SECTOR, CW_AUDIT_BASIS, LOINC
from careweave.people.models import Person, Professional, RelatedPerson

PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
CONSENT_STATUS_IN = {"active": True, "inactive": False, "rejected": False, "entered-in-error": False}


def _actor_filter(qs: QuerySet, value: str) -> QuerySet:
    """``actor=Practitioner/{id}`` or ``RelatedPerson/{id}`` (a bare id matches either)."""
    q = Q()
    for item in value.split(","):
        key = as_uuid(reference_id(item))
        if key is None:
            continue
        if not item.startswith("RelatedPerson/"):
            q |= Q(professional__fhir_id=key)
        if not item.startswith("Practitioner/"):
            q |= Q(related_person__fhir_id=key)
    return qs.filter(q) if q else qs.none()


class ConsentMapping(Mapping):
    resource_type = "Consent"
    model = AccessRule
    person_path = "person"
    select = ("person", "professional", "related_person", "recorded_by__professional", "recorded_by__person")
    has_external_id = False
    search_docs = {"patient": "reference", "status": "token", "actor": "reference", "period": "date"}
    search_params = {
        "status": lambda qs, v, m: qs.filter(active=v.split(",")[0] == "active"),
        "period": lambda qs, v, m: date_filter(qs, "valid_from", v),
        "actor": lambda qs, v, m: _actor_filter(qs, v),
    }

    def to_fhir(self, rule: AccessRule) -> dict[str, Any]:
        if rule.professional_id:
            grantee = ref("Practitioner", rule.professional)
        elif rule.related_person_id:
            grantee = ref("RelatedPerson", rule.related_person)
        else:
            grantee = {"identifier": {"system": CW_ACCESS_SECTOR, "value": rule.sector},
                       "display": str(rule.get_sector_display())}
        provision: dict[str, Any] = {
            "type": "deny" if rule.level == Level.NONE else "permit",
            "period": {"start": instant(rule.valid_from)},
            "actor": [{"role": {"coding": [{"system": PARTICIPATION, "code": "IRCP"}]}, "reference": grantee}],
        }
        if rule.valid_until:
            provision["period"]["end"] = instant(rule.valid_until)
        if rule.level == Level.PLAN:
            # The shared plan, but not what is labelled medical (restricted).
            provision["provision"] = [{"type": "deny", "securityLabel": [{"system": CONFIDENTIALITY, "code": "R"}]}]
        resource: dict[str, Any] = {
            "resourceType": "Consent",
            "id": str(rule.fhir_id),
            "meta": self.meta(rule),
            "identifier": self.identifiers(rule),
            "status": "active" if rule.is_current() else "inactive",
            "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
            "patient": ref("Patient", rule.person),
            "dateTime": instant(rule.created_at),
            "performer": [ref("Patient", rule.person)],
            "policyRule": {"coding": [{"system": ACT_CODE, "code": "OPTOUT" if rule.level == Level.NONE else "OPTIN"}]},
            "provision": provision,
        }
        recorder = user_reference(rule.recorded_by)
        if recorder and "reference" in recorder and recorder != resource["performer"][0]:
            resource["performer"].append(recorder)
        return resource

    def values(self, ctx: Context, resource: dict) -> dict[str, Any]:
        provision = resource.get("provision") or {}
        actors = provision.get("actor") or []
        if len(actors) != 1:
            raise Unprocessable(_("Say who this choice is about (one professional, network member or sector)."),
                                expression=["provision.actor"])
        reference = actors[0].get("reference") or {}
        professional = related = None
        sector = ""
        identifier = reference.get("identifier") or {}
        if identifier.get("system") == CW_ACCESS_SECTOR:
            sector = identifier.get("value") or ""
            if sector not in AccessRule.Sector.values:
                raise Unprocessable(_("Choose one of the offered access levels."), expression=["provision.actor"])
        else:
            grantee = ctx.resolve(reference, "Practitioner", "RelatedPerson", what=_("the grantee"))
            if isinstance(grantee, Professional):
                professional = grantee
            elif isinstance(grantee, RelatedPerson):
                related = grantee
            else:
                raise Unprocessable(_("Say who this choice is about (one professional, network member or sector)."))
        if provision.get("type") == "deny":
            level = Level.NONE
        else:
            nested = provision.get("provision") or []
            restricted = any(
                n.get("type") == "deny"
                and any(label.get("code") in ("R", "V") for label in n.get("securityLabel") or [])
                for n in nested
            )
            level = Level.PLAN if restricted else Level.FULL
        return {
            "level": level, "professional": professional, "related_person": related, "sector": sector,
            "valid_until": parse_instant((provision.get("period") or {}).get("end")),
        }

    def create(self, ctx: Context, resource: dict) -> AccessRule:
        person = require_subject(ctx, resource, "patient")
        values = self.values(ctx, resource)
        if CONSENT_STATUS_IN.get(resource.get("status") or "active") is False:
            raise Unprocessable(_("A new access choice must be active."), expression=["status"])
        return set_access_choice(ctx.actor, person, **values)

    def update(self, ctx: Context, rule: AccessRule, resource: dict, expected: int) -> bool:
        same_person(rule.person, ctx, resource, "patient")
        if rule.version != expected:
            from careweave.versioning import ChangedMeanwhile

            raise ChangedMeanwhile(rule, expected)
        active = CONSENT_STATUS_IN.get(resource.get("status") or "active", True)
        values = self.values(ctx, resource)
        same = (values["level"] == rule.level and values["professional"] == rule.professional
                and values["related_person"] == rule.related_person and values["sector"] == rule.sector
                and values["valid_until"] == rule.valid_until)
        if active and rule.active and same:
            return False
        if not active and same:
            if not rule.active:
                return False
            revoke_access_choice(ctx.actor, rule)
            return True
        raise Unprocessable(
            _("An access choice is not changed in place: create a new Consent, it replaces the earlier choice "
              "for the same grantee (which stays in the history)."),
            rule="consent_replace",
        )


class AuditEventMapping(Mapping):
    """The audit trail. Not versioned: each event is written once and never changed."""

    resource_type = "AuditEvent"
    model = AuditEvent
    person_path = "person"
    select = ("person", "user__professional", "user__person")
    has_external_id = False
    searches_identifiers = False  # an AuditEvent carries no identifier
    versioned = False
    updated_field = "recorded_at"
    default_order = ("-recorded_at", "-pk")
    interactions = ("read", "search-type")
    search_docs = {"patient": "reference", "date": "date", "action": "token", "outcome": "token"}
    search_params = {
        "date": lambda qs, v, m: date_filter(qs, "recorded_at", v),
        "action": token_filter("action"),
        "outcome": token_filter("outcome", {"0": "success", "4": "denied", "8": "denied"}),
    }

    def queryset(self) -> QuerySet:
        return super().queryset().order_by("-recorded_at", "-pk")

    def get(self, rid: str) -> AuditEvent:
        key = as_uuid(rid)
        q = Q(fhir_id=key) if key else (Q(pk=int(rid)) if rid.isdigit() else None)
        event = self.queryset().filter(q).first() if q is not None else None
        if event is None:
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": "AuditEvent", "id": rid})
        return event

    def resource_id(self, event: AuditEvent) -> str:
        return str(event.fhir_id) if event.fhir_id else str(event.pk)

    def version_of(self, event: AuditEvent) -> int:
        return 1

    def last_updated(self, event: AuditEvent):  # noqa: ANN201
        return event.recorded_at

    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        return None

    def identifiers(self, event: AuditEvent) -> list[dict[str, str]]:
        return []

    def to_fhir(self, event: AuditEvent) -> dict[str, Any]:
        who = user_reference(event.user) if event.user_id else None
        if not who or "reference" not in who:
            who = {"display": event.user_display}
        agent: dict[str, Any] = {"who": who, "name": event.user_display, "requestor": True}
        if event.user_role:
            agent["role"] = [{"text": event.user_role}]
        if event.ip_address:
            agent["network"] = {"address": event.ip_address, "type": "2"}
        entity: dict[str, Any] = {"what": {"reference": f"{event.resource_type}/{event.resource_id}"}
                                  if event.resource_id else {"display": event.resource_type}}
        if event.reason and event.outcome == AuditEvent.Outcome.SUCCESS:
            entity["description"] = event.reason
        entities = [entity]
        if event.person_id:
            entities.append({"what": ref("Patient", event.person),
                             "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"}})
        resource: dict[str, Any] = {
            "resourceType": "AuditEvent",
            "id": self.resource_id(event),
            "meta": {"versionId": "1", "lastUpdated": instant(event.recorded_at)},
            "type": {"system": AUDIT_TYPE, "code": "rest", "display": "RESTful Operation"},
            "action": event.action,
            "recorded": instant(event.recorded_at),
            "outcome": "0" if event.outcome == AuditEvent.Outcome.SUCCESS else "4",
            "agent": [agent],
            "source": {"site": event.channel, "observer": {"display": "Careweave"},
                       "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}]},
            "entity": entities,
        }
        if event.outcome != AuditEvent.Outcome.SUCCESS and event.reason:
            resource["outcomeDesc"] = event.reason
        if event.basis:
            resource["purposeOfEvent"] = [{"coding": [{"system": CW_AUDIT_BASIS, "code": event.basis}]}]
        return resource

    def _refuse(self, ctx: Context, person: Person | None, basis: str) -> None:
        message = _("Only the person or their representative can see who accessed their file.")
        record_access(ctx.actor, "read", "AuditEvent", person=person, outcome="denied", reason=message,
                      request=ctx.request, basis=basis)
        raise AccessRefused(message)

    def authorise_read(self, ctx: Context, event: AuditEvent, action: str = "read") -> None:
        person = event.person
        basis = decide(ctx.actor, person).basis if person is not None else "none"
        if basis not in ("self", "proxy"):
            self._refuse(ctx, person, basis)
        record_access(ctx.actor, action, "AuditEvent", self.resource_id(event), person=person,
                      request=ctx.request, basis=basis)

    def visible(self, ctx: Context, qs: QuerySet, explicit: list[Person] | None) -> tuple[QuerySet, dict]:
        if explicit is not None:
            persons = explicit
            for person in persons:
                basis = decide(ctx.actor, person).basis
                if basis not in ("self", "proxy"):
                    self._refuse(ctx, person, basis)
        else:
            persons = list(Person.objects.filter(pk__in=persons_visible_to(ctx.actor)))
            persons = [p for p in persons if decide(ctx.actor, p).basis in ("self", "proxy")]
        for person in persons:
            record_access(ctx.actor, "search", "AuditEvent", person=person, request=ctx.request,
                          basis=decide(ctx.actor, person).basis)
        return qs.filter(person__in=persons), {}


MAPPINGS = [ConsentMapping(), AuditEventMapping()]


