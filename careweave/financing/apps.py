from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "careweave.financing"
    label = "financing"
    verbose_name = _("Provisions and financing")

    def ready(self) -> None:
        """Listen to concluded MDOs (the seam with the consultations app, which financing does not import)."""
        from careweave.consultations.signals import mdo_concluded

        from .actions import on_mdo_concluded

        mdo_concluded.connect(on_mdo_concluded, dispatch_uid="financing.register_mdo_fees")
