"""The CapabilityStatement (``GET /fhir/R4/metadata``), built from the registered mappings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from careweave.fhir.mapping.base import instant
from careweave.fhir.registry import MAPPINGS
from careweave.fhir.search import REVINCLUDES

COMMON_PARAMS = [("_id", "token"), ("_lastUpdated", "date"), ("_count", "number")]


def capability_statement(base: str) -> dict[str, Any]:
    resources = []
    for rtype in sorted(MAPPINGS):
        mapping = MAPPINGS[rtype]
        params = dict(COMMON_PARAMS)
        if mapping.person_path not in (None, ""):
            params.update({"patient": "reference", "subject": "reference"})
        if mapping.searches_identifiers:
            params["identifier"] = "token"
        params.update(mapping.search_docs)
        entry: dict[str, Any] = {
            "type": rtype,
            "interaction": [{"code": code} for code in mapping.interactions],
            "versioning": ("versioned-update" if "update" in mapping.interactions else "versioned")
            if "vread" in mapping.interactions else "no-version",
            "readHistory": "vread" in mapping.interactions,
            "updateCreate": False,
            "conditionalCreate": "create" in mapping.interactions,
            "conditionalUpdate": "update" in mapping.interactions,
            "conditionalDelete": "not-supported",
            "searchParam": [{"name": name, "type": kind} for name, kind in sorted(params.items())],
        }
        operations = getattr(mapping, "operations", {})  # issue #8: $populate, $extract
        if operations:
            entry["operation"] = [{"name": name, "definition": url} for name, url in sorted(operations.items())]
        revincludes = sorted(f"{t}:{p}" for (base, t, p) in REVINCLUDES if base == rtype)
        if revincludes:
            entry["searchRevInclude"] = revincludes
        if mapping.profile:
            entry["profile"] = mapping.profile
            entry["supportedProfile"] = [mapping.profile]
        resources.append(entry)
    from careweave.fhir.viewdefinitions import capability_entry  # issue #20

    resources.append(capability_entry())
    resources.append(_subscription_entry())
    resources.sort(key=lambda r: r["type"])
    from careweave.fhir.bulk.capability import add_bulk  # issue 20

    return add_bulk({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(timezone.now()),
        "publisher": "Careweave",
        "kind": "instance",
        "software": {"name": "Careweave", "version": _version()},
        "implementation": {"description": "Careweave FHIR R4 API (HL7 Belgium profiles)", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Bearer API tokens (careweave token USER) or a logged-in session. Every read and "
                             "write of personal data is audited; errors are OperationOutcomes in the "
                             "requester's language (Accept-Language).",
            "security": {
                "cors": False,
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "OAuth"}], "text": "Bearer token"}],
            },
            "resource": resources,
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    })


def _subscription_entry() -> dict[str, Any]:
    """Subscriptions (R4 Backport IG, issue #21): the topics offered, rest-hook, id-only payloads, ``$status``."""
    from careweave.fhir.subscriptions.topics import BACKPORT, TOPICS

    return {
        "type": "Subscription",
        "extension": [{"url": f"{BACKPORT}/capabilitystatement-subscriptiontopic-canonical", "valueCanonical": url}
                      for url in sorted(TOPICS)],
        "profile": f"{BACKPORT}/backport-subscription",
        "supportedProfile": [f"{BACKPORT}/backport-subscription"],
        "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "create"}, {"code": "delete"}],
        "versioning": "no-version",
        "searchParam": [{"name": "status", "type": "token"}],
        "operation": [{"name": "status",
                       "definition": "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status"}],
    }


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("careweave")
    except Exception:  # noqa: BLE001 - not installed as a package (running from a checkout)
        return "0.1.0"
