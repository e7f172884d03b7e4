"""Version snapshots for ``_history`` and ``vread``, written whichever door a change came through.

A ``post_save`` receiver stores the FHIR representation of every saved version of a mapped record
(``save_versioned`` sends ``post_save`` too). Records that were bulk-loaded have no snapshot: their
history is just the current version, built on the fly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from careweave.access.models import Level
from careweave.records.models import ResourceVersion

logger = logging.getLogger(__name__)
_author: ContextVar[Any] = ContextVar("careweave_fhir_author", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Name the user behind the changes made inside the block (recorded with each snapshot)."""
    token = _author.set(user)
    try:
        yield
    finally:
        _author.reset(token)


def snapshot(obj: models.Model) -> None:
    """Store (or refresh) the representation of ``obj``'s current version."""
    from careweave.fhir.registry import mapping_for_model

    mapping = mapping_for_model(type(obj))
    if mapping is None or obj.pk is None:
        return
    author = _author.get()
    if author is not None and not getattr(author, "is_authenticated", False):
        author = None
    # One upsert (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL): a version saved twice in one
    # change keeps its last representation, without the select and savepoint of update_or_create.
    ResourceVersion.objects.bulk_create(
        [ResourceVersion(resource_type=mapping.resource_type, resource_id=str(obj.fhir_id), version_id=obj.version,
                         data=mapping.serve(obj), author=author)],
        update_conflicts=True, unique_fields=["resource_type", "resource_id", "version_id"],
        update_fields=["data", "author"],
    )


def on_post_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    from careweave.fhir.registry import BY_MODEL

    if raw or sender not in BY_MODEL:
        return
    try:
        snapshot(instance)
    except Exception:  # a failed snapshot must not undo the care work being saved
        logger.exception("could not store the FHIR snapshot of %s %s", sender.__name__, instance.pk)


@dataclass(frozen=True)
class Version:
    version_id: int
    data: dict[str, Any]
    recorded_at: datetime


def versions(mapping: Any, obj: models.Model) -> list[Version]:
    """All known versions, newest first; the current one is always included (built if not stored)."""
    current = mapping.version_of(obj)
    stored = [
        Version(v.version_id, v.data, v.recorded_at)
        for v in ResourceVersion.objects.filter(
            resource_type=mapping.resource_type, resource_id=mapping.resource_id(obj), version_id__lte=current
        ).order_by("-version_id")
    ]
    live = Version(current, mapping.serve(obj), mapping.last_updated(obj))
    return [live] + [v for v in stored if v.version_id != current]


def version(mapping: Any, obj: models.Model, version_id: int) -> Version | None:
    if version_id == mapping.version_of(obj):
        return Version(version_id, mapping.serve(obj), mapping.last_updated(obj))
    stored = ResourceVersion.objects.filter(
        resource_type=mapping.resource_type, resource_id=mapping.resource_id(obj), version_id=version_id
    ).first()
    return Version(stored.version_id, stored.data, stored.recorded_at) if stored else None


def strictest_level(mapping: Any, obj: models.Model) -> int | None:
    """The level ``_history`` and vread need: the strictest label any version carried (issue #17).

    A goal written as medical and relabelled later keeps its medical text in version 1; someone who
    may read only today's label must not read it there. None: no labels, today's rule is the rule."""
    if not mapping.has_medical_flag:
        return None
    from careweave.fhir.mapping.base import is_medical

    if getattr(obj, "is_medical", False):
        return Level.FULL
    for data in ResourceVersion.objects.filter(resource_type=mapping.resource_type,
                                               resource_id=mapping.resource_id(obj)).values_list("data", flat=True):
        if isinstance(data, dict) and is_medical(data):
            return Level.FULL
    return None
