"""The interface language is remembered per user, not per browser.

A care home's shared computer or a family tablet is used by several people: the language a user
chose follows them to every device they log in on, and the next user does not inherit it.
The choice lives in :class:`~careweave.web.models.UserPreference`; at login it is copied to the
session, where :class:`~careweave.web.middleware.UserLanguageMiddleware` finds it on each request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "careweave_language"
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def preferred_language(user) -> str | None:  # noqa: ANN001
    """The user's own choice, else the language on their person or professional record."""
    from careweave.web.models import UserPreference

    choice = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if choice in SUPPORTED:
        return choice
    person = getattr(user, "person", None)
    if person is not None and person.language in SUPPORTED:
        return person.language
    professional = getattr(user, "professional", None)
    if professional is not None:
        for code in (professional.languages or "").replace(" ", "").split(","):
            if code in SUPPORTED:
                return code
    return None


def remember_language_on_login(sender, request: HttpRequest, user, **kwargs) -> None:  # noqa: ANN001, ARG001
    language = preferred_language(user)
    if language and request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language


def store_language(request: HttpRequest, language: str) -> None:
    """Save the user's choice for their next sessions and use it in this one."""
    from careweave.web.models import UserPreference

    if language not in SUPPORTED:
        return
    if request.user.is_authenticated:
        UserPreference.objects.update_or_create(user=request.user, defaults={"language": language})
    request.session[SESSION_KEY] = language
