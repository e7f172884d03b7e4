"""Keep the :class:`~careweave.assessments.models.Instrument` rows equal to the shipped instrument files.

Run after every ``migrate`` (post_migrate) and callable from tests and the CLI. Idempotent: a file
that did not change touches nothing; a changed file of the same version bumps that Questionnaire's
revision (its ``_history`` keeps the earlier text); a new version is a new row (a new Questionnaire
with the same ``url``), and the older versions become ``retired`` (a new revision too) but stay,
because responses point at them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from careweave.assessments.models import Instrument, instrument_fhir_id

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.created)} new, {len(self.updated)} changed, {len(self.unchanged)} unchanged"


def digest(questionnaire: dict) -> str:
    return hashlib.sha256(json.dumps(questionnaire, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _write_history(instrument: Instrument, using: str) -> None:
    """Say this revision of the Questionnaire exists: the FHIR app stores it for ``_history``/``vread``
    (Instrument is not a VersionedModel)."""
    from careweave.records.signals import version_changed

    version_changed.send(sender=Instrument, instance=instrument, using=using)


def sync_instruments(using: str = "default", verbosity: int = 0) -> SyncReport:
    """Create or refresh the Instrument rows from the files; return what changed."""
    from careweave.assessments.engine import all_definitions, catalogue

    report = SyncReport()
    newest = {code: d.version for code, d in catalogue().items()}
    with transaction.atomic(using=using):
        for definition in all_definitions():
            label = f"{definition.code} {definition.version}"
            values = {
                "url": definition.url,
                "title": definition.title("en")[:255],
                "kind": definition.kind,
                "medical": definition.medical,
                "private_to_author": definition.private_to_author,
                "follow_up": definition.follow_up or "",
                "source": definition.source,
                "licence": definition.licence,
                "status": Instrument.Status.ACTIVE if newest.get(definition.code) == definition.version
                else Instrument.Status.RETIRED,
                "questionnaire": definition.questionnaire,
                "digest": digest(definition.questionnaire),
            }
            row = (Instrument.objects.using(using).select_for_update()
                   .filter(code=definition.code, version=definition.version).first())
            if row is None:
                row = Instrument.objects.using(using).create(
                    code=definition.code, version=definition.version,
                    fhir_id=instrument_fhir_id(definition.url, definition.version), **values)
                report.created.append(label)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.revision += 1
                row.updated_at = timezone.now()
                row.save(using=using)
                report.updated.append(label)
            else:
                report.unchanged.append(label)
                continue
            _write_history(row, using)
    if verbosity and (report.created or report.updated):
        logger.info("instruments: %s", report)
    return report


def instrument_for(code: str, version: str | None = None) -> Instrument:
    """The Instrument row for a code (the version in use unless one is named); syncs once when missing.

    Raises ``Instrument.DoesNotExist`` for an instrument that is not shipped.
    """
    qs = Instrument.objects.filter(code=code)
    qs = qs.filter(version=version) if version else qs.filter(status=Instrument.Status.ACTIVE)
    found = qs.first()
    if found is None:
        from careweave.assessments.engine import all_definitions

        if any(d.code == code and version in (None, d.version) for d in all_definitions()):
            sync_instruments()  # shipped but not synced yet, e.g. a test database flushed after a transactional test
            found = qs.first()
    if found is None:
        raise Instrument.DoesNotExist(code)
    return found
