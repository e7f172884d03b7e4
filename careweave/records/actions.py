"""The rules of the integrated record: who may add to it, who may read it and its history.

Every door (the FHIR API's transaction bundles, ``$extract``, an assessment's scores, a referral)
writes received records through :func:`receive_records` or :func:`keep_own_records`, and reads them
through :func:`read_record` / :func:`read_history`. The rules (issue #17):

- every record has exactly one owner person (only types that describe no person, such as a
  Medication, have none); a door that cannot name an owner the actor may write for refuses the entry;
- records match by source id within the same owner only: a copy for another person with the same id
  is a separate record of that person; a record never changes owner, and an import never touches,
  nor reveals, another person's record;
- reading a record, its history or an earlier version needs full access to the owner (clinical data
  from another system), audited on the owner's file whether allowed or refused. A record without an
  owner of a type that describes a person (kept before these rules) is read by nobody.

The action names (``records.receive``, ``records.read``, ``records.history``) are the ones the
permission table knows them by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.decisions import decide
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person
from careweave.records.models import ResourceVersion, StoredResource, index_fields
from careweave.records.representation import keep_earlier

RECEIVE = "records.receive"
READ = "records.read"
HISTORY = "records.history"
WITHOUT_OWNER = ("Medication",)  # types that describe a product, not a person: kept without an owner
NEEDED = Level.FULL  # clinical data from other systems: the plan level does not show it


@dataclass(frozen=True)
class Received:
    """One resource as another system sent it, with the owner the door resolved for it."""

    resource_type: str
    source_id: str
    owner: Person | None
    data: dict[str, Any]


@dataclass
class Kept:
    """What became of one received resource: the record, and whether it is new or changed."""

    record: StoredResource
    outcome: str  # "stored" (new or changed) / "stored-unchanged"
    created: bool


def owner_required(resource_type: str) -> RuleViolation:
    """The refusal for a resource whose owner cannot be named; the same text whatever was looked up, so
    it never says whether someone the actor may not see exists."""
    return RuleViolation("owner_required", _(
        "Careweave keeps a received %(type)s only in the file of the person it is about: refer to that "
        "person (Patient) by id, by identifier or as an entry of this bundle, and it must be someone "
        "whose file you may add to.") % {"type": resource_type})


def may_receive_for(actor: Any, person: Person) -> bool:
    """Whether ``actor`` may add received clinical data to ``person``'s file (no audit: for lookups)."""
    return decide(actor, person).allows(NEEDED)


def _may_keep_without_owner(actor: Any) -> bool:
    professional = getattr(actor, "professional", None)
    return bool(getattr(actor, "is_staff", False) or (professional is not None and professional.active))


def _check_receive(actor: Any, items: list[Received], request: HttpRequest | None) -> dict[int, Person]:
    """Permission first: full access to every owner (a refusal is audited on that file), owners required."""
    owners: dict[int, Person] = {}
    for item in items:
        if item.owner is None:
            if item.resource_type not in WITHOUT_OWNER:
                raise owner_required(item.resource_type)
            if not _may_keep_without_owner(actor):
                raise AccessRefused(_("Only care and welfare professionals can register people, colleagues "
                                      "and organisations."))
        else:
            owners[item.owner.pk] = item.owner
    for person in owners.values():
        if not may_receive_for(actor, person):
            require_access(actor, person, action="create", resource_type="Bundle", needed=NEEDED, request=request)
    return owners


def receive_records(actor: Any, items: Iterable[Received], *, request: HttpRequest | None = None,
                    source_hash: str = "") -> list[Kept]:
    """Keep what another system sent, each resource in its owner's file (``records.receive``).

    Idempotent by (type, source id, owner): the same copy again changes nothing, a different copy is
    a new version (the replaced one stays readable). Returns one :class:`Kept` per item, in order (a
    duplicate inside the same call is the same record, unchanged the second time).
    """
    items = list(items)
    owners = _check_receive(actor, items, request)
    wanted: dict[tuple[str, str, int | None], Received] = {}
    for item in items:
        wanted[(item.resource_type, item.source_id[:200], item.owner.pk if item.owner else None)] = item
    existing = _existing(wanted)
    now = timezone.now()
    new, changed = [], []
    kept: dict[tuple[str, str, int | None], Kept] = {}
    for key, item in wanted.items():
        record = existing.get(key)
        if record is None:
            record = StoredResource(resource_type=key[0], source_id=key[1], patient=item.owner, data=item.data,
                                    bundle_hash=source_hash, received_at=now, updated_at=now)
            record.codes, record.clinical_date = index_fields(item.data)
            new.append(record)
            kept[key] = Kept(record, "stored", True)
        elif record.data != item.data:
            keep_earlier([StoredResource(pk=record.pk, resource_type=record.resource_type, fhir_id=record.fhir_id,
                                         version=record.version, patient=record.patient, data=record.data,
                                         updated_at=record.updated_at)])
            record.data, record.bundle_hash, record.updated_at = item.data, source_hash, now
            record.version += 1
            record.codes, record.clinical_date = index_fields(item.data)
            changed.append(record)
            kept[key] = Kept(record, "stored", False)
        else:
            kept[key] = Kept(record, "stored-unchanged", False)
    with transaction.atomic():
        StoredResource.objects.bulk_create(new, batch_size=500)
        StoredResource.objects.bulk_update(changed, ["data", "bundle_hash", "updated_at", "version", "codes",
                                                     "clinical_date"], batch_size=500)
        _audit_received(actor, wanted.values(), owners, request)
    out: list[Kept] = []
    seen: set[tuple[str, str, int | None]] = set()
    for item in items:
        key = (item.resource_type, item.source_id[:200], item.owner.pk if item.owner else None)
        out.append(kept[key] if key not in seen else Kept(kept[key].record, "stored-unchanged", False))
        seen.add(key)
    return out


