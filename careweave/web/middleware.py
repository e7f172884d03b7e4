"""Middleware: the user's remembered language, and a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class UserLanguageMiddleware:
    """Activate the language stored on the user's profile (remembered per user, not per browser)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("_language") if hasattr(request, "session") else None
        if language:
            request.COOKIES.setdefault("django_language", language)
            translation.activate(language)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send a CSP header on every HTML response: no inline script, no third-party origins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CSP)
        return response
