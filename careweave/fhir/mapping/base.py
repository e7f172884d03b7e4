"""What every resource mapping shares: references, identifiers, meta, search parameters, access."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from careweave.access.decisions import decide, persons_visible_to
from careweave.access.guard import require_access
from careweave.access.models import Level
from careweave.fhir.conformance import conform
from careweave.fhir.errors import BadRequest, Forbidden, NotFound, Unprocessable
from careweave.fhir.profiles import CONFIDENTIALITY, PROFILES, URI
from careweave.people.models import Person

SearchHandler = Callable[[QuerySet, str, str], QuerySet]
FEW_PERSONS = 50  # a search touching more persons is first narrowed to those the actor may see


# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """Who acts, through which request, and how references in the incoming resource resolve."""

    actor: Any
    request: HttpRequest | None = None
    local: dict[str, tuple[str, models.Model]] = field(default_factory=dict)  # fullUrl -> (type, object)
    in_transaction: bool = False
    goal_plans: dict[str, str] = field(default_factory=dict)  # Goal fullUrl -> CarePlan fullUrl (transaction)
    medical_goals: set[str] = field(default_factory=set)  # Goal fullUrls whose plan addresses a condition
    full_url: str = ""  # fullUrl of the entry being processed
    warnings: list[str] = field(default_factory=list)

    def local_entry(self, target: str) -> tuple[str, models.Model] | None:
        """The record created for an entry of this bundle that ``target`` names: its fullUrl, or a
        relative ``Type/id`` whose entry has the absolute fullUrl ``{base}/Type/id`` (FHIR bundle rules)."""
        if not target:
            return None
        if target in self.local:
            return self.local[target]
        if "://" in target or target.count("/") != 1:
            return None
        tail = "/" + target
        return next((found for url, found in self.local.items() if url.endswith(tail)), None)

    def bundle_key(self, full_url: str, table: dict[str, Any]) -> str | None:
        """The key of ``table`` that names the entry with ``full_url`` (its fullUrl or its ``Type/id`` tail)."""
        if full_url in table:
            return full_url
        parts = full_url.rstrip("/").split("/")
        tail = "/".join(parts[-2:]) if len(parts) >= 2 else ""
        return tail if "://" in full_url and tail in table else None

    def resolve(self, reference: dict | None, *types: str, what: str = "") -> models.Model | None:
        """The record a FHIR Reference points to (or None when absent); refuses other types."""
        if not reference:
            return None
        from careweave.fhir.registry import mapping_for

        target = reference.get("reference") or ""
        if target.startswith(("urn:uuid:", "urn:oid:")):
            if target not in self.local:
                raise Unprocessable(
                    _("The reference %(ref)s points to nothing in this bundle.") % {"ref": target}, code="not-found"
                )
            rtype, obj = self.local[target]
            _check_type(rtype, types, target)
            return obj
        if "?" in target:
            rtype, _sep, query = target.partition("?")
            rtype = rtype.rsplit("/", 1)[-1]
            _check_type(rtype, types, target)
            from careweave.fhir.rest import readable_matches

            # only records the actor may read: a conditional reference must not tell a stranger
            # whether someone exists (issue #17); one out of reach is "matches 0", like nobody
            matches = readable_matches(self, mapping_for(rtype), query)
            if len(matches) != 1:
                raise Unprocessable(
                    _("The conditional reference %(ref)s matches %(count)s resources instead of one.")
                    % {"ref": target, "count": len(matches)},
                    code="not-found" if not matches else "multiple-matches",
                )
            return matches[0]
        entry = self.local_entry(target)
        if entry is not None:  # a relative reference to an entry of the same bundle (fullUrl .../Type/id)
            _check_type(entry[0], types, target)
            return entry[1]
        if target:
            parts = [p for p in target.split("/") if p]
            if "_history" in parts:
                parts = parts[: parts.index("_history")]
            if len(parts) < 2:
                raise Unprocessable(_("The reference %(ref)s is not understood.") % {"ref": target})
            rtype, rid = parts[-2], parts[-1]
            _check_type(rtype, types, target)
            try:
                return mapping_for(rtype).get(rid)
            except NotFound:
                raise Unprocessable(
                    _("The reference %(ref)s points to nothing on this server.") % {"ref": target}, code="not-found"
                ) from None
        ident = reference.get("identifier")
        if ident and len(types) == 1:
            mapping = mapping_for(types[0])
            q = mapping.identifier_q(ident.get("system"), ident.get("value"))
            found = list(mapping.model.objects.filter(q)[:2]) if q is not None else []
            if len(found) == 1:
                return found[0]
        if reference.get("display") and not target and not ident:
            return None
        raise Unprocessable(_("A reference to %(what)s could not be resolved.") % {"what": what or "/".join(types)})


def _check_type(rtype: str, types: tuple[str, ...], target: str) -> None:
    if types and rtype not in types:
        raise Unprocessable(
            _("The reference %(ref)s should point to a %(types)s.") % {"ref": target, "types": " or ".join(types)}
        )


# --------------------------------------------------------------------------- small helpers


def ref(resource_type: str, obj: models.Model | None, display: str | None = None) -> dict | None:
    if obj is None:
        return None
    out: dict[str, Any] = {"reference": f"{resource_type}/{obj.fhir_id}"}
    if display is None:
        display = str(obj)
    if display:
        out["display"] = display
    return out


def user_reference(user) -> dict | None:  # noqa: ANN001
    """The FHIR resource that stands for a user: their Practitioner, their Patient, or a name."""
    if user is None:
        return None
    professional = getattr(user, "professional", None)
    if professional is not None:
        return ref("Practitioner", professional)
    person = getattr(user, "person", None)
    if person is not None:
        return ref("Patient", person)
    name = user.get_full_name() or user.get_username()
    return {"display": name}


def instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def fhir_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_date(value: str | None) -> date | None:
    """A FHIR date or dateTime as a date (partial dates take the first day)."""
    if not value:
        return None
    text = str(value)[:10]
    parts = text.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        raise Unprocessable(_("%(value)s is not a valid date.") % {"value": value}, code="value") from None


def parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value).replace("Z", "+00:00"))
    if parsed is None:
        day = parse_date(value)
        parsed = datetime.combine(day, time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def text_of(concept: dict | None) -> str:
    """The human text of a CodeableConcept."""
    if not concept:
        return ""
    if concept.get("text"):
        return concept["text"]
    for coding in concept.get("coding") or []:
        if coding.get("display"):
            return coding["display"]
    return ""


def code_in(concepts: Iterable[dict] | dict | None, system: str) -> str | None:
    """The first code from ``system`` in one or more CodeableConcepts."""
    if not concepts:
        return None
    if isinstance(concepts, dict):
        concepts = [concepts]
    for concept in concepts:
        for coding in concept.get("coding") or []:
            if coding.get("system") == system and coding.get("code"):
                return coding["code"]
    return None


def extension_value(resource: dict, url: str, kind: str) -> Any:
    for ext in resource.get("extension") or []:
        if ext.get("url") == url:
            return ext.get(kind)
    return None


def is_medical(resource: dict) -> bool | None:
    """Medical detail is labelled restricted (R) in ``meta.security``; normal (N) says it is not."""
    security = (resource.get("meta") or {}).get("security") or []
    labels = {s.get("code") for s in security if s.get("system") == CONFIDENTIALITY}
    if labels & {"R", "V"}:
        return True
    if labels & {"N", "L", "U", "M"}:
        return False
    return None


def split_identifier(external_id: str) -> tuple[str, str]:
    system, sep, value = external_id.partition("|")
    return (system, value) if sep else ("", external_id)


def external_identifier(resource: dict, full_url: str = "", exclude: Iterable[str] = ()) -> str:
    """The source system's identifier as ``system|value`` (or the urn:uuid fullUrl when there is none)."""
    for ident in resource.get("identifier") or []:
        system, value = ident.get("system") or "", ident.get("value") or ""
        if value and system not in exclude and not (system == URI and value.startswith("urn:uuid:")):
            key = f"{system}|{value}"
            if len(key) <= 200:
                return key
    if full_url.startswith("urn:uuid:"):
        return f"{URI}|{full_url}"
    return ""


