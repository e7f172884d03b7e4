import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reseed_after_flush(sender: AppConfig, **kwargs) -> None:  # noqa: ANN003
    """The Protocol 3 types and example tariffs again after a flush (tests that flush the database).

    The data migration seeds them on a real database; post_migrate also runs after a test flush. Idempotent.
    """
    from django.apps import apps
    from django.db import connections

    from careweave.financing.models import ProvisionType, Tariff

    tables = set(connections[kwargs.get("using", "default")].introspection.table_names())
    if {ProvisionType._meta.db_table, Tariff._meta.db_table} <= tables:  # not after a partial migrate
        importlib.import_module("careweave.financing.migrations.0002_protocol3_types_and_example_tariffs").seed(
            apps, None)


class FinancingConfig(AppConfig):
    name = "careweave.financing"
    label = "financing"
    verbose_name = _("Provisions and financing")

    def ready(self) -> None:
        """Listen to concluded MDOs (the seam with the consultations app, which financing does not import)."""
        from careweave.consultations.signals import mdo_concluded

        from .actions import on_mdo_concluded

        mdo_concluded.connect(on_mdo_concluded, dispatch_uid="financing.register_mdo_fees")
        post_migrate.connect(_reseed_after_flush, sender=self, dispatch_uid="financing.reseed")
