"""Demo data of the maturity app (called by demo.loader.load_demo after the zone and its people exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User


def load_maturity(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Nothing yet."""
    return {}
