"""Multidisciplinary consultation (MDO, C8): scheduling, invitations, attendance, minutes, decisions as plan
tasks, reimbursement rules as data.
"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from careweave.seeding import reseed_after_migrate, run_data_migration


def _seed_rule(using: str, verbosity: int) -> None:
    """Today's reimbursement rule, once, when no rule is left (the data migration seeds it on a real database)."""
    from careweave.consultations.models import ReimbursementRule

    if not ReimbursementRule.objects.using(using).exists():
        run_data_migration("careweave.consultations.migrations.0002_current_reimbursement_rule", "add_rule")
        run_data_migration("careweave.consultations.migrations.0003_min_other_professionals", "set_minimum")


class ConsultationsConfig(AppConfig):
    name = "careweave.consultations"
    label = "consultations"
    verbose_name = _("Multidisciplinary consultations (MDO)")

    def ready(self) -> None:
        from careweave.careplans.signals import care_transition
        from careweave.consultations.models import ReimbursementRule
        from careweave.consultations.receivers import propose_at_transition

        care_transition.connect(propose_at_transition, dispatch_uid="consultations.propose_at_transition")
        reseed_after_migrate(self, _seed_rule, ReimbursementRule, dispatch_uid="consultations.reseed")
