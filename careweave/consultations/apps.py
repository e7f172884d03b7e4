"""Multidisciplinary consultation (MDO, C8): scheduling, invitations, attendance, minutes, decisions as plan
tasks, reimbursement rules as data.
"""
import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reseed_after_flush(sender: AppConfig, **kwargs) -> None:  # noqa: ANN003
    """Today's reimbursement rule again after a flush (tests that flush the database), once, when no rule is left.

    The data migration seeds it on a real database; post_migrate also runs after a test flush.
    """
    from django.apps import apps
    from django.db import connections

    from careweave.consultations.models import ReimbursementRule

    using = kwargs.get("using", "default")
    if ReimbursementRule._meta.db_table not in connections[using].introspection.table_names():
        return  # a partial migrate
    if not ReimbursementRule.objects.using(using).exists():
        importlib.import_module("careweave.consultations.migrations.0002_current_reimbursement_rule").add_rule(
            apps, None)


class ConsultationsConfig(AppConfig):
    name = "careweave.consultations"
    label = "consultations"
    verbose_name = _("Multidisciplinary consultations (MDO)")

    def ready(self) -> None:
        from careweave.careplans.signals import care_transition
        from careweave.consultations.receivers import propose_at_transition

        care_transition.connect(propose_at_transition, dispatch_uid="consultations.propose_at_transition")
        post_migrate.connect(_reseed_after_flush, sender=self, dispatch_uid="consultations.reseed")
