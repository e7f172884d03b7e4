"""Who sees the zone dashboards and the person-level outreach list: the permission table's rows.

The views ask here, in one call each, and never decide themselves (issue 17). These are reads of
aggregated (or pseudonymised, audited) data of a zone, not of one person's file.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from careweave.access.permissions import may

ZONE_STAFF_GROUP = "zone_staff"
OUTREACH_PERMISSION = "population.view_outreach_list"


def can_view_zone(user: Any, zone: str | None = None) -> bool:
    """Zone dashboards: superusers and the zone_staff group (``population.view_zone_dashboard``)."""
    return may(user, "population.view_zone_dashboard", zone)


def may_view_outreach_list(user: Any, zone: str | None = None) -> bool:
    """The person-level outreach list needs its own permission besides the dashboard's."""
    return may(user, "population.view_outreach_list", zone)


def require_zone_access(request: HttpRequest, zone: str | None = None) -> None:
    """A 403 for anyone the table does not let see zone dashboards."""
    if not can_view_zone(request.user, zone):
        raise PermissionDenied(_("Zone dashboards are for zone staff."))


def require_outreach_list(request: HttpRequest, zone: str) -> None:
    """A 403 for anyone who may not open the outreach list; a refusal of zone staff is audited."""
    from careweave.access.audit import record_access

    require_zone_access(request, zone)
    if not may_view_outreach_list(request.user, zone):
        record_access(request.user, "read", "PopulationOutreachList", zone, outcome="denied",
                      reason="missing permission population.view_outreach_list", request=request)
        raise PermissionDenied(_("The person-level outreach list needs a specific permission."))


MACRO_GROUP = "policy_makers"


def require(request: HttpRequest, name: str, target: Any = None) -> None:
    """A 403 with the table's own message for anyone the row does not allow (read pages of issue #20)."""
    from careweave.access.permissions import check

    allowed, _code, message = check(request.user, name, target)
    if not allowed:
        raise PermissionDenied(message)
