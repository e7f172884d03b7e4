"""Middleware: the user's remembered language, a strict Content-Security-Policy, no caching of personal
responses, and HSTS behind the TLS proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from careweave.web.language import SESSION_KEY, SUPPORTED

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class UserLanguageMiddleware:
    """Make the logged-in user's language win over the browser's cookie and Accept-Language.

    Runs before ``LocaleMiddleware`` (which reads the language cookie), so putting the session's
    choice in the request's cookies is enough for Django to activate it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(SESSION_KEY) if session is not None else None
        if language in SUPPORTED:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send a CSP header on every HTML response: no inline script or style, no third-party origins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CSP)
        return response


class NoStoreMiddleware:
    """Personal pages, PDFs, CSVs and FHIR reads are kept by no browser or proxy cache.

    Every response to a logged-in user and every ``/fhir/`` response (its bearer token is checked in
    the view, not in ``request.user``) gets ``Cache-Control: no-store`` and ``Pragma: no-cache`` (for
    HTTP/1.0 proxies): a shared computer's back button or disk cache would otherwise show the file to
    the next user. Static files are served by WhiteNoise before Django and stay cacheable. A view that
    chose its own ``Cache-Control`` (the offline service worker) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = request.path.startswith("/fhir/") or getattr(user, "is_authenticated", False)
        if personal and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response


class StrictTransportSecurityMiddleware:
    """Send HSTS whenever ``SECURE_HSTS_SECONDS`` is set (``CAREWEAVE_HTTPS=1``), also over the proxy's HTTP.

    Django's SecurityMiddleware only sends it on requests it sees as HTTPS; behind the TLS proxy
    none is. Browsers ignore HSTS received over plain HTTP (RFC 6797 section 8.1), so sending it
    always is harmless and makes the promise of the README true.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        seconds = getattr(settings, "SECURE_HSTS_SECONDS", 0)
        if seconds and not response.has_header("Strict-Transport-Security"):
            value = f"max-age={seconds}"
            if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
                value += "; includeSubDomains"
            if getattr(settings, "SECURE_HSTS_PRELOAD", False):
                value += "; preload"
            response["Strict-Transport-Security"] = value
        return response
