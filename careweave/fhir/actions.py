"""Actions of the FHIR door's own records: bulk exports (issue 20, decision 0026) and subscriptions of other
systems (issue 21, decision 0033).

Like every action they ask the permission table first (decision 0022); the FHIR handlers only call them.
Starting an export creates its ``ExportJob`` and enqueues the job in the same transaction (a refused or
failed kick-off leaves no job behind); cancelling marks it so the worker stops at its next batch and
removes its files.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from careweave.access.audit import record_access
from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action
from careweave.fhir.models import ExportJob, Subscription
from careweave.fhir.subscriptions.resources import Requested
from careweave.people.models import Person


@atomic_action
def start_bulk_export(actor: Any, scope: Any, *, level: str, group: str = "", types: list[str] | None = None,
                      since: datetime | None = None, type_filters: dict[str, list[str]] | None = None,
                      elements: list[str] | None = None, pseudonymise: bool = False, zone_code: str = "",
                      persons: list[int] | None = None, request_url: str = "") -> ExportJob:
    """Queue an export of what ``actor`` may read (``scope``: the Group asked for, or None), or of the
    zone's persons under pseudonyms (``scope`` is then the zone's Group, or the zone)."""
    authorize(actor, "fhir.bulk_export_pseudonymised" if pseudonymise else "fhir.bulk_export", scope)
    from careweave.fhir.bulk.tasks import run_bulk_export

    now = timezone.now()
    job = ExportJob.objects.create(
        requester=actor, level=level, group=group, pseudonymised=pseudonymise, request_url=request_url,
        params={"types": types or [], "since": since.isoformat() if since else None,
                "type_filters": type_filters or {}, "elements": elements or [], "zone_code": zone_code,
                "persons": persons, "language": translation.get_language()},
        created_at=now, expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    run_bulk_export.enqueue(job.pk)
    job.refresh_from_db()  # an inline backend (tests) has run it already
    return job


@atomic_action
def cancel_bulk_export(actor: Any, export: ExportJob) -> ExportJob:
    """Stop an export (the worker notices at its next batch) and remove whatever files it wrote."""
    authorize(actor, "fhir.cancel_bulk_export", export)
    from careweave.fhir.bulk.storage import remove_files

    ExportJob.objects.filter(pk=export.pk).update(status=ExportJob.Status.CANCELLED, finished_at=timezone.now())
    remove_files(export)
    export.refresh_from_db()
    return export


@atomic_action
def start_population_feed(actor: Any, zone: Any, *, trigger: str = "asked") -> Any:
    """Queue the zone's population pipeline (issue 20, decision 0027): its pseudonymised export, the shipped
    views and the process indicators; ``zone`` is a ``territory.Zone``. Returns the run, whose progress the
    dashboard shows."""
    authorize(actor, "fhir.start_population_feed", zone)
    from careweave.fhir.population_feed import population_engine, run_population_feed
    from careweave.population.models import WorkIndicatorRun

    active = WorkIndicatorRun.objects.filter(zone=zone.code, status__in=[
        WorkIndicatorRun.Status.QUEUED, WorkIndicatorRun.Status.RUNNING]).first()
    if active is not None:
        return active  # one run at a time per zone: asking twice follows the same run
    run = WorkIndicatorRun.objects.create(zone=zone.code, requested_by=actor, trigger=trigger,
                                          engine=population_engine())
    run_population_feed.enqueue(run.pk)
    run.refresh_from_db()  # an inline backend (tests) has run it already
    return run


@transaction.atomic
def create_subscription(actor: Any, person: Person | None, *, requested: Requested, base_url: str) -> Subscription:
    """Subscribe ``actor``'s system to a topic, for one person's file (a plan reader of it) or for every
    file the actor may read; the handshake is sent by the worker before any notification."""
    authorize(actor, "fhir.subscribe", person)
    from careweave.fhir.subscriptions.delivery import handshake

    sub = Subscription.objects.create(
        fhir_id=uuid.uuid4(), owner=actor, topic=requested.topic, person=person, reason=requested.reason,
        endpoint=requested.endpoint, base_url=base_url, headers=requested.headers, payload=requested.payload,
        heartbeat_seconds=requested.heartbeat, timeout_seconds=requested.timeout, max_count=requested.max_count,
        end=requested.end)
    record_access(actor, "create", "Subscription", str(sub.fhir_id), person=person)
    handshake.enqueue(sub.pk)
    return sub


@transaction.atomic
def end_subscription(actor: Any, subscription: Subscription) -> Subscription:
    """The owner stops a subscription: status ``off``, nothing sent any more (the events stay for $status)."""
    authorize(actor, "fhir.manage_subscription", subscription)
    Subscription.objects.filter(pk=subscription.pk).update(status=Subscription.Status.OFF, version=F("version") + 1)
    record_access(actor, "delete", "Subscription", str(subscription.fhir_id), person=subscription.person)
    subscription.refresh_from_db()
    return subscription
