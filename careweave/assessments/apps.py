from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from careweave.seeding import reseed_after_migrate


def _sync_instruments(using: str, verbosity: int) -> None:
    """Keep the Instrument rows equal to the shipped instrument files after every migrate (and test flush)."""
    from careweave.assessments.catalogue import sync_instruments

    sync_instruments(using=using, verbosity=verbosity)


class AssessmentsConfig(AppConfig):
    name = "careweave.assessments"
    label = "assessments"
    verbose_name = _("Assessments and questionnaires")

    def ready(self) -> None:
        from careweave.assessments.models import Instrument
        from careweave.records.models import ResourceVersion

        reseed_after_migrate(self, _sync_instruments, Instrument, ResourceVersion,
                             dispatch_uid="careweave.assessments.sync")
