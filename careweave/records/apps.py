from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The integrated record: clinical data received from other systems, each record one person's."""

    name = "careweave.records"
    label = "records"
    verbose_name = _("Integrated record")