def _existing(wanted: dict[tuple[str, str, int | None], Received]) -> dict[tuple[str, str, int | None],
                                                                           StoredResource]:
    """The records these items were kept as before: same type and source id, and the same owner."""
    q = Q()
    for rtype, source_id, owner in wanted:
        q |= Q(resource_type=rtype, source_id=source_id, patient_id=owner) if owner is not None else Q(
            resource_type=rtype, source_id=source_id, patient__isnull=True)
    if not q:
        return {}
    return {(r.resource_type, r.source_id, r.patient_id): r
            for r in StoredResource.objects.filter(q).select_related("patient")}


def _audit_received(actor: Any, items: Iterable[Received], owners: dict[int, Person],
                    request: HttpRequest | None) -> None:
    per_person: dict[int, Counter] = {}
    for item in items:
        if item.owner is not None:
            per_person.setdefault(item.owner.pk, Counter())[item.resource_type] += 1
    for pk, counts in per_person.items():
        summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
        record_access(actor, "create", "Bundle", person=owners[pk], request=request,
                      reason=f"stored as received: {summary}")


def keep_own_records(owner: Person, resources: dict[str, dict[str, Any]], *, resource_type: str,
                     prefix: str = "") -> list[StoredResource]:
    """Careweave's own modules keep their FHIR face in the person's record (an assessment's score
    Observations, a referral's ServiceRequest), keyed by source id.

    Called from inside an action that has checked its own permission already; ``resources`` maps
    source id to resource. With ``prefix``, the owner's records of that type whose source id starts
    with it and that are not in ``resources`` are removed (a score that no longer exists).
    """
    kept = []
    now = timezone.now()
    for source_id, data in resources.items():
        record = StoredResource.objects.filter(resource_type=resource_type, source_id=source_id,
                                               patient=owner).first()
        if record is None:
            record = StoredResource(resource_type=resource_type, source_id=source_id, patient=owner, data=data)
            record.save()
        elif record.data != data:
            record.data, record.updated_at = data, now
            record.save()
        kept.append(record)
    if prefix:
        StoredResource.objects.filter(resource_type=resource_type, patient=owner,
                                      source_id__startswith=prefix).exclude(
            source_id__in=list(resources)).delete()
    return kept


def keep_record_as(owner: Person, resource_type: str, fhir_id: Any, source_id: str, data: dict[str, Any]) -> None:
    """Like :func:`keep_own_records` for one record whose public id is the domain record's (a referral)."""
    record = StoredResource.objects.filter(resource_type=resource_type, fhir_id=fhir_id).first()
    if record is None:
        StoredResource.objects.create(resource_type=resource_type, source_id=source_id, fhir_id=fhir_id,
                                      patient=owner, data=data)
    elif record.data != data:
        record.data = data
        record.save()


# --------------------------------------------------------------------------- reading


def _check_read(actor: Any, record: StoredResource, action: str, request: HttpRequest | None) -> None:
    if record.patient_id is None:
        # Only a type that describes no person is read without an owner (professionals and staff);
        # anything else without an owner was kept before the rules and is nobody's to read.
        if record.resource_type not in WITHOUT_OWNER or not _may_keep_without_owner(actor):
            raise AccessRefused(_("You may not do this."))
        return
    require_access(actor, record.patient, action=action, resource_type=record.resource_type,
                   resource_id=str(record.fhir_id), needed=NEEDED, request=request)


def read_record(actor: Any, record: StoredResource, *, request: HttpRequest | None = None,
                action: str = "read") -> StoredResource:
    """``records.read``: the record, for someone with full access to its owner (audited either way)."""
    _check_read(actor, record, action, request)
    return record


def read_history(actor: Any, record: StoredResource, *, request: HttpRequest | None = None,
                 ) -> list[ResourceVersion]:
    """``records.history``: every earlier version kept (newest first), checked and audited like a read.

    All versions of a received record are clinical (full access); they never span owners, because a
    record never changes owner."""
    _check_read(actor, record, "read", request)
    return list(ResourceVersion.objects.filter(resource_type=record.resource_type, resource_id=str(record.fhir_id),
                                               version_id__lt=record.version).order_by("-version_id"))

