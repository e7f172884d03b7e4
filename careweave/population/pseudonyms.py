"""Keyed pseudonyms: the same person gets the same pseudonym in the claims-like set and in Careweave's export.

A stand-in for the Belgian trusted third party (eHealth's pseudonymisation service): the pseudonym is an HMAC
of the SSIN with a **zone secret** that is kept outside the analytics data (the environment
``CAREWEAVE_PSEUDONYM_KEY`` or ``var/pseudonym_key``, never in the population files or exports). Without the
secret a pseudonym cannot be turned back into an SSIN, nor can a known SSIN be tested against the files.
Each zone's secret is derived from the master key, so two zones' pseudonyms of one person do not match.

Two forms: a 63-bit integer (the population engine's ``person_id``: fast joins on DuckDB and Spark) and
its hexadecimal text (FHIR ``identifier`` values, ndjson exports).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

PSEUDONYM_SYSTEM = "https://careweave.be/fhir/NamingSystem/zone-pseudonym"


def _master_key() -> bytes:
    configured = os.environ.get("CAREWEAVE_PSEUDONYM_KEY", "").strip()
    if configured:
        return configured.encode()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        var = Path(settings.VAR_DIR)
    except ImproperlyConfigured:  # the generator run outside Django (a script, a benchmark's child)
        var = Path(os.environ.get("CAREWEAVE_VAR", Path.cwd() / "var")).resolve()
    path = var / "pseudonym_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@lru_cache(maxsize=64)
def zone_key(zone_code: str) -> bytes:
    """The zone's secret, derived from the master key (cached per process)."""
    return hmac.new(_master_key(), f"zone:{zone_code}".encode(), hashlib.sha256).digest()


def _digest(ssin: str, zone_code: str) -> bytes:
    digits = "".join(ch for ch in ssin if ch.isdigit())
    if len(digits) != 11:
        raise ValueError("an SSIN has 11 digits")
    return hmac.new(zone_key(zone_code), digits.encode(), hashlib.sha256).digest()


def pseudonym_id(ssin: str, zone_code: str) -> int:
    """The person's pseudonym as a positive 63-bit integer (population ``person_id``)."""
    return int.from_bytes(_digest(ssin, zone_code)[:8], "big") & ((1 << 63) - 1)


def pseudonym_text(ssin: str, zone_code: str) -> str:
    """The same pseudonym as text: 16 hexadecimal digits of ``pseudonym_id``."""
    return f"{pseudonym_id(ssin, zone_code):016x}"


def pseudonym_ids(ssins: list[str], zone_codes: list[str] | str) -> list[int]:
    """``pseudonym_id`` of many SSINs at once (the generator's million persons): one-shot HMACs.

    ``zone_codes`` is one zone for all, or one zone per SSIN (a Belgium-wide set keys each person
    with the secret of the zone they live in).
    """
    zones = [zone_codes] * len(ssins) if isinstance(zone_codes, str) else zone_codes
    mask = (1 << 63) - 1
    keys = {z: zone_key(z) for z in set(zones)}
    out = []
    for ssin, zone in zip(ssins, zones, strict=True):
        digits = "".join(ch for ch in ssin if ch.isdigit())
        if len(digits) != 11:
            raise ValueError("an SSIN has 11 digits")
        out.append(int.from_bytes(hmac.digest(keys[zone], digits.encode(), "sha256")[:8], "big") & mask)
    return out


def synthetic_ssins(first: int, count: int) -> list[str]:
    """Stand-in SSINs for the synthetic persons numbered ``first`` .. ``first + count - 1``.

    The month digits are 61-72, a range no real SSIN (nor bis number: +20/+40) uses, so a synthetic
    person never shares a pseudonym with a real (or demo) person; the numbers carry no birth date.
    """
    out = []
    for g in range(first, first + count):
        yy, mm, rest = (g // (12 * 10**7)) % 100, 61 + (g // 10**7) % 12, g % 10**7
        out.append(f"{yy:02d}{mm:02d}{rest:07d}")
    return out
