"""``Group`` resources for ``$export``: a zone's population and a programme's enrolled persons.

Ids: ``zone-<zone code>`` and ``programme-<pathway code>`` (underscores become dots: FHIR ids allow
letters, digits, ``-`` and ``.``). A Group lists as members only the persons the reader may read (each
one audited as seen in a list); its ``quantity`` is the whole group's size, left out below the
small-cell threshold (a count that small could single someone out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from careweave.access.audit import record_list_read
from careweave.access.decisions import persons_visible_to
from careweave.fhir.errors import NotFound
from careweave.people.models import Person

ZONE_PREFIX, PROGRAMME_PREFIX = "zone-", "programme-"


def _fhir_id(code: str) -> str:
    return code.replace("_", ".")


@dataclass
class ExportGroup:
    id: str
    kind: str  # zone / programme
    name: str
    zone: Any = None  # the zone (a zone's Group): zone staff predicates find it here
    pathway: Any = None

    def member_ids(self) -> list[int]:
        if self.kind == "zone":
            return list(Person.objects.filter(zone=self.zone).order_by("pk").values_list("pk", flat=True))
        from careweave.programmes.models import Enrolment

        return sorted(set(Enrolment.objects.filter(pathway=self.pathway, status=Enrolment.Status.ACTIVE)
                          .values_list("person_id", flat=True)))


def _zone_group(zone: Any) -> ExportGroup:
    return ExportGroup(f"{ZONE_PREFIX}{_fhir_id(zone.code)}", "zone", zone.name, zone=zone)


def _programme_group(pathway: Any) -> ExportGroup:
    return ExportGroup(f"{PROGRAMME_PREFIX}{_fhir_id(pathway.code)}", "programme", pathway.display_title(),
                       pathway=pathway)


def all_groups() -> list[ExportGroup]:
    """The zones that have persons, then every programme."""
    from careweave.programmes.models import Pathway
    from careweave.territory.models import Zone

    zones = Zone.objects.filter(persons__isnull=False).distinct().order_by("code")
    return [*(_zone_group(z) for z in zones), *(_programme_group(p) for p in Pathway.objects.order_by("code"))]


def group_for(gid: str) -> ExportGroup:
    from careweave.programmes.models import Pathway
    from careweave.territory.models import Zone

    missing = NotFound(_("Group/%(id)s does not exist.") % {"id": gid})
    if gid.startswith(ZONE_PREFIX):
        code = gid[len(ZONE_PREFIX):]
        zone = Zone.objects.filter(code__in=[code, code.replace(".", "_")]).first()
        if zone is None:
            raise missing
        return _zone_group(zone)
    if gid.startswith(PROGRAMME_PREFIX):
        code = gid[len(PROGRAMME_PREFIX):]
        pathway = Pathway.objects.filter(code__in=[code, code.replace(".", "_")]).first()
        if pathway is None:
            raise missing
        return _programme_group(pathway)
    raise missing


def group_resource(group: ExportGroup, reader: Any, request: Any = None) -> dict[str, Any]:
    """The Group as ``reader`` may see it (members they may read, audited as a list read)."""
    ids = group.member_ids()
    visible = set(persons_visible_to(reader))
    shown = list(Person.objects.filter(pk__in=[i for i in ids if i in visible]).order_by("pk"))
    record_list_read(reader, shown, "fhir_group", detail=group.id, request=request)
    resource: dict[str, Any] = {
        "resourceType": "Group",
        "id": group.id,
        "identifier": [{"system": "https://careweave.be/fhir/NamingSystem/group", "value": group.id}],
        "active": True,
        "type": "person",
        "actual": True,
        "code": {"coding": [{"system": "https://careweave.be/fhir/CodeSystem/group-kind", "code": group.kind}]},
        "name": group.name,
    }
    if len(ids) >= settings.SMALL_CELL_K:
        resource["quantity"] = len(ids)
    if shown:
        resource["member"] = [{"entity": {"reference": f"Patient/{p.fhir_id}"}} for p in shown]
    return resource
