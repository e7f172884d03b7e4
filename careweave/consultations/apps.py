"""Multidisciplinary consultation (MDO, C8): scheduling, invitations, attendance, minutes, decisions as plan
tasks, reimbursement rules as data.
"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "careweave.consultations"
    label = "consultations"
    verbose_name = _("Multidisciplinary consultations (MDO)")

    def ready(self) -> None:
        from careweave.careplans.signals import care_transition
        from careweave.consultations.receivers import propose_at_transition

        care_transition.connect(propose_at_transition, dispatch_uid="consultations.propose_at_transition")
