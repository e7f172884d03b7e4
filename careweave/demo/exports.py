"""Demo bulk exports (issue 20): the GP's export of their patients' plans, the zone's pseudonymised export.

Asked through the same action as ``$export`` (``fhir.actions.start_bulk_export``): the worker that
``careweave demo`` starts runs them, so "My exports" shows them finished moments after the demo is up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from careweave.fhir import actions
from careweave.fhir.bulk.groups import ZONE_PREFIX
from careweave.fhir.models import ExportJob

PLAN_TYPES = ["Patient", "CarePlan", "Goal", "Task"]
ZONE_TYPES = ["Patient", "CarePlan", "Goal", "Task", "QuestionnaireResponse", "CareTeam"]


def load_exports(users: dict[str, User], now: datetime) -> dict[str, Any]:
    gp, staff = users["gp"], users["zonestaff"]
    zone = staff.zone_roles.first().zone
    mine = actions.start_bulk_export(gp, None, level=ExportJob.Level.PATIENT, types=PLAN_TYPES,
                                     request_url="/fhir/R4/Patient/$export?_type=" + ",".join(PLAN_TYPES))
    group = f"{ZONE_PREFIX}{zone.code.replace('_', '.')}"
    theirs = actions.start_bulk_export(
        staff, zone, level=ExportJob.Level.GROUP, group=group, types=ZONE_TYPES, pseudonymise=True,
        zone_code=zone.code, request_url=f"/fhir/R4/Group/{group}/$export?_pseudonymize=true")
    return {"exports": [str(mine.key), str(theirs.key)]}
