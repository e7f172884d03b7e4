"""Lossless storage of modelled resources: keep what was received, merge back what we do not model.

Why: a Synthea Patient carries a marital status, extensions, extra identifiers and a state in its
address; a CarePlan its period, the conditions it addresses and its activities. Careweave's records
hold only what the care work uses, so the resource as received is kept beside the record
(:class:`~careweave.fhir.models.SourceResource`) and :func:`merge` adds every element we do not
model back into what the API serves. What Careweave models always wins (it may have changed since),
except the elements a mapping names in ``source_first`` (a plan's period as the source knew it), and
a received value that says the same as ours as precisely as the source knew it (a time of death where
we keep the date, a birth year we keep as 1 January, ``en-US`` where we keep the language ``en``): the
source's is served.

Issue 18.21: Careweave fills some elements from its own bookkeeping (a goal's start is the day it was
recorded here, its ``expressedBy`` who recorded it). For a resource received from another system that
did not send them, these are not served as if the source had said them: a mapping's ``recorded_here``
names each with :data:`OMIT` (left out while the record is as received) or :data:`MARK` (served,
marked with the :data:`~careweave.fhir.profiles.EXT_ADDED_BY_CAREWEAVE` extension).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from careweave.fhir.models import SourceResource

SKIP = {"id", "resourceType"}
OMIT, MARK = "omit", "mark"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL = re.compile(r"\d{4}(-\d{2})?")
_TIME = re.compile(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_LANGUAGE_SYSTEM = "urn:ietf:bcp:47"


def _refines(ours: Any, theirs: Any) -> bool:
    """The received value says what our date says, as precisely as the source knew it: a date-time with
    its time (``deceasedDateTime``), or a partial date (``1950`` that we keep as 1950-01-01)."""
    if not (isinstance(ours, str) and isinstance(theirs, str) and _DATE.fullmatch(ours)):
        return False
    if theirs.startswith(ours):
        return bool(_TIME.fullmatch(theirs[len(ours):]))
    return bool(_PARTIAL.fullmatch(theirs)) and ours == (theirs + "-01-01")[:10]


def _refined_language(merged: dict, theirs: dict) -> None:
    """A BCP-47 coding: ``en-US`` received where we keep ``en`` is served as received (in place)."""
    if merged.get("system") == _LANGUAGE_SYSTEM == theirs.get("system"):
        ours, received = str(merged.get("code") or ""), str(theirs.get("code") or "")
        if ours and received.lower().startswith(ours.lower() + "-"):
            merged["code"] = received
            if "display" in theirs:
                merged["display"] = theirs["display"]


def _leaves(value: Any, prefix: str = "") -> set[tuple[str, str]]:
    if isinstance(value, dict):
        return {leaf for k, v in value.items() for leaf in _leaves(v, f"{prefix}.{k}")}
    if isinstance(value, list):
        return {leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{prefix}[{i}]")}
    return {(prefix, repr(value))}


def _merge_lists(ours: list, theirs: list, append: bool = True) -> list:
    """Each of our elements merged with the received element most like it; the others appended
    (unless ``append`` is false: then the received copy is older than our record, and an element we
    no longer match — an old address after a move — is not served as if it were current)."""
    remaining = list(theirs)
    out = []
    for item in ours:
        best, score = None, 0
        if isinstance(item, dict):
            mine = _leaves(item)
            for candidate in remaining:
                if isinstance(candidate, dict):
                    common = len(mine & _leaves(candidate))
                    if common > score:
                        best, score = candidate, common
        if best is not None:
            remaining.remove(best)
            out.append(_merge_values(item, best))
        else:
            if item in remaining:
                remaining.remove(item)
            out.append(item)
    if not append:
        return out
    return out + [item for item in remaining if item not in out]


def _merge_values(ours: Any, theirs: Any, append: bool = True) -> Any:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        merged = dict(ours)
        for key, value in theirs.items():
            merged[key] = _merge_values(ours[key], value, append) if key in ours else copy.deepcopy(value)
        _refined_language(merged, theirs)
        return merged
    if isinstance(ours, list) and isinstance(theirs, list):
        return _merge_lists(ours, theirs, append)
    return theirs if _refines(ours, theirs) else ours


ALWAYS_KEPT = {"identifier", "extension"}  # facts about the record that a later edit does not make stale


def merge(ours: dict[str, Any], received: dict[str, Any] | None, source_first: Iterable[str] = (),
          *, stale: bool = False) -> dict[str, Any]:
    """``ours`` with every element of ``received`` that it lacks (``meta`` stays ours, profiles joined).

    ``stale``: the record changed after the copy was received (in the web app): elements we model
    take only the details that still match (a new address does not get the old one beside it)."""
    if not received:
        return ours
    out = dict(ours)
    first = set(source_first)
    for key, value in received.items():
        if key in SKIP:
            continue
        if key == "meta":
            meta = dict(out.get("meta") or {})
            for mkey, mvalue in (value or {}).items():
                if mkey in ("versionId", "lastUpdated"):
                    continue
                meta[mkey] = _merge_values(meta[mkey], mvalue) if mkey in meta else copy.deepcopy(mvalue)
            out["meta"] = meta
        elif key in first or key not in out:
            out[key] = copy.deepcopy(value)
        else:
            out[key] = _merge_values(out[key], value, append=not stale or key in ALWAYS_KEPT)
    return out


def keep(resource_type: str, resource_id: str, received: dict[str, Any]) -> None:
    """Remember the resource as received for the record ``resource_type/resource_id``."""
    SourceResource.objects.update_or_create(resource_type=resource_type, resource_id=resource_id,
                                            defaults={"data": received, "received_at": timezone.now()})


def received(resource_type: str, resource_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The received copies of several records of one type, by id (one query)."""
    ids = list(resource_ids)
    if not ids:
        return {}
    return dict(SourceResource.objects.filter(resource_type=resource_type, resource_id__in=ids)
                .values_list("resource_id", "data"))


