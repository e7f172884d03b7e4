"""``careweave fhir import``: per-file summary, idempotent, exit code 1 when a file fails."""

from __future__ import annotations

import json

import pytest

from careweave.cli import main
from careweave.people.models import Person


@pytest.mark.shared
def test_import_prints_a_summary_per_file_and_is_idempotent(synthea_dir, gp, capsys, transactional_db):
    files = [str(p) for p in sorted(synthea_dir.glob("*.json"))[:2]]
    assert main(["fhir", "import", *files, "--as", gp.user.username]) == 0
    out = capsys.readouterr().out
    assert "created" in out and "stored unmodelled" in out and "2 of 2 files imported" in out
    assert Person.objects.count() == 2
    assert main(["fhir", "import", *files, "--as", gp.user.username, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [s["created"] for s in again] == [0, 0]
    assert all(s["stored_new"] == 0 and s["ok"] for s in again)


def test_a_bad_file_makes_the_exit_code_1_but_the_others_are_imported(tmp_path, gp, capsys, transactional_db):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [{
        "fullUrl": "urn:uuid:5d1c2a2e-1b7a-4c35-9a0e-6f2b8b1c0001",
        "resource": {"resourceType": "Patient", "name": [{"family": "Goossens", "given": ["An"]}]},
        "request": {"method": "POST", "url": "Patient"}}]}))
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert main(["fhir", "import", str(bad), str(good), "--as", gp.user.username]) == 1
    out = capsys.readouterr().out
    assert "bad.json: FAILED: not valid JSON" in out
    assert "1 of 2 files imported" in out
    assert Person.objects.filter(family_name="Goossens").exists()


def test_without_as_the_system_import_account_is_used(tmp_path, capsys, transactional_db):
    bundle = tmp_path / "one.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [{
        "fullUrl": "urn:uuid:5d1c2a2e-1b7a-4c35-9a0e-6f2b8b1c0002",
        "resource": {"resourceType": "Patient", "name": [{"family": "Wouters", "given": ["Bo"]}]},
        "request": {"method": "POST", "url": "Patient"}}]}))
    assert main(["fhir", "import", str(bundle)]) == 0
    person = Person.objects.get(family_name="Wouters")
    assert person.care_teams.get().members.get().professional.user.username == "careweave-import"


def test_unknown_user_is_usage_error(tmp_path, transactional_db):
    assert main(["fhir", "import", str(tmp_path / "x.json"), "--as", "nobody"]) == 2
