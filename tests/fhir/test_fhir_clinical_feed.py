"""Issue 12, group 3: the person's Conditions and Observations from other systems feed the plan (for those
with full access) and the population model (the same tables from the bundles or from the store)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from careweave.access.decisions import decide
from careweave.fhir.models import StoredResource
from careweave.population.fhir_import import import_bundles, import_store
from careweave.web.plandata import build_plan_view

ALFONSO = "Alfonso_Dietrich_96160268-66b9-4c07-aa11-0a72de133a52.json"


def _diabetes(person) -> None:  # noqa: ANN001
    StoredResource.objects.create(
        resource_type="Condition", source_id="elsewhere/c1", patient=person,
        data={"resourceType": "Condition", "code": {"text": "Diabetes mellitus type 2"},
              "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2019-04-02"})
    StoredResource.objects.create(
        resource_type="Condition", source_id="elsewhere/c2", patient=person,
        data={"resourceType": "Condition", "code": {"text": "Sprained ankle"}, "onsetDateTime": "2018-01-02",
              "abatementDateTime": "2018-02-01"})
    StoredResource.objects.create(
        resource_type="Observation", source_id="elsewhere/o1", patient=person,
        data={"resourceType": "Observation", "status": "final", "code": {"text": "HbA1c"},
              "effectiveDateTime": "2026-10-01", "valueQuantity": {"value": 7.4, "unit": "%"}})


def test_the_plan_shows_conditions_and_measurements_to_full_access_only(client, person, plan, gp, welfare_member):
    _diabetes(person)
    mine = build_plan_view(person, decide(gp.user, person), gp.user).other_systems
    assert [c.text for c in mine.conditions] == ["Diabetes mellitus type 2"]  # the resolved one is left out
    assert [(m.text, m.value) for m in mine.measurements] == [("HbA1c", "7.4 %")]
    theirs = build_plan_view(person, decide(welfare_member.user, person), welfare_member.user).other_systems
    assert theirs.conditions == [] and theirs.measurements == [] and theirs.hidden == 3
    from django.urls import reverse

    client.force_login(gp.user)
    page = client.get(reverse("web:plan", args=[person.fhir_id]))
    assert page.status_code == 200
    assert "Diabetes mellitus type 2" in page.content.decode()
    client.force_login(welfare_member.user)
    assert "Diabetes mellitus type 2" not in client.get(reverse("web:plan", args=[person.fhir_id])).content.decode()


def test_the_population_model_reads_the_store_as_it_reads_the_bundles(api, gp, synthea_dir, tmp_path):
    path = synthea_dir / ALFONSO
    assert api.post("", json.loads(path.read_text(encoding="utf-8"))).status_code == 200
    from_bundles = import_bundles([path], tmp_path / "bundles")
    from_store = import_store(tmp_path / "store")
    for table in ("persons", "diagnoses", "medication", "vaccinations", "claims", "stays"):
        assert from_store.rows[table] == from_bundles.rows[table], table
    assert from_store.rows["diagnoses"] > 0
    a = pq.read_table(tmp_path / "bundles" / "persons").to_pylist()
    b = pq.read_table(tmp_path / "store" / "persons").to_pylist()
    assert [(r["birth_year"], r["sex"], r["nis"]) for r in a] == [(r["birth_year"], r["sex"], r["nis"]) for r in b]


def test_the_population_command_reads_the_store(api, gp, synthea_dir, tmp_path, capsys):
    from careweave.cli import main

    path = synthea_dir / ALFONSO
    assert api.post("", json.loads(path.read_text(encoding="utf-8"))).status_code == 200
    assert main(["population", "import-fhir", "--from-store", "--out", str(tmp_path / "store")]) == 0
    assert "1 patients" in capsys.readouterr().out
    assert main(["population", "import-fhir", "--out", str(tmp_path / "none")]) == 2
