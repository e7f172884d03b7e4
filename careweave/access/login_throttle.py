"""Growing login delays per (user name, client address) pair, as django-axes callables.

Why a pair and not the user name alone: a lock on the user name lets anyone who knows a
professional's user name lock her out for ever (five wrong passwords every 15 minutes). Why not
the address alone: a care home or hospital shares one public address, and one person's typos
would lock out every colleague. So axes counts failures per pair
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``); a stranger elsewhere only delays
himself.

Why growing delays: after ``LOGIN_FAILURE_LIMIT`` failures the pair waits ``LOGIN_DELAY_BASE``;
each further failure doubles the wait, up to ``LOGIN_DELAY_CAP``. Axes remembers the failures of
a pair for ``AXES_COOLOFF_TIME`` after the last one (the memory); the delay itself is decided
here, through ``AXES_FAILURE_LIMIT`` (a callable): while the pair must still wait, its limit is
the normal one (so the pair is locked); once the wait is over, the limit is one more than its
failures (so the next attempt is allowed, and a wrong password locks again, for twice as long).
Failures during a wait are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``),
so a user who tries again too early does not make her own wait longer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class PairState:
    """What axes remembers of one (user name, address) pair."""

    failures: int
    last_failure: datetime | None

    @property
    def wait_until(self) -> datetime | None:
        """When the pair may try again, or None when it need not wait."""
        if self.last_failure is None or self.failures < limit():
            return None
        return self.last_failure + delay_after(self.failures)


def limit() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_LIMIT", 5))


def delay_after(failures: int) -> timedelta:
    """The wait after the given number of failures: base at the limit, doubled for each one more, capped."""
    base: timedelta = settings.LOGIN_DELAY_BASE
    cap: timedelta = settings.LOGIN_DELAY_CAP
    extra = max(0, failures - limit())
    if extra >= 32:  # 2**32 minutes is far beyond any sensible cap; avoid huge numbers
        return cap
    return min(base * (2**extra), cap)


def pair_state(username: str | None, ip_address: str | None) -> PairState:
    """Failures axes still remembers for this pair (all user agents together, as axes counts them)."""
    if not username:
        return PairState(0, None)
    totals = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return PairState(totals["failures"] or 0, totals["last"])


def request_pair_state(request: HttpRequest, credentials: dict | None = None) -> PairState:
    return pair_state(get_client_username(request, credentials), getattr(request, "axes_ip_address", None))


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: the normal limit while the pair must wait, else just out of reach."""
    state = request_pair_state(request, credentials)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    wait_until = state.wait_until
    if wait_until is not None and now >= wait_until:
        return state.failures + 1
    return limit()


def client_address(request) -> str | None:  # noqa: ANN001 - axes' AXES_CLIENT_IP_CALLABLE
    """The client's address: behind ``PROXY_COUNT`` reverse proxies, the one they wrote in X-Forwarded-For.

    Each proxy appends the address it received from; the client is ``PROXY_COUNT`` entries from the right,
    so a client cannot choose its own address by sending the header itself.
    """
    from django.conf import settings

    count = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