def parse_token(value: str) -> tuple[str | None, str | None]:
    """FHIR token ``system|code``: (None, code) means any system, ("", code) no system."""
    if "|" not in value:
        return None, value
    system, _sep, code = value.partition("|")
    return system, (code or None)


MAX_IDENTIFIERS = 10  # identifiers searched per received resource (Synthea sends five on a Patient)


def json_identifier_q(system: str | None, value: str | None, field_name: str = "data") -> Q | None:
    """Match a received resource (JSON in ``field_name``) carrying ``system|value`` in ``identifier``.

    JSON key transforms work the same on SQLite and PostgreSQL; the first ``MAX_IDENTIFIERS`` are searched.
    """
    if system is None and value is None:
        return None
    q = Q()
    for position in range(MAX_IDENTIFIERS):
        path = f"{field_name}__identifier__{position}"
        condition: dict[str, Any] = {}
        if value is not None:
            condition[f"{path}__value"] = value
        if system == "":
            condition[f"{path}__system__isnull"] = True
        elif system is not None:
            condition[f"{path}__system"] = system
        q |= Q(**condition)
    return q


def reference_id(value: str) -> str:
    """``Patient/abc``, ``http://host/fhir/R4/Patient/abc`` or ``abc`` -> ``abc``."""
    parts = [p for p in value.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return parts[-1] if parts else value


def as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def date_filter(qs: QuerySet, field_name: str, value: str, *, is_datetime: bool = True) -> QuerySet:
    """FHIR date search (``eq``, ``ne``, ``gt``, ``lt``, ``ge``, ``le``, ``sa``, ``eb``) at the given precision."""
    prefix = value[:2] if value[:2] in {"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb"} else "eq"
    raw = value[2:] if value[:2] == prefix else value
    try:
        if len(raw) <= 10:
            parts = raw.split("-")
            year = int(parts[0])
            if len(parts) == 1:
                start, end = date(year, 1, 1), date(year + 1, 1, 1)
            elif len(parts) == 2:
                month = int(parts[1])
                start = date(year, month, 1)
                end = date(year + (month == 12), month % 12 + 1, 1)
            else:
                start = date(year, int(parts[1]), int(parts[2]))
                end = start + timedelta(days=1)
            if is_datetime:
                low = timezone.make_aware(datetime.combine(start, time.min))
                high = timezone.make_aware(datetime.combine(end, time.min))
            else:
                low, high = start, end
            exclusive_high = True
        else:
            moment = parse_instant(raw)
            low = high = moment if is_datetime else moment.date()
            exclusive_high = False
    except (ValueError, TypeError, Unprocessable):
        raise BadRequest(_("%(value)s is not a date to search on.") % {"value": value}) from None
    f = field_name
    if prefix == "eq":
        return qs.filter(**{f"{f}__gte": low, (f"{f}__lt" if exclusive_high else f"{f}__lte"): high})
    if prefix == "ne":
        return qs.exclude(**{f"{f}__gte": low, (f"{f}__lt" if exclusive_high else f"{f}__lte"): high})
    if prefix in ("gt", "sa"):
        return qs.filter(**{(f"{f}__gte" if exclusive_high else f"{f}__gt"): high})
    if prefix in ("lt", "eb"):
        return qs.filter(**{f"{f}__lt": low})
    if prefix == "ge":
        return qs.filter(**{f"{f}__gte": low})
    return qs.filter(**{(f"{f}__lt" if exclusive_high else f"{f}__lte"): high})  # le


def string_filter(*fields: str) -> SearchHandler:
    """FHIR string search: starts-with by default, ``:contains`` and ``:exact`` modifiers."""

    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        lookup = {"contains": "icontains", "exact": "exact"}.get(modifier, "istartswith")
        q = Q()
        for term in value.split(","):
            for f in fields:
                q |= Q(**{f"{f}__{lookup}": term.strip()})
        return qs.filter(q)

    return handler


def token_filter(field_name: str, mapping: dict[str, str] | None = None) -> SearchHandler:
    """FHIR token search on a coded field (``status=active,completed``), with ``:not``."""

    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        codes = [parse_token(v)[1] or "" for v in value.split(",")]
        if mapping:
            codes = [mapping.get(c, c) for c in codes]
        if modifier == "not":
            return qs.exclude(**{f"{field_name}__in": codes})
        return qs.filter(**{f"{field_name}__in": codes})

    return handler


def boolean_filter(field_name: str) -> SearchHandler:
    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        return qs.filter(**{field_name: value.lower() == "true"})

    return handler


def reference_filter(field_name: str) -> SearchHandler:
    """Search by reference to a versioned record (its fhir_id)."""

    def handler(qs: QuerySet, value: str, modifier: str) -> QuerySet:
        ids = [as_uuid(reference_id(v)) for v in value.split(",")]
        return qs.filter(**{f"{field_name}__fhir_id__in": [i for i in ids if i]})

    return handler


# --------------------------------------------------------------------------- the mapping base class


class Mapping:
    """How one FHIR resource type maps onto a Careweave model. Subclasses fill in the details."""

    resource_type: ClassVar[str]
    model: ClassVar[type[models.Model]]
    person_path: ClassVar[str | None] = None  # ORM path to the Person ("" = the record is the person)
    has_medical_flag: ClassVar[bool] = False
    select: ClassVar[tuple[str, ...]] = ()
    interactions: ClassVar[tuple[str, ...]] = ("read", "vread", "search-type", "history-instance", "create", "update")
    search_params: ClassVar[dict[str, SearchHandler]] = {}
    search_docs: ClassVar[dict[str, str]] = {}  # name -> FHIR type (for the CapabilityStatement)
    has_external_id: ClassVar[bool] = True
    searches_identifiers: ClassVar[bool] = True  # False only where served resources carry no identifier
    versioned: ClassVar[bool] = True
    updated_field: ClassVar[str] = "updated_at"
    default_order: ClassVar[tuple[str, ...]] = ("pk",)
    stored: ClassVar[bool] = False  # kept as received, served read-only (mapping/stored.py), not modelled
    clinical: ClassVar[bool] = False  # always medical detail: full access needed, whatever the labels
    keeps_source: ClassVar[bool] = True  # the received resource is kept and merged back (fhir/sources.py)
    source_first: ClassVar[tuple[str, ...]] = ()  # elements where the received value wins over ours
    code_tables: ClassVar[tuple[Any, ...]] = ()  # coded elements kept as received (mapping/codes.py)
    # elements filled from Careweave's own bookkeeping: for a received resource that lacks them, omitted
    # or marked as added (sources.recorded_here, issue 18.21)
    recorded_here: ClassVar[dict[str, str]] = {}

    @property
    def profile(self) -> str | None:
        return PROFILES.get(self.resource_type)

    # -- reading
    def queryset(self) -> QuerySet:
        return self.model.objects.select_related(*self.select)

    def get(self, rid: str) -> models.Model:
        key = as_uuid(rid)
        if key is None:
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": self.resource_type, "id": rid})
        try:
            return self.queryset().get(fhir_id=key)
        except self.model.DoesNotExist:
            raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": self.resource_type, "id": rid}) from None

    def resource_id(self, obj: models.Model) -> str:
        return str(obj.fhir_id)

    def version_of(self, obj: models.Model) -> int:
        return obj.version

    def last_updated(self, obj: models.Model) -> datetime:
        return obj.updated_at

    def person_of(self, obj: models.Model) -> Person | None:
        if self.person_path is None:
            return None
        if self.person_path == "":
            return obj
        current: Any = obj
        for part in self.person_path.split("__"):
            current = getattr(current, part)
        return current

    def person_field(self) -> str | None:
        """ORM lookup of the person's primary key, for access filters in searches."""
        if self.person_path is None:
            return None
        return "pk" if self.person_path == "" else f"{self.person_path}_id"

    def needed_level(self, obj: models.Model) -> int:
        if self.clinical:
            return Level.FULL
        return Level.FULL if self.has_medical_flag and getattr(obj, "is_medical", False) else Level.PLAN

    def meta(self, obj: models.Model) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "versionId": str(self.version_of(obj)),
            "lastUpdated": instant(self.last_updated(obj)),
        }
        if self.profile:
            meta["profile"] = [self.profile]
        if self.has_medical_flag:
            code = "R" if obj.is_medical else "N"
            meta["security"] = [{"system": CONFIDENTIALITY, "code": code}]
        return meta

    def identifiers(self, obj: models.Model) -> list[dict[str, str]]:
        """Careweave's own stable identifier, then the source system's one when imported."""
        out = [{"system": URI, "value": f"urn:uuid:{obj.fhir_id}"}]
        external = getattr(obj, "external_id", "") if self.has_external_id else ""
        if external:
            system, value = split_identifier(external)
            out.append({"system": system, "value": value} if system else {"value": value})
        return out

    def to_fhir(self, obj: models.Model) -> dict[str, Any]:
        raise NotImplementedError

    def serve(self, obj: models.Model, received: tuple[dict[str, Any], datetime] | None | bool = True
              ) -> dict[str, Any]:
        """What the API answers: our representation plus what the source sent that we do not model.

        ``received`` is the copy as received and when (``sources.received_at``) when the caller loaded it
        already (None: there is none); ``True`` loads it here.
        """
        from careweave.fhir import sources

        resource = self.to_fhir(obj)
        if self.keeps_source and self.versioned:
            rid = self.resource_id(obj)
            found = sources.received_at(self.resource_type, [rid]).get(rid) if received is True else received
            resource = sources.merge_for(self, obj, resource, found or None)
        sources.link_references([resource])
        return conform(resource)

    def serve_many(self, objects: list[models.Model], copies: dict[str, tuple[dict[str, Any], Any]] | None = None
                   ) -> list[dict[str, Any]]:
        """:meth:`serve` for a page of search results, with one query for the received copies (none when the
        caller loaded them already with ``sources.received_at_many``)."""
        from careweave.fhir import sources

        if self.keeps_source and self.versioned:
            if copies is None:
                copies = sources.received_at(self.resource_type, sources.ids_of(self, objects))
            out = [sources.merge_for(self, obj, self.to_fhir(obj), copies.get(self.resource_id(obj)))
                   for obj in objects]
        else:
            out = [self.to_fhir(obj) for obj in objects]
        sources.link_references(out)
        return [conform(resource) for resource in out]

    def authorise_read(self, ctx: Context, obj: models.Model, action: str = "read", needed: int | None = None
                       ) -> None:
        """Check (and audit) that the actor may see this record; raise AccessRefused otherwise.

        ``needed``: a stricter level than today's label asks (history: the strictest any version carried)."""
        person = self.person_of(obj)
        if person is None:
            if not getattr(ctx.actor, "is_authenticated", False):
                raise Forbidden(_("You may not do this."))
            return
        require_access(
            ctx.actor,
            person,
            action=action,
            resource_type=self.resource_type,
            resource_id=self.resource_id(obj),
            needed=max(self.needed_level(obj), needed or 0),
            request=ctx.request,
        )

    def check_write_access(self, ctx: Context, obj: models.Model) -> None:
        """Refuse (audited) a change by someone who may not even see this record; actions check the rest."""
        person = self.person_of(obj)
        if person is None:
            return
        if not decide(ctx.actor, person).allows(self.needed_level(obj)):
            require_access(ctx.actor, person, action="update", resource_type=self.resource_type,
                           resource_id=self.resource_id(obj), needed=self.needed_level(obj), request=ctx.request)

    def visible(self, ctx: Context, qs: QuerySet, explicit: list[Person] | None) -> tuple[QuerySet, dict]:
        """Restrict a search to what the actor may see; return it with the decision per person.

        With ``patient=``/``subject=`` each named person is checked (and the search audited, or
        refused with 403); otherwise the candidates are the persons visible to the actor. Medical
        detail needs full access, so it is filtered per person.
        """
        field_name = self.person_field()
        if field_name is None:
            return qs, {}
        if explicit is not None:
            decisions = {
                person.pk: require_access(ctx.actor, person, action="search", resource_type=self.resource_type,
                                          request=ctx.request)
                for person in explicit
            }
        else:
            # A narrow search (by _id or identifier) names a few persons: decide for each. A broad one
            # starts from the persons the actor has a relationship with.
            persons = list(Person.objects.filter(pk__in=qs.order_by().values(field_name))[: FEW_PERSONS + 1])
            if len(persons) > FEW_PERSONS:
                visible = qs.filter(**{f"{field_name}__in": persons_visible_to(ctx.actor)})
                persons = list(Person.objects.filter(pk__in=visible.order_by().values(field_name)))
            decisions = {person.pk: decide(ctx.actor, person) for person in persons}
        return self.restrict(ctx, qs, decisions), decisions

    def restrict(self, ctx: Context, qs: QuerySet, decisions: dict) -> QuerySet:
        """Only the records of these persons that each decision lets the actor see (medical detail and
        clinical data need full access)."""
        field_name = self.person_field()
        if field_name is None:
            return qs
        full = [pk for pk, d in decisions.items() if d.allows(Level.FULL)]
        partial = [pk for pk, d in decisions.items() if d.allows(Level.PLAN) and not d.allows(Level.FULL)]
        condition = Q(**{f"{field_name}__in": full})
        if self.clinical:
            pass  # clinical data from other systems: nothing for those who only see the plan
        elif self.has_medical_flag:
            condition |= Q(**{f"{field_name}__in": partial}, is_medical=False)
        else:
            condition |= Q(**{f"{field_name}__in": partial})
        return qs.filter(condition)

    # -- identifiers and search
    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        """A filter matching records that carry this identifier (None when it can never match)."""
        own = None
        if system in (None, URI) and value and value.startswith("urn:uuid:"):
            key = as_uuid(value.removeprefix("urn:uuid:"))
            own = Q(fhir_id=key) if key else None
        elif system == URI and value is None:  # every record carries its own urn:uuid identifier
            own = Q(fhir_id__isnull=False)
        external = self._external_q(system, value) if self.has_external_id else None
        if own is not None and external is not None:
            return own | external
        return own if own is not None else external

    def _external_q(self, system: str | None, value: str | None) -> Q | None:
        if system is None:
            if value is None:
                return None
            return Q(external_id=value) | Q(external_id__endswith=f"|{value}")
        if value is None:
            return Q(external_id__startswith=f"{system}|")
        return Q(external_id=f"{system}|{value}") if system else Q(external_id=value)

    def existing_for(self, resource: dict) -> models.Model | None:
        """A stored record carrying one of the resource's identifiers (imports match on these)."""
        q = Q()
        for ident in resource.get("identifier") or []:
            condition = self.identifier_q(ident.get("system") or "", ident.get("value"))
            if condition is not None:
                q |= condition
        if not q:
            return None
        return self.queryset().filter(q).order_by("pk").first()

    # -- writing
    def create(self, ctx: Context, resource: dict) -> models.Model:
        raise Unprocessable(_("%(type)s cannot be created here.") % {"type": self.resource_type}, code="not-supported")

    def update(self, ctx: Context, obj: models.Model, resource: dict, expected: int) -> bool:
        """Apply the resource to ``obj`` through the actions; return False when nothing changed."""
        raise Unprocessable(_("%(type)s cannot be changed here.") % {"type": self.resource_type}, code="not-supported")

    def set_external_id(self, obj: models.Model, external_id: str) -> None:
        """Record the source's identifier on a record an action just created (same transaction)."""
        if external_id and self.has_external_id and getattr(obj, "external_id", "") != external_id:
            type(obj).objects.filter(pk=obj.pk).update(external_id=external_id)
            obj.external_id = external_id
            from careweave.fhir.history import snapshot

            snapshot(obj)


def changed_fields(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``values`` that differs from ``obj``."""
    return {k: v for k, v in values.items() if getattr(obj, k) != v}


def require_subject(ctx: Context, resource: dict, key: str = "subject") -> Person:
    person = ctx.resolve(resource.get(key), "Patient", what=_("the person"))
    if person is None:
        raise Unprocessable(_("Say which person (Patient) this is about."), expression=[key])
    return person


def ensure_access(ctx: Context, person: Person, resource_type: str, needed: int = Level.PLAN) -> None:
    """Refuse (audited, 403) before looking further when the actor has no access to this person."""
    if not decide(ctx.actor, person).allows(needed):
        require_access(ctx.actor, person, action="create", resource_type=resource_type, needed=needed,
                       request=ctx.request)


def same_person(obj_person: Person, ctx: Context, resource: dict, key: str = "subject") -> None:
    """A record cannot be moved to another person's file."""
    if resource.get(key):
        person = ctx.resolve(resource.get(key), "Patient", what=_("the person"))
        if person is not None and person.pk != obj_person.pk:
            raise Unprocessable(_("This cannot be moved to another person's file."), expression=[key])
