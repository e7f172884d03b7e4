"""What the CapabilityStatement says about ``$export`` and ``Group`` (issue 20)."""

from __future__ import annotations

from typing import Any

BULK = "http://hl7.org/fhir/uv/bulkdata"
PSEUDONYMIZE_DOC = (
    "Bulk Data Access v2 $export at system, Patient and Group level (Prefer: respond-async; ndjson only; "
    "_type, _since, _typeFilter, _elements). Custom kick-off parameter _pseudonymize=true (zone staff, for "
    "their own zone's Group): Patients without name, SSIN, address, telecom or photo, birthDate reduced to "
    "the year, ids and Patient references replaced by the zone's keyed pseudonym (identifier system "
    "https://careweave.be/fhir/NamingSystem/zone-pseudonym), free text dropped. Groups: zone-<code> (a "
    "primary-care zone's persons) and programme-<code> (a programme's enrolled persons)."
)


def add_bulk(statement: dict[str, Any]) -> dict[str, Any]:
    rest = statement["rest"][0]
    statement["instantiates"] = [f"{BULK}/CapabilityStatement/bulk-data"]
    rest["operation"] = [{"name": "export", "definition": f"{BULK}/OperationDefinition/export",
                          "documentation": PSEUDONYMIZE_DOC}]
    for entry in rest["resource"]:
        if entry["type"] == "Patient":
            entry.setdefault("operation", []).append(
                {"name": "export", "definition": f"{BULK}/OperationDefinition/patient-export"})
    rest["resource"].append({
        "type": "Group",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": False,
        "conditionalUpdate": False,
        "conditionalDelete": "not-supported",
        "searchParam": [{"name": "_id", "type": "token"}, {"name": "name", "type": "string"}],
        "operation": [{"name": "export", "definition": f"{BULK}/OperationDefinition/group-export"}],
    })
    rest["resource"].sort(key=lambda r: r["type"])
    return statement
