"""Issue #18 item 23: nothing empty is served, and a resource claims a profile only when it meets it."""

from __future__ import annotations

import re

import pytest

from careweave.fhir.conformance import BE_CIVILSTATE, CD_CIVILSTATE, V3_MARITAL
from careweave.fhir.profiles import PROFILES

LUIGI = "Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-18"  # maritalStatus S (never married)
HERSHEL = "Hershel_Marvin_71a7f9d4-45b7-481b-b571-7"  # maritalStatus M (married)


def _empties(value, path: str = "") -> list[str]:  # noqa: ANN001
    if value in ("", {}, [], None):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empties(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _empties(v, f"{path}[{i}]")]
    return []


def _patient(api, synthea_dir, prefix: str) -> dict:  # noqa: ANN001
    path = next(synthea_dir.glob(f"{prefix}*.json"))
    answer = api.post("", path.read_bytes()).json()
    location = answer["entry"][0]["response"]["location"]
    assert location.startswith("Patient/")
    return api.get("/" + location.split("/_history")[0]).json()


@pytest.mark.shared
def test_a_patient_claims_be_patient_only_when_its_marital_status_is_in_the_required_binding(
        api, gp, synthea_dir, validate_r4b):
    luigi = _patient(api, synthea_dir, LUIGI)
    assert luigi["maritalStatus"]["coding"][0]["code"] == "S"  # kept as received
    assert PROFILES["Patient"] not in (luigi.get("meta") or {}).get("profile", [])
    hershel = _patient(api, synthea_dir, HERSHEL)
    assert PROFILES["Patient"] in hershel["meta"]["profile"]
    # the same rule in a search page
    found = api.get(f"/Patient?_id={luigi['id']},{hershel['id']}").json()
    claims = {e["resource"]["id"]: e["resource"].get("meta", {}).get("profile", []) for e in found["entry"]}
    assert PROFILES["Patient"] not in claims[luigi["id"]] and PROFILES["Patient"] in claims[hershel["id"]]
    for resource in (luigi, hershel):
        validate_r4b(resource)
        assert _empties(resource) == []


def test_plan_definitions_serve_no_empty_values(api):
    from careweave.programmes.actions import sync_shipped_pathways

    sync_shipped_pathways()
    found = api.get("/PlanDefinition").json()
    assert len(found["entry"]) >= 4
    for entry in found["entry"]:
        assert _empties(entry["resource"]) == [], entry["resource"]["url"]


@pytest.mark.shared
def test_the_civil_state_binding_is_the_one_in_the_belgian_value_set(shared_dir):
    text = (shared_dir / "fhir-be" / "core" / "valuesets" / "be-civilstate.fsh").read_text(encoding="utf-8")
    expected: dict[str, set[str]] = {}
    system = ""
    for line in text.splitlines():
        included = re.search(r'compose\.include\[[^\]]*\]\.system = "([^"]+)"', line)
        if included:
            system = included.group(1)
        code = re.search(r"compose\.include\[=\]\.concept(?:\[[^\]]*\])?\.code = #(\S+)", line)
        if code:
            expected.setdefault(system, set()).add(code.group(1))
    assert {k: set(v) for k, v in BE_CIVILSTATE.items()} == expected
    assert V3_MARITAL in expected and CD_CIVILSTATE in expected
