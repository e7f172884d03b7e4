"""FHIR Bulk Data Access (v2) ``$export`` (issue 20, decision 0026).

``write_ndjson`` is the domain contract other parts use (the zone's population pipeline); the HTTP
kick-off/status/file endpoints are in ``views``, the job in ``tasks``, the Group resources in ``groups``.
"""

from careweave.fhir.bulk.writer import ExportCancelled, exportable_types, write_ndjson

__all__ = ["ExportCancelled", "exportable_types", "write_ndjson"]
