"""Demo data of the territory app: the social map (called by demo.loader.load_demo)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User


def load_territory(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Nothing yet."""
    return {}
