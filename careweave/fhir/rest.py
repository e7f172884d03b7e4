"""The FHIR interactions (read, vread, search, history, create, update), independent of HTTP details.

Views parse the request and call these; the transaction bundle code calls the same functions, so a
resource written in a bundle follows exactly the same rules as one written on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from careweave.careplans.errors import DuplicateRecord
from careweave.fhir import history
from careweave.fhir.errors import BadRequest, Conflict, MethodNotAllowed, NotFound, PreconditionFailed, Unprocessable
from careweave.fhir.mapping.base import Context, Mapping, instant
from careweave.fhir.registry import mapping_for
from careweave.fhir.search import conditional_queryset, run_search, search_link
from careweave.versioning import ChangedMeanwhile


@dataclass
class WriteResult:
    mapping: Mapping
    obj: models.Model
    outcome: str  # created / updated / unchanged / matched
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 201 if self.outcome == "created" else 200

    @property
    def location(self) -> str:
        m = self.mapping
        return f"{m.resource_type}/{m.resource_id(self.obj)}/_history/{m.version_of(self.obj)}"

    @property
    def etag(self) -> str:
        return etag(self.mapping.version_of(self.obj))

    def resource(self) -> dict[str, Any]:
        return self.mapping.serve(self.obj)


def etag(version: int) -> str:
    return f'W/"{version}"'


def parse_etag(value: str | None) -> int | None:
    """``W/"3"``, ``"3"`` or ``3`` -> 3; ``*`` (any current version) -> None, no precondition."""
    if not value or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadRequest(_("If-Match must carry a version such as W/\"3\"."))
    return int(text)


def none_match(header: str | None, version: int) -> bool:
    """``If-None-Match`` holds for this version: weak comparison (``"2"`` matches ``W/"2"``), ``*`` any."""
    for tag in (header or "").split(","):
        text = tag.strip().removeprefix("W/").strip('"')
        if text == "*" or text == str(version):
            return True
    return False


def _require(mapping: Mapping, interaction: str) -> None:
    if interaction not in mapping.interactions:
        raise MethodNotAllowed(
            _("%(type)s does not support %(interaction)s here.")
            % {"type": mapping.resource_type, "interaction": interaction}
        )


def validate(resource: Any, resource_type: str) -> dict[str, Any]:
    """Check the shape of an incoming resource with fhir.resources (R4B); 400/422 when it is wrong."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        raise BadRequest(_("The body must be a FHIR resource (a JSON object with a resourceType)."))
    if resource["resourceType"] != resource_type:
        raise BadRequest(
            _("Expected a %(expected)s resource, got %(got)s.")
            % {"expected": resource_type, "got": resource["resourceType"]}
        )
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(resource_type).model_validate(resource)
    except PydanticValidationError as exc:
        errors = exc.errors()
        messages = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:10]]
        raise Unprocessable(
            _("This %(type)s is not valid FHIR: %(errors)s") % {"type": resource_type, "errors": "; ".join(messages)},
            code="structure",
            expression=[".".join(str(p) for p in e["loc"]) for e in errors[:10]],
        ) from None
    return resource


# --------------------------------------------------------------------------- reading


def read(ctx: Context, resource_type: str, rid: str) -> tuple[Mapping, models.Model]:
    mapping = mapping_for(resource_type)
    _require(mapping, "read")
    obj = mapping.get(rid)
    mapping.authorise_read(ctx, obj, "read")
    return mapping, obj


def vread(ctx: Context, resource_type: str, rid: str, vid: str) -> tuple[Mapping, history.Version]:
    mapping = mapping_for(resource_type)
    _require(mapping, "vread")
    obj = mapping.get(rid)
    _authorise_history(ctx, mapping, obj)
    found = history.version(mapping, obj, int(vid)) if vid.isdigit() else None
    if found is None:
        raise NotFound(_("Version %(vid)s of %(type)s/%(id)s does not exist.")
                       % {"vid": vid, "type": resource_type, "id": rid})
    return mapping, found


def _authorise_history(ctx: Context, mapping: Mapping, obj: models.Model) -> None:
    """Earlier versions are read with the strictest label any version carried (issue #17)."""
    needed = history.strictest_level(mapping, obj)
    if needed is None:
        mapping.authorise_read(ctx, obj, "read")
    else:
        mapping.authorise_read(ctx, obj, "read", needed=needed)


def history_bundle(ctx: Context, resource_type: str, rid: str, base: str) -> dict[str, Any]:
    mapping = mapping_for(resource_type)
    _require(mapping, "history-instance")
    obj = mapping.get(rid)
    _authorise_history(ctx, mapping, obj)
    entries = []
    for v in history.versions(mapping, obj):
        url = f"{resource_type}/{rid}"
        entries.append({
            "fullUrl": f"{base}/{url}",
            "resource": v.data,
            "request": {"method": "POST" if v.version_id == 1 else "PUT",
                        "url": resource_type if v.version_id == 1 else url},
            "response": {"status": "201 Created" if v.version_id == 1 else "200 OK", "etag": etag(v.version_id),
                         "lastModified": instant(v.recorded_at)},
        })
    return {"resourceType": "Bundle", "type": "history", "total": len(entries),
            "link": [{"relation": "self", "url": f"{base}/{resource_type}/{rid}/_history"}], "entry": entries}


