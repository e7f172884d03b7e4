"""How much the FHIR API accepts: body size, JSON nesting and the length of the fields we map.

Why: a real Synthea bundle is several megabytes (Django's site-wide ``DATA_UPLOAD_MAX_MEMORY_SIZE``
of 2.5 MiB stays for the web forms), hostile JSON can be nested thousands deep (Python's parser and
pydantic recurse), and a field that is longer than the record can hold must be refused with a clear
message rather than silently cut. Every refusal is an OperationOutcome (413, 400 or 422).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from careweave.fhir.errors import BadRequest, PayloadTooLarge, Unprocessable

MAX_DEPTH = 64  # FHIR resources nest about 10 deep; a bundle adds 3 levels
MAX_TEXT = 20_000  # free text (a goal, a task, a journal message, a plan summary)


def max_body_bytes() -> int:
    """The largest request body the FHIR endpoints read (``FHIR_MAX_BODY_BYTES``, default 20 MiB)."""
    return int(getattr(settings, "FHIR_MAX_BODY_BYTES", 20 * 1024 * 1024))


def too_large(size: int | None = None) -> PayloadTooLarge:
    limit = max_body_bytes()
    return PayloadTooLarge(
        _("The request is too large: Careweave accepts at most %(limit)s MB per request; split the bundle.")
        % {"limit": round(limit / 1_000_000, 1)}
    )


def check_depth(data: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise BadRequest(_("The JSON is nested too deeply (more than %(limit)s levels).") % {"limit": limit})
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def limited(value: str, limit: int, element: str) -> str:
    """``value`` when it fits in ``limit`` characters; otherwise a 422 naming the element and the limit."""
    if len(value) > limit:
        raise Unprocessable(
            _("%(element)s is too long: at most %(limit)s characters, this one has %(length)s.")
            % {"element": element, "limit": limit, "length": len(value)},
            code="too-long", expression=[element],
        )
    return value