def received_at(resource_type: str, resource_ids: Iterable[str]) -> dict[str, tuple[dict[str, Any], Any]]:
    """Like :func:`received`, with when each copy was received."""
    ids = list(resource_ids)
    if not ids:
        return {}
    return {rid: (data, at) for rid, data, at in SourceResource.objects.filter(
        resource_type=resource_type, resource_id__in=ids).values_list("resource_id", "data", "received_at")}


def received_at_many(wanted: dict[str, list[str]]) -> dict[str, dict[str, tuple[dict[str, Any], Any]]]:
    """:func:`received_at` for several types at once, by type then id: one query for a search bundle's
    matches and included records (a plan read with its goals and tasks asked three, issue #19)."""
    condition = Q()
    for resource_type, ids in wanted.items():
        if ids:
            condition |= Q(resource_type=resource_type, resource_id__in=ids)
    out: dict[str, dict[str, tuple[dict[str, Any], Any]]] = {t: {} for t in wanted}
    if condition:
        for rtype, rid, data, at in SourceResource.objects.filter(condition).values_list(
                "resource_type", "resource_id", "data", "received_at"):
            out[rtype][rid] = (data, at)
    return out


def merge_for(mapping: Any, obj: models.Model, resource: dict[str, Any],
              copy_and_time: tuple[dict[str, Any], Any] | None) -> dict[str, Any]:
    """Merge the received copy into ``resource``, stale when the record changed after it arrived."""
    if not copy_and_time:
        return resource
    data, at = copy_and_time
    stale = mapping.last_updated(obj) > at
    merged = merge(resource, data, mapping.source_first, stale=stale)
    recorded_here(merged, data, mapping.recorded_here, stale=stale)
    if mapping.code_tables:
        from careweave.fhir.mapping.codes import serve_codes

        serve_codes(mapping.code_tables, obj, merged, data)
    return merged


def _mark(resource: dict[str, Any], element: str) -> None:
    """Mark an element as Careweave's addition: an extension on it (``_element`` for a primitive)."""
    from careweave.fhir.profiles import EXT_ADDED_BY_CAREWEAVE

    mark = {"url": EXT_ADDED_BY_CAREWEAVE, "valueBoolean": True}
    value = resource[element]
    items = value if isinstance(value, list) else [value]
    if all(isinstance(item, dict) for item in items):
        for item in items:
            item.setdefault("extension", []).append(dict(mark))
    else:
        resource[f"_{element}"] = {"extension": [mark]}


