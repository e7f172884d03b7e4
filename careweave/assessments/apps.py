from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender: AppConfig, **kwargs) -> None:  # noqa: ANN003
    """Keep the Instrument rows equal to the shipped instrument files after every migrate (and test flush)."""
    from careweave.assessments.catalogue import sync_instruments

    sync_instruments(using=kwargs.get("using", "default"), verbosity=kwargs.get("verbosity", 1))


class AssessmentsConfig(AppConfig):
    name = "careweave.assessments"
    label = "assessments"
    verbose_name = _("Assessments and questionnaires")

    def ready(self) -> None:
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="careweave.assessments.sync")
