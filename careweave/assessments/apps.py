from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender: AppConfig, **kwargs) -> None:  # noqa: ANN003
    """Keep the Instrument rows equal to the shipped instrument files after every migrate (and test flush)."""
    from django.db import connections

    from careweave.assessments.catalogue import sync_instruments
    from careweave.assessments.models import Instrument
    from careweave.fhir.models import ResourceVersion

    using = kwargs.get("using", "default")
    tables = set(connections[using].introspection.table_names())
    if {Instrument._meta.db_table, ResourceVersion._meta.db_table} <= tables:  # not after a partial migrate
        sync_instruments(using=using, verbosity=kwargs.get("verbosity", 1))


class AssessmentsConfig(AppConfig):
    name = "careweave.assessments"
    label = "assessments"
    verbose_name = _("Assessments and questionnaires")

    def ready(self) -> None:
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="careweave.assessments.sync")
