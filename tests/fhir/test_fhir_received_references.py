"""Issue #18 item 20: references of received records to Practitioners and Organizations Careweave holds
are served as references a client can read, not as the bundle's ``urn:uuid:``."""

from __future__ import annotations

import json

import pytest

ABDUL = "Abdul_Koepp_e925b0f3-8006-43f6-aa31-94bd215e55e7.json"


@pytest.mark.shared
def test_encounters_and_claims_point_at_the_organization_and_practitioner_served(api, gp, synthea_dir):
    bundle = json.loads((synthea_dir / ABDUL).read_text(encoding="utf-8"))
    answer = api.post("", bundle).json()
    by_url = {e["fullUrl"]: r["response"].get("location", "") for e, r in zip(bundle["entry"], answer["entry"],
                                                                                strict=True)}
    encounters = api.get("/Encounter?_count=100").json()["entry"]
    assert encounters
    for entry in encounters:
        encounter = entry["resource"]
        provider = encounter["serviceProvider"]["reference"]
        assert provider.startswith("Organization/"), provider
        source = next(e for e in bundle["entry"] if e["resource"].get("id") == encounter["identifier"][0]["value"]
                      ) if encounter.get("identifier") else None
        if source is not None:
            assert by_url[source["resource"]["serviceProvider"]["reference"]].startswith(provider + "/_history")
        for participant in encounter.get("participant", []):
            assert participant["individual"]["reference"].startswith("Practitioner/")
        assert api.get("/" + provider).status_code == 200
    claims = api.get("/Claim?_count=100").json()["entry"]
    assert claims and all(c["resource"]["provider"]["reference"].startswith("Organization/") for c in claims)