def recorded_here(resource: dict[str, Any], received: dict[str, Any], elements: dict[str, str],
                  *, stale: bool = False) -> None:
    """The elements Careweave filled from its own bookkeeping and the source did not send (in place).

    :data:`OMIT`: left out while the record is as received; once it changed in Careweave, served and
    marked. :data:`MARK`: served, marked as Careweave's addition.
    """
    for element, how in elements.items():
        if element in received or element not in resource:
            continue
        if how == OMIT and not stale:
            resource.pop(element)
        else:
            _mark(resource, element)


def ids_of(mapping: Any, objects: Iterable[models.Model]) -> list[str]:
    return [mapping.resource_id(obj) for obj in objects]


def _references(value: Any, out: list[dict]) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            target = item.get("reference")
            if isinstance(target, str) and target.startswith("urn:uuid:"):
                out.append(item)
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))


def _owner_ids(resource: dict[str, Any]) -> set[str]:
    """The Patient ids a served resource is about (``Patient/{id}`` in its subject, patient…)."""
    out = set()
    if resource.get("resourceType") == "Patient" and resource.get("id"):
        out.add(str(resource["id"]))
    for key in ("subject", "patient", "beneficiary", "for"):
        value = resource.get(key)
        target = value.get("reference") if isinstance(value, dict) else None
        if isinstance(target, str) and target.startswith("Patient/"):
            out.add(target.split("/")[1])
    return out


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def link_references(resources: list[dict[str, Any]]) -> None:
    """Point ``urn:uuid:`` references of received data at what Careweave serves for them (in place).

    A Synthea CarePlan ``addresses`` its Condition as ``urn:uuid:{id}``, an Observation names its
    Encounter the same way, an Encounter its Organization (``serviceProvider``) and a Claim its
    ``provider``: after the import these are ``Condition/{id}``, ``Encounter/{id}``, ``Organization/{id}``,
    which a client can read (a modelled record is found by its source identifier, by its fullUrl, or by
    the ``id`` its received copy had). References to nothing Careweave holds stay as they were.
    """
    found: list[dict] = []
    owners: set[str] = set()
    for resource in resources:
        _references(resource, found)
        owners.update(_owner_ids(resource))
    if not found:
        return
    from careweave.fhir.profiles import URI
    from careweave.fhir.registry import MAPPINGS
    from careweave.records.models import StoredResource

    wanted = {item["reference"] for item in found}
    keys = wanted | {w.removeprefix("urn:uuid:") for w in wanted}
    served: dict[str, str] = {}
    # Received records match by source id within their owner only (issue #17): a reference is linked
    # to a record of the same person, never to another person's record that happens to share the id.
    rows = StoredResource.objects.filter(source_id__in=keys).filter(
        Q(patient__fhir_id__in=[o for o in owners if _is_uuid(o)]) | Q(patient__isnull=True))
    for rtype, source_id, fhir_id in rows.values_list("resource_type", "source_id", "fhir_id"):
        if rtype in MAPPINGS:
            served[source_id if source_id.startswith("urn:uuid:") else f"urn:uuid:{source_id}"] = f"{rtype}/{fhir_id}"
    missing = wanted - set(served)
    if missing:
        externals = {f"{URI}|{w}": w for w in missing}
        for mapping in MAPPINGS.values():
            if mapping.stored or not mapping.has_external_id:
                continue
            for external, fhir_id in mapping.model.objects.filter(external_id__in=list(externals)).values_list(
                    "external_id", "fhir_id"):
                served.setdefault(externals[external], f"{mapping.resource_type}/{fhir_id}")
    missing = wanted - set(served)
    if missing:  # a record imported under its own identifier (an NPI) is still named by its source id
        ids = {w.removeprefix("urn:uuid:"): w for w in missing}
        for rtype, resource_id, source_id in SourceResource.objects.filter(data__id__in=list(ids)).values_list(
                "resource_type", "resource_id", "data__id"):
            if rtype in MAPPINGS and source_id in ids:
                served.setdefault(ids[source_id], f"{rtype}/{resource_id}")
    for item in found:
        if item["reference"] in served:
            item["reference"] = served[item["reference"]]
