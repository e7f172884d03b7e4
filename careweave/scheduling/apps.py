"""The scheduling bounded context (issue 21, decision 0032)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "careweave.scheduling"
    label = "scheduling"
    verbose_name = _("Calendar and appointments")
