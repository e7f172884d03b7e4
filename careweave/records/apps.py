from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The integrated record: clinical data received from other systems, each record one person's."""

    name = "careweave.records"
    label = "records"
    verbose_name = "Integrated record"
