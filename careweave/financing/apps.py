from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from careweave.seeding import reseed_after_migrate, run_data_migration


def _seed_types_and_tariffs(using: str, verbosity: int) -> None:
    """The Protocol 3 types and example tariffs (the data migration seeds them on a real database). Idempotent."""
    run_data_migration("careweave.financing.migrations.0002_protocol3_types_and_example_tariffs", "seed")
    # who may provide each type: without it, a flushed test database has types nobody may provide
    run_data_migration("careweave.financing.migrations.0003_provision_type_providers", "seed_providers")


class FinancingConfig(AppConfig):
    name = "careweave.financing"
    label = "financing"
    verbose_name = _("Provisions and financing")

    def ready(self) -> None:
        """Listen to concluded MDOs (the seam with the consultations app, which financing does not import)."""
        from careweave.consultations.signals import mdo_concluded

        from .actions import on_mdo_concluded
        from .models import ProvisionType, Tariff

        mdo_concluded.connect(on_mdo_concluded, dispatch_uid="financing.register_mdo_fees")
        reseed_after_migrate(self, _seed_types_and_tariffs, ProvisionType, Tariff, dispatch_uid="financing.reseed")
