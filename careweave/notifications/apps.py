"""Notifications, an inbox, e-mail and web push (issue 21, decision 0030)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "careweave.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from careweave.jobs.schedule import register

        # Reminders that no action triggers: tasks due tomorrow/overdue, MDOs tomorrow, assessments due.
        register("notifications.reminders", "0 6 * * *", "careweave.notifications.tasks.send_reminders")
        register("notifications.daily_digest", "0 7 * * *", "careweave.notifications.tasks.send_digests")