def search_bundle(ctx: Context, resource_type: str, params: list[tuple[str, str]], base: str) -> dict[str, Any]:
    mapping = mapping_for(resource_type)
    _require(mapping, "search-type")
    result = run_search(ctx, mapping, params)
    result.used += [("_revinclude", v) for k, v in params if k == "_revinclude" and
                    f"_revinclude={v}" not in result.ignored]
    kept = result.link_params()
    links = [{"relation": "self", "url": search_link(base, resource_type, kept, _count=result.count,
                                                     _offset=result.offset)}]
    if result.total is None or result.offset + result.count < result.total:
        if result.count and len(result.objects) == result.count:
            links.append({"relation": "next", "url": search_link(base, resource_type, kept, _count=result.count,
                                                                 _offset=result.offset + result.count)})
    if result.offset:
        links.append({"relation": "previous", "url": search_link(
            base, resource_type, kept, _count=result.count, _offset=max(0, result.offset - result.count))})
    copies = _received_copies([(mapping, result.objects), *((m, [obj]) for m, obj in result.included)])
    entries: list[dict[str, Any]] = [
        {"fullUrl": f"{base}/{resource_type}/{mapping.resource_id(obj)}", "resource": resource,
         "search": {"mode": "match"}}
        for obj, resource in zip(result.objects, mapping.serve_many(
            result.objects, copies.get(mapping.resource_type)), strict=True)
    ]
    entries += [
        {"fullUrl": f"{base}/{m.resource_type}/{m.resource_id(obj)}", "resource": resource,
         "search": {"mode": "include"}}
        for (m, obj), resource in zip(result.included, _serve_included(result.included, copies), strict=True)
    ]
    if result.ignored:
        from careweave.fhir.errors import issue, operation_outcome

        entries.append({"resource": operation_outcome([issue(
            "warning", "not-supported",
            _("These search parameters were ignored: %(names)s") % {"names": ", ".join(result.ignored)})]),
            "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if result.total is not None:
        bundle["total"] = result.total
    bundle["link"] = links
    if entries:
        bundle["entry"] = entries
    return bundle


# --------------------------------------------------------------------------- writing


def _reload(mapping: Mapping, obj: models.Model) -> models.Model:
    return mapping.queryset().get(pk=obj.pk)


def create(ctx: Context, resource_type: str, resource: Any, if_none_exist: str | None = None) -> WriteResult:
    mapping = mapping_for(resource_type)
    _require(mapping, "create")
    resource = validate(resource, resource_type)
    if if_none_exist:
        matched = _existing(ctx, mapping, if_none_exist)
        if matched is not None:
            return matched
        try:
            with transaction.atomic():  # a savepoint: losing a race to a concurrent create undoes only this
                obj = mapping.create(ctx, resource)
                keep_received(mapping, obj, resource)
        except (IntegrityError, Conflict, DuplicateRecord):
            # Someone created it between our check and our insert (the unique constraint or the mapping's
            # duplicate check said so): answer with theirs, as if we had found it first.
            matched = _existing(ctx, mapping, if_none_exist)
            if matched is None:
                raise
            return matched
        return WriteResult(mapping, _reload(mapping, obj), "created", list(ctx.warnings))
    with transaction.atomic():
        obj = mapping.create(ctx, resource)
        keep_received(mapping, obj, resource)
    return WriteResult(mapping, _reload(mapping, obj), "created", list(ctx.warnings))


def readable_matches(ctx: Context, mapping: Mapping, query: str, limit: int = 2) -> list[models.Model]:
    """The records a condition names among those the requester may read (issue #17).

    A conditional create or update must answer the same whether or not a record the requester may
    not see matches: otherwise ``If-None-Exist: family=Peeters&given=Maria`` tells a stranger that
    Maria exists, and a condition on ``patient=…&questionnaire=…phq-9`` that she was screened for
    depression. Records outside the requester's reach are left out without a trace (no audit of
    a search the requester did not knowingly make)."""
    qs, _decisions = mapping.visible(ctx, conditional_queryset(mapping, query), None)
    return list(qs.order_by("pk")[:limit])


def _existing(ctx: Context, mapping: Mapping, if_none_exist: str) -> WriteResult | None:
    """The record a conditional create's condition names among those the requester may read (412 when
    it names several); one the requester may not read is as if it did not exist."""
    matches = readable_matches(ctx, mapping, if_none_exist)
    if len(matches) > 1:
        raise PreconditionFailed(_("The condition matches more than one %(type)s.")
                                 % {"type": mapping.resource_type}, code="multiple-matches")
    if not matches:
        return None
    mapping.authorise_read(ctx, matches[0], "read")  # audited on the person's file
    return WriteResult(mapping, matches[0], "matched")


def keep_received(mapping: Mapping, obj: models.Model, resource: dict[str, Any], *, changed: bool = True) -> None:
    """Keep the resource as received beside the record (lossless), and refresh this version's snapshot.

    A write that changed nothing only keeps a copy when there was none yet (a first re-import)."""
    if not (mapping.keeps_source and mapping.versioned):
        return
    from careweave.fhir import sources

    rid = mapping.resource_id(obj)
    if not changed and sources.received(mapping.resource_type, [rid]):
        return
    sources.keep(mapping.resource_type, rid, resource)
    history.snapshot(_reload(mapping, obj))


def update(ctx: Context, resource_type: str, rid: str, resource: Any, if_match: str | None = None) -> WriteResult:
    mapping = mapping_for(resource_type)
    _require(mapping, "update")
    resource = validate(resource, resource_type)
    if not resource.get("id"):
        raise BadRequest(_("An update must carry the resource's id (%(id)s), as in the URL.") % {"id": rid})
    if resource["id"] != rid:
        raise BadRequest(_("The id in the resource (%(body)s) differs from the id in the URL (%(url)s).")
                         % {"body": resource["id"], "url": rid})
    expected = parse_etag(if_match)
    with transaction.atomic():  # the base version is the one read inside the transaction that writes
        obj = mapping.get(rid)
        return _update_object(ctx, mapping, obj, resource, expected)


def conditional_update(ctx: Context, resource_type: str, query: str, resource: Any,
                       if_match: str | None = None) -> WriteResult:
    mapping = mapping_for(resource_type)
    _require(mapping, "update")
    resource = validate(resource, resource_type)
    matches = readable_matches(ctx, mapping, query)
    if len(matches) > 1:
        raise PreconditionFailed(_("The condition matches more than one %(type)s.") % {"type": resource_type},
                                 code="multiple-matches")
    if not matches:
        _require(mapping, "create")
        try:
            with transaction.atomic():  # a savepoint, as for a conditional create
                obj = mapping.create(ctx, resource)
                keep_received(mapping, obj, resource)
            return WriteResult(mapping, _reload(mapping, obj), "created", list(ctx.warnings))
        except (IntegrityError, Conflict, DuplicateRecord):
            # created meanwhile by a concurrent request: update that one
            matches = readable_matches(ctx, mapping, query)
            if len(matches) != 1:
                raise
    expected = parse_etag(if_match)
    with transaction.atomic():
        return _update_object(ctx, mapping, _reload(mapping, matches[0]), resource, expected)


def based_on(resource: dict) -> int | None:
    """The version a client's copy was read at (``meta.versionId``), when it says so."""
    text = str((resource.get("meta") or {}).get("versionId") or "").strip()
    return int(text) if text.isdigit() else None


def _update_object(ctx: Context, mapping: Mapping, obj: models.Model, resource: dict, expected: int | None,
                   *, client_copy: bool = True) -> WriteResult:
    """Update through the mapping. With If-Match a stale version is refused (412). Without it, the base
    is the ``meta.versionId`` the client's copy carries, else the version read in this transaction: a
    copy read before someone else saved, or a change made by someone else while this request ran, is
    refused (409) by the conditional ``UPDATE ... WHERE version = n``: never a lost update."""
    mapping.check_write_access(ctx, obj)
    current = mapping.version_of(obj)
    if expected is not None and expected != current:
        raise ChangedMeanwhile(obj, expected)
    base = based_on(resource) if expected is None and client_copy else None
    if base is not None:
        current = base  # a stale copy fails the conditional UPDATE below (after the access checks)
    try:
        with transaction.atomic():
            changed = mapping.update(ctx, obj, resource, current)
            keep_received(mapping, obj, resource, changed=changed)
    except ChangedMeanwhile as exc:
        if expected is None:
            raise Conflict(str(exc), rule="changed_meanwhile") from None
        raise
    return WriteResult(mapping, _reload(mapping, obj), "updated" if changed else "unchanged", list(ctx.warnings))


def _received_copies(groups: list[tuple[Any, list[Any]]]) -> dict[str, dict[str, tuple[dict[str, Any], Any]]]:
    """The received copies of every record of a bundle that keeps them, in one query (issue #19)."""
    from careweave.fhir import sources

    wanted: dict[str, list[str]] = {}
    for mapping, objects in groups:
        if mapping.keeps_source and mapping.versioned and objects:
            wanted.setdefault(mapping.resource_type, []).extend(sources.ids_of(mapping, objects))
    return sources.received_at_many(wanted) if wanted else {}


def _serve_included(included: list[tuple[Any, Any]],
                    copies: dict[str, dict[str, tuple[dict[str, Any], Any]]] | None = None) -> list[dict[str, Any]]:
    """The included resources in their order; their received copies from ``copies`` (else one query per type)."""
    by_mapping: dict[int, tuple[Any, list[int]]] = {}
    for position, (mapping, _obj) in enumerate(included):
        by_mapping.setdefault(id(mapping), (mapping, []))[1].append(position)
    served: list[dict[str, Any] | None] = [None] * len(included)
    for mapping, positions in by_mapping.values():
        objects = [included[p][1] for p in positions]
        preloaded = None if copies is None else copies.get(mapping.resource_type, {})
        for position, resource in zip(positions, mapping.serve_many(objects, preloaded), strict=True):
            served[position] = resource
    return served  # type: ignore[return-value]
