"""API tokens stop when their user's credentials change, whatever path made the change.

A password change (the admin's password form, ``set_password`` + ``save``, ``manage.py
changepassword``) reaches Django's ``password_changed`` hook, which calls every entry of
``AUTH_PASSWORD_VALIDATORS``: :class:`RevokeApiTokensOnPasswordChange` is one. The hook is not
called when Django merely re-hashes the same password with newer parameters at login, so that
does not revoke anything. Deactivation (``User.is_active = False``, or the professional made
inactive) is caught by ``post_save`` receivers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class RevokeApiTokensOnPasswordChange:
    """A "password validator" that validates nothing: its ``password_changed`` revokes the API tokens."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return _("Changing your password revokes all your API tokens.")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            from careweave.access.actions import revoke_api_tokens_after_credential_change

            revoke_api_tokens_after_credential_change(user, "password changed")


def user_saved(sender: type, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw or created or instance.is_active:
        return
    _revoke_if_any(instance, "account deactivated")


def professional_saved(sender: type, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.active or instance.user_id is None:
        return
    _revoke_if_any(instance.user, "professional deactivated")


def _revoke_if_any(user: Any, reason: str) -> None:
    from careweave.access.actions import revoke_api_tokens_after_credential_change
    from careweave.access.models import ApiToken

    if ApiToken.objects.filter(user=user, revoked=False).exists():
        revoke_api_tokens_after_credential_change(user, reason)
