"""ChargeItem: a registered provision (issue #20), read and search only.

Why served: the population model counts provisions from the zone's own registrations (decision 0027), read
through the pseudonymised Bulk export and the ``cw_provisions`` view. Base R4 (no Belgian profile):
``code`` the provision type, ``subject`` the person, ``occurrenceDateTime`` the day, ``quantity`` the units,
``performer`` the professional or organisation that provided it, ``status`` billable/billed/aborted. No
amount, tariff or payer is served: what a person cost is not needed to count care and stays on the
financing pages. Who may read follows the table's provision rows (``financing.see_provisions``,
``financing.see_medical_provisions``): the person's care relationship, or the staff of the person's zone.
Provisions are registered and cancelled through ``financing.actions``, never here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet

from careweave.access.audit import record_access
from careweave.access.decisions import Decision, decide, persons_visible_to
from careweave.access.guard import require_access
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.fhir.mapping.base import (
    FEW_PERSONS,
    Context,
    Mapping,
    date_filter,
    fhir_date,
    parse_token,
    ref,
)
from careweave.fhir.profiles import CAREWEAVE
from careweave.financing.models import Provision
from careweave.people.models import Person

CW_PROVISION_TYPE = f"{CAREWEAVE}/CodeSystem/provision-type"
STATUS = {Provision.Status.REGISTERED: "billable", Provision.Status.BILLED: "billed",
          Provision.Status.CANCELLED: "aborted"}


def _status_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    codes = {parse_token(v)[1] for v in value.split(",")}
    ours = [k for k, v in STATUS.items() if v in codes]
    return qs.exclude(status__in=ours) if modifier == "not" else qs.filter(status__in=ours)


def _code_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    codes = [parse_token(v)[1] for v in value.split(",")]
    return qs.exclude(provision_type__code__in=codes) if modifier == "not" else qs.filter(
        provision_type__code__in=codes)


def provision_decision(actor: Any, person: Person) -> Decision:
    """The actor's reach on the person's provisions, as the table's two provision rows decide: FULL when
    medical types may be seen too, PLAN for the others, NONE otherwise (then the access decision's own,
    with its explanation)."""
    decision = decide(actor, person)
    if may(actor, "financing.see_medical_provisions", person):
        return decision if decision.allows(Level.FULL) else Decision(Level.FULL, "zone")
    if may(actor, "financing.see_provisions", person):
        return decision if decision.allows(Level.PLAN) else Decision(Level.PLAN, "zone")
    return decision


class ChargeItemMapping(Mapping):
    resource_type = "ChargeItem"
    model = Provision
    person_path = "person"
    select = ("person", "professional", "organisation", "provision_type")
    interactions = ("read", "search-type")
    keeps_source = False
    default_order = ("date", "pk")
    search_params: ClassVar[dict] = {
        "status": _status_filter,
        "code": _code_filter,
        "occurrence": lambda qs, v, m: date_filter(qs, "date", v, is_datetime=False),
    }
    search_docs: ClassVar[dict[str, str]] = {"patient": "reference", "subject": "reference", "status": "token",
                                             "code": "token", "occurrence": "date"}

    def needed_level(self, obj: Provision) -> int:
        return Level.FULL if obj.provision_type.medical else Level.PLAN

    def to_fhir(self, p: Provision) -> dict[str, Any]:
        actor = ref("Practitioner", p.professional, display="") if p.professional_id else \
            ref("Organization", p.organisation, display="")
        resource: dict[str, Any] = {
            "resourceType": "ChargeItem",
            "id": str(p.fhir_id),
            "meta": self.meta(p),
            "identifier": self.identifiers(p),
            "status": STATUS[p.status],
            "code": {"coding": [{"system": CW_PROVISION_TYPE, "code": p.provision_type.code}]},
            "subject": ref("Patient", p.person, display=""),
            "occurrenceDateTime": fhir_date(p.date),
            "quantity": {"value": float(p.quantity)},
            "performer": [{"actor": actor}],
            "enteredDate": fhir_date(p.created_at.date()) if p.created_at else None,
        }
        return {k: v for k, v in resource.items() if v is not None}

    def authorise_read(self, ctx: Context, obj: Provision, action: str = "read", needed: int | None = None
                       ) -> None:
        """The table's provision rows decide; the read is audited on the person's file either way."""
        person = obj.person
        level = max(self.needed_level(obj), needed or 0)
        decision = provision_decision(ctx.actor, person)
        if not decision.allows(level):
            require_access(ctx.actor, person, action=action, resource_type=self.resource_type,
                           resource_id=self.resource_id(obj), needed=level, request=ctx.request)
        record_access(ctx.actor, action, self.resource_type, self.resource_id(obj), person=person,
                      request=ctx.request, basis=decision.basis)

    def visible(self, ctx: Context, qs: QuerySet, explicit: list[Person] | None) -> tuple[QuerySet, dict]:
        """As every search (mapping/base.py), with the provision rows' reach instead of the care relationship's
        alone: the zone's staff see the provisions of the zone's persons."""
        if explicit is not None:
            decisions = {}
            for person in explicit:
                decision = provision_decision(ctx.actor, person)
                if not decision.allows(Level.PLAN):
                    require_access(ctx.actor, person, action="search", resource_type=self.resource_type,
                                   request=ctx.request)
                decisions[person.pk] = decision
        else:
            persons = list(Person.objects.filter(pk__in=qs.order_by().values("person_id"))[: FEW_PERSONS + 1])
            if len(persons) > FEW_PERSONS:
                from careweave.territory.models import ZoneStaff

                zones = ZoneStaff.objects.filter(user=ctx.actor, role__in=("staff", "contact_point")).values("zone")
                mine = Person.objects.filter(zone__in=zones).values("pk") if getattr(
                    ctx.actor, "is_authenticated", False) else Person.objects.none().values("pk")
                wanted = qs.filter(person_id__in=list(persons_visible_to(ctx.actor))) | qs.filter(person_id__in=mine)
                persons = list(Person.objects.filter(pk__in=wanted.order_by().values("person_id")))
            decisions = {person.pk: provision_decision(ctx.actor, person) for person in persons}
        return self.restrict(ctx, qs, decisions), decisions

    def restrict(self, ctx: Context, qs: QuerySet, decisions: dict) -> QuerySet:
        full = [pk for pk, d in decisions.items() if d.allows(Level.FULL)]
        partial = [pk for pk, d in decisions.items() if d.allows(Level.PLAN) and not d.allows(Level.FULL)]
        return qs.filter(person_id__in=full) | qs.filter(person_id__in=partial, provision_type__medical=False)


MAPPINGS: list[Mapping] = [ChargeItemMapping()]
