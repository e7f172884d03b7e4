"""Optimistic concurrency for everything two people may edit at once.

Each editable record carries a ``version`` number. An update says which version it started
from; the database row is only changed when that is still the current version (one atomic
``UPDATE ... WHERE version = n``), so two editors can never silently overwrite each other.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangedMeanwhile(Exception):
    """Raised when a record changed since the editor loaded it (HTTP 412 / a form conflict)."""

    def __init__(self, obj: models.Model, expected: int) -> None:
        self.obj = obj
        self.expected = expected
        self.current = obj.__class__.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
        super().__init__(
            _("This was changed by someone else meanwhile (you edited version %(expected)s, it is now %(current)s).")
            % {"expected": expected, "current": self.current}
        )


class VersionedModel(models.Model):
    """Abstract base: a stable public id (used in FHIR), a version and timestamps."""

    fhir_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save_versioned(self, expected_version: int | None = None, update_fields: list[str] | None = None) -> None:
        """Save a change; refuse it when ``expected_version`` is no longer current.

        ``expected_version=None`` means "the version I loaded" (``self.version``).
        """
        if self.pk is None or self._state.adding:
            self.save()
            return
        expected = self.version if expected_version is None else expected_version
        now = timezone.now()
        fields = update_fields or [
            f.attname
            for f in self._meta.concrete_fields
            if not f.primary_key and f.attname not in {"version", "fhir_id", "created_at", "updated_at"}
        ]
        values: dict[str, Any] = {name: getattr(self, name) for name in fields}
        updated = self.__class__.objects.filter(pk=self.pk, version=expected).update(
            version=models.F("version") + 1, updated_at=now, **values
        )
        if not updated:
            raise ChangedMeanwhile(self, expected)
        self.version = expected + 1
        self.updated_at = now
        models.signals.post_save.send(
            sender=self.__class__, instance=self, created=False, update_fields=None, raw=False, using="default"
        )
