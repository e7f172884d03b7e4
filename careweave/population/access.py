"""Who may see person-level population data: the outreach list is the zone's outreach work list."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q

ZONE_STAFF_GROUP = "zone_staff"
OUTREACH_PERMISSION = "population.view_outreach_list"


def may_view_outreach_list(user) -> bool:  # noqa: ANN001
    """Zone staff who were given the permission (docs/population.md), never anyone just for being superuser.

    ``user.has_perm`` answers yes for every superuser, so an administrator would read persons' risk
    levels without being part of the zone's outreach team (decision 0011: the admin reads no personal
    file); the permission must have been granted to the user or one of their groups.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if not user.groups.filter(name=ZONE_STAFF_GROUP).exists():
        return False
    app_label, codename = OUTREACH_PERMISSION.split(".")
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), content_type__app_label=app_label, codename=codename
    ).exists()
