from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender: AppConfig, **kwargs) -> None:  # noqa: ANN003
    """The shipped pathway versions are in the registry after every migrate (and test flush)."""
    from django.db import connections

    from careweave.programmes.models import PathwayVersion

    using = kwargs.get("using", "default")
    if using == "default" and PathwayVersion._meta.db_table in connections[using].introspection.table_names():
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
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="careweave.programmes.sync")
        post_save.connect(_assessment_saved, sender="assessments.Assessment",
                          dispatch_uid="careweave.programmes.assessment_saved")
