from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_save


class FhirConfig(AppConfig):
    name = "careweave.fhir"
    label = "fhir"
    verbose_name = "FHIR API"

    def ready(self) -> None:
        from careweave.access.models import AuditEvent
        from careweave.fhir.history import on_post_save
        from careweave.fhir.refusals import on_audit_saved

        post_save.connect(on_post_save, dispatch_uid="careweave.fhir.history")
        from careweave.fhir.subscriptions.delivery import on_saved
        from careweave.jobs.schedule import register

        post_save.connect(on_saved, dispatch_uid="careweave.fhir.subscriptions")
        register("subscription-heartbeats", "* * * * *", "careweave.fhir.subscriptions.delivery.send_heartbeats",
                 catch_up=timedelta(minutes=2))
        post_save.connect(on_audit_saved, sender=AuditEvent, dispatch_uid="careweave.fhir.refusals")
        from careweave.fhir import receivers
        from careweave.records import signals

        signals.scores_changed.connect(receivers.on_scores_changed, dispatch_uid="careweave.fhir.scores")
        signals.referral_changed.connect(receivers.on_referral_changed, dispatch_uid="careweave.fhir.referral")
        signals.version_changed.connect(receivers.on_version_changed, dispatch_uid="careweave.fhir.version")
        from careweave.jobs.schedule import register

        # issue 20: expired bulk exports (files and rows) are removed every hour
        register("bulk-export-cleanup", "5 * * * *", "careweave.fhir.bulk.tasks.purge_expired_exports")
        # issue 20 (decision 0027): the zones' indicators from their own work, each night
        register("population-feeds", "40 3 * * *", "careweave.fhir.population_feed.nightly_population_feeds")
