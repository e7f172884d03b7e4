"""What the web app remembers per user: the language they chose (on any device they log in from)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    """Per-user interface settings; kept apart from Person/Professional because every user has one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_preference")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class FormSubmission(models.Model):
    """One rendered form that was saved: its random token (``{% form_token %}``) and where saving it led.

    Written in the same transaction as what the form saved (``careweave.web.once``), with a unique
    (user, token) pair, so a form sent twice — a double click, a resend after a timeout, two tabs —
    saves once: the repeat answers with the first result instead of creating a second record.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    result_url = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="web_form_submission_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.token} -> {self.result_url}"
