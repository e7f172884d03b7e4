from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from careweave.seeding import reseed_after_migrate


def _sync_pathways(using: str, verbosity: int) -> None:
    """The shipped pathway versions are in the registry after every migrate (and test flush)."""
    if using == "default":  # sync_shipped_pathways writes through the default connection
        from careweave.programmes.actions import sync_shipped_pathways

        sync_shipped_pathways()


def _assessment_saved(sender, instance, **kwargs) -> None:  # noqa: ANN001, ANN003
    """A completed assessment closes the programme tasks it answers and plans the next re-assessment."""
    if instance.is_done:
        from careweave.programmes.actions import assessment_completed

        assessment_completed(instance)


class ProgrammesConfig(AppConfig):
    name = "careweave.programmes"
    label = "programmes"
    verbose_name = _("Programmes and care pathways")

    def ready(self) -> None:
        from careweave.programmes.models import PathwayVersion

        reseed_after_migrate(self, _sync_pathways, PathwayVersion, dispatch_uid="careweave.programmes.sync")
        from careweave.jobs.schedule import register

        register("programme-phases", "15 2 * * *", "careweave.programmes.tasks.recompute_programme_phases")
        post_save.connect(_assessment_saved, sender="assessments.Assessment",
                          dispatch_uid="careweave.programmes.assessment_saved")
