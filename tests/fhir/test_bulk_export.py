"""Issue 20: FHIR Bulk Data Access v2 ``$export`` — kick-off, poll, download with a real HTTP client.

The flow tests run a small Bulk Data client (``requests``) against the live server (pytest-django's
``live_server``): the same requests a FHIR bulk client sends. Set-up goes through the actions; the
behaviour under test is what the client receives and what the persons' audit trails show.
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from careweave.access.models import ApiToken, AuditEvent
from careweave.careplans.actions import enrol_registering_professional
from careweave.fhir.bulk import write_ndjson
from careweave.fhir.models import ExportJob
from careweave.people.models import Person
from careweave.population.pseudonyms import PSEUDONYM_SYSTEM, pseudonym_text
from careweave.territory.models import Zone, ZoneStaff

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
INLINE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
FHIR_JSON = "application/fhir+json"


class BulkClient:
    """A minimal FHIR Bulk Data client: kick-off, poll the status URL, download the manifest's files."""

    def __init__(self, base: str, token: str | None, language: str = "en") -> None:
        self.base = f"{base}/fhir/R4"
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = language
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def kick_off(self, path: str, params: Any = None, prefer: str = "respond-async",
                 accept: str = FHIR_JSON) -> requests.Response:
        headers = {"Accept": accept}
        if prefer:
            headers["Prefer"] = prefer
        return self.session.get(f"{self.base}{path}", params=params, headers=headers, timeout=60)

    def poll(self, status_url: str) -> requests.Response:
        return self.session.get(status_url, headers={"Accept": "application/json"}, timeout=60)

    def wait(self, status_url: str, seconds: float = 60) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            response = self.poll(status_url)
            if response.status_code == 200:
                return response.json()
            assert response.status_code == 202, response.text
            time.sleep(min(float(response.headers["Retry-After"]), 0.2))
        raise AssertionError("the export did not finish")

    def download(self, manifest: dict) -> dict[str, list[dict]]:
        files: dict[str, list[dict]] = {}
        for entry in manifest["output"]:
            response = self.session.get(entry["url"], headers={"Accept": "application/fhir+ndjson"}, timeout=60)
            assert response.status_code == 200, response.text
            assert response.headers["Content-Type"].startswith("application/fhir+ndjson")
            lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
            assert len(lines) == entry["count"]
            files[entry["type"]] = lines
        return files

    def export(self, path: str, params: Any = None) -> tuple[dict, dict[str, list[dict]]]:
        response = self.kick_off(path, params)
        assert response.status_code == 202, response.text
        manifest = self.wait(response.headers["Content-Location"])
        return manifest, self.download(manifest)


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path: Path) -> Path:
    """Files under the test's own folder; jobs inline unless a test switches to the database queue."""
    settings.TASKS = INLINE
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def zone(db, person) -> Zone:  # noqa: ANN001
    zone = Zone.objects.create(code="ZTEST", name="Zorgzone Test", region=Zone.Region.FLANDERS)
    Person.objects.filter(pk=person.pk).update(zone=zone)
    person.refresh_from_db()
    return zone


@pytest.fixture
def jos(db, stranger, zone) -> Person:  # noqa: ANN001
    """Another person of the zone, in the care of the other GP only (no SSIN: an internal pseudonym)."""
    jos = Person.objects.create(given_name="Jos", family_name="Vermeulen", birth_date=date(1950, 6, 1), zone=zone)
    enrol_registering_professional(stranger.user, jos)
    return jos


@pytest.fixture
def zone_staff(db, zone) -> User:  # noqa: ANN001
    user = User.objects.create_user("zora", first_name="Zora", last_name="Staff")
    ZoneStaff.objects.create(user=user, zone=zone, role=ZoneStaff.Role.STAFF)
    return user


def client_for(live_server, user: User | None, language: str = "en") -> BulkClient:  # noqa: ANN001
    return BulkClient(live_server.url, ApiToken.issue(user) if user is not None else None, language)


def _exported_persons(user: User, code: str) -> set[int]:
    return set(AuditEvent.objects.filter(user=user, reason=f"list:{code}").values_list("person_id", flat=True))


# --------------------------------------------------------------------------- the flow, over HTTP


@pytest.mark.django_db(transaction=True)
def test_kick_off_poll_and_download_give_the_professional_only_their_own_patients(
        live_server, gp, person, plan, jos, stranger, validate_r4b):  # noqa: ANN001
    bulk = client_for(live_server, gp.user)
    response = bulk.kick_off("/Patient/$export")
    assert response.status_code == 202
    status_url = response.headers["Content-Location"]
    assert status_url.startswith(f"{live_server.url}/fhir/R4/$export-status/")
    manifest = bulk.wait(status_url)
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].endswith("/fhir/R4/Patient/$export")
    assert manifest["transactionTime"].endswith("Z") and manifest["error"] == []
    files = bulk.download(manifest)
    assert {"Patient", "CarePlan", "CareTeam", "Goal", "Task"} <= set(files)
    assert [p["id"] for p in files["Patient"]] == [str(person.fhir_id)]  # not Jos, the other GP's patient
    assert len(files["Goal"]) == 2 and len(files["Task"]) == 2
    for resources in files.values():
        for resource in resources:
            validate_r4b(resource)
    # the same as the API serves it
    served = Client().get(f"/fhir/R4/Patient/{person.fhir_id}",
                          HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(gp.user)}").json()
    assert files["Patient"][0] == served
    # audited once on Maria's file, nothing on Jos's
    assert _exported_persons(gp.user, "bulk_export") == {person.pk}
    event = AuditEvent.objects.get(user=gp.user, reason="list:bulk_export")
    assert event.basis == "care_relationship" and event.channel == "api"
    # the files need the token of the one who asked
    url = manifest["output"][0]["url"]
    assert requests.get(url, timeout=30).status_code == 401
    other = client_for(live_server, stranger.user).session.get(url, timeout=30)
    assert other.status_code == 403 and other.json()["resourceType"] == "OperationOutcome"
    # the other GP's export holds Jos only
    _manifest, theirs = client_for(live_server, stranger.user).export("/$export")
    assert [p["id"] for p in theirs["Patient"]] == [str(jos.fhir_id)]
    assert "Practitioner" in theirs  # the system level adds the directory


@pytest.mark.django_db(transaction=True)
def test_type_since_type_filter_and_elements(live_server, gp, person, plan):  # noqa: ANN001
    bulk = client_for(live_server, gp.user)
    _m, files = bulk.export("/Patient/$export", {"_type": "Patient,Goal"})
    assert set(files) == {"Patient", "Goal"}
    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    manifest, files = bulk.export("/Patient/$export", {"_since": later})
    assert manifest["output"] == [] and files == {}
    _m, files = bulk.export("/Patient/$export", [("_type", "Task"), ("_typeFilter", "Task?status=completed")])
    assert files == {}
    _m, files = bulk.export("/Patient/$export", [("_type", "Task,Goal"),
                                                 ("_typeFilter", "Task?status=requested,ready,Goal?_id=nobody")])
    assert set(files) == {"Task"} and len(files["Task"]) == 2
    _m, files = bulk.export("/Patient/$export", {"_type": "Patient", "_elements": "gender"})
    patient = files["Patient"][0]
    assert set(patient) == {"resourceType", "id", "meta", "gender"}
    assert {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"} \
        in patient["meta"]["tag"]


@pytest.mark.django_db(transaction=True)
def test_zone_staff_get_pseudonyms_only(live_server, zone_staff, zone, person, plan, jos, gp):  # noqa: ANN001
    bulk = client_for(live_server, zone_staff)
    refused = bulk.kick_off(f"/Group/zone-{zone.code}/$export")
    assert refused.status_code == 403 and "pseudonymised" in refused.json()["issue"][0]["diagnostics"]
    manifest, files = bulk.export(f"/Group/zone-{zone.code}/$export", {"_pseudonymize": "true"})
    assert manifest["extension"]["https://careweave.be/fhir/bulk/pseudonymised"] is True
    maria_pseudonym = pseudonym_text(person.ssin, zone.code)
    patients = {p["id"]: p for p in files["Patient"]}
    assert maria_pseudonym in patients and len(patients) == 2  # Maria and Jos (no SSIN: an internal pseudonym)
    maria = patients[maria_pseudonym]
    assert maria["birthDate"] == "1941" and maria["identifier"] == [{"system": PSEUDONYM_SYSTEM,
                                                                      "value": maria_pseudonym}]
    assert not {"name", "address", "telecom", "photo"} & set(maria)
    text = json.dumps(files)
    for identifying in ("Peeters", "Maria", "Vermeulen", "Jos", person.ssin, str(person.fhir_id), str(jos.fhir_id),
                        "Keep living at home", "Walk to the market"):
        assert identifying not in text
    references = [r["subject"]["reference"] for t in ("CarePlan", "CareTeam") for r in files[t]]
    assert f"Patient/{maria_pseudonym}" in references and all(r.removeprefix("Patient/") in patients
                                                               for r in references)
    assert "RelatedPerson" not in files
    assert _exported_persons(zone_staff, "bulk_export_pseudonymised") == {person.pk, jos.pk}
    assert set(AuditEvent.objects.filter(user=zone_staff, reason="list:bulk_export_pseudonymised")
               .values_list("basis", flat=True)) == {"zone"}
    # another zone's persons are not theirs to export
    other = Zone.objects.create(code="ZOTHER", name="Andere zone", region=Zone.Region.FLANDERS)
    assert bulk.kick_off(f"/Group/zone-{other.code}/$export", {"_pseudonymize": "true"}).status_code == 403
    # a professional may not ask for pseudonyms of a zone
    assert client_for(live_server, gp.user).kick_off(f"/Group/zone-{zone.code}/$export",
                                                     {"_pseudonymize": "true"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_the_real_worker_and_delete(live_server, settings, gp, person, plan,  # noqa: ANN001
                                                       export_root):
    from careweave.jobs.worker import run_worker

    settings.TASKS = DATABASE_QUEUE
    bulk = client_for(live_server, gp.user)
    first = bulk.kick_off("/Patient/$export").headers["Content-Location"]
    waiting = bulk.poll(first)
    assert waiting.status_code == 202
    assert waiting.headers["X-Progress"] == "waiting: 0%" and waiting.headers["Retry-After"] == "2"
    cancelled = bulk.session.delete(first, timeout=30)
    assert cancelled.status_code == 202 and cancelled.json()["resourceType"] == "OperationOutcome"
    assert bulk.poll(first).status_code == 404

    second = bulk.kick_off("/Patient/$export").headers["Content-Location"]
    run_worker(batch=True, scheduler=False, interval=0)  # the worker runs both: the cancelled one does nothing
    manifest = bulk.wait(second, seconds=10)
    assert {e["type"] for e in manifest["output"]} >= {"Patient", "CarePlan"}
    job = ExportJob.objects.get(key=second.rsplit("/", 1)[1])
    assert job.status == ExportJob.Status.COMPLETED and job.progress == 100 and job.counts["Patient"] == 1
    assert (export_root / str(job.key) / "Patient.ndjson").exists()
    assert ExportJob.objects.get(key=first.rsplit("/", 1)[1]).output == []
    # DELETE after completion removes the files
    assert bulk.session.delete(second, timeout=30).status_code == 202
    assert not (export_root / str(job.key)).exists()
    assert bulk.session.get(manifest["output"][0]["url"], timeout=30).status_code == 404


# --------------------------------------------------------------------------- errors (Django's test client)


def _kick(api, path: str, **headers: str):  # noqa: ANN001, ANN202
    headers = {"HTTP_ACCEPT": FHIR_JSON, "HTTP_PREFER": "respond-async", **headers}
    return api.get(path, **headers)


@pytest.mark.parametrize(("path", "headers", "words"), [
    ("/Patient/$export", {"HTTP_PREFER": ""}, "Prefer: respond-async"),
    ("/Patient/$export", {"HTTP_ACCEPT": "application/json"}, "Accept: application/fhir+json"),
    ("/Patient/$export?_outputFormat=text/csv", {}, "ndjson only"),
    ("/Patient/$export?_type=Banana", {}, "Banana"),
    ("/Patient/$export?_since=yesterday", {}, "_since"),
    ("/Patient/$export?_typeFilter=Goal%3Fbanana%3D1", {}, "banana"),
    ("/Patient/$export?_typeFilter=lifecycle-status%3Dactive", {}, "_typeFilter"),
    ("/Patient/$export?patient=Patient/1", {}, "not supported by $export"),
    ("/Patient/$export?_pseudonymize=maybe", {}, "_pseudonymize"),
])
def test_bad_parameters_are_refused_with_an_operation_outcome(api, person, path, headers, words):  # noqa: ANN001
    response = _kick(api, path, **headers)
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome" and words in outcome["issue"][0]["diagnostics"]
    assert not ExportJob.objects.exists()


def test_lenient_handling_ignores_unknown_parameters_and_errors_speak_the_users_language(make_api, gp, person):  # noqa: ANN001
    api = make_api(gp.user)
    assert _kick(api, "/Patient/$export?patient=x", HTTP_PREFER="respond-async, handling=lenient").status_code == 202
    assert make_api(gp.user).get("/$export-status/00000000-0000-0000-0000-000000000000").status_code == 404
    assert _kick(make_api(None), "/Patient/$export").status_code == 401
    assert _kick(api, "/Group/zone-NOWHERE/$export").status_code == 404


def test_a_person_may_not_ask_for_a_bulk_export(make_api, person):  # noqa: ANN001
    response = _kick(make_api(person.user), "/$export")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(user=person.user, outcome="denied", reason__startswith="fhir.bulk_export").exists()


# --------------------------------------------------------------------------- Groups, capability, contract


def test_groups_list_only_the_members_the_reader_may_read(make_api, gp, stranger, person, jos, zone, plan,  # noqa: ANN001
                                                          zone_staff):
    group = make_api(gp.user).get(f"/Group/zone-{zone.code}").json()
    assert group["resourceType"] == "Group" and group["type"] == "person" and group["actual"] is True
    assert group["member"] == [{"entity": {"reference": f"Patient/{person.fhir_id}"}}]
    assert "quantity" not in group  # two persons: under the small-cell threshold
    theirs = make_api(stranger.user).get(f"/Group/zone-{zone.code}").json()
    assert [m["entity"]["reference"] for m in theirs["member"]] == [f"Patient/{jos.fhir_id}"]
    assert "member" not in make_api(zone_staff).get(f"/Group/zone-{zone.code}").json()
    assert make_api(person.user).get(f"/Group/zone-{zone.code}").status_code == 403
    bundle = make_api(gp.user).get("/Group").json()
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    assert f"zone-{zone.code}" in ids and any(i.startswith("programme-") for i in ids)
    assert AuditEvent.objects.filter(user=gp.user, person=person, reason__startswith="list:fhir_group").exists()


def test_the_capability_statement_offers_export(api):  # noqa: ANN001
    statement = api.get("/metadata").json()
    assert statement["instantiates"] == ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"]
    rest = statement["rest"][0]
    assert rest["operation"][0]["name"] == "export" and "_pseudonymize" in rest["operation"][0]["documentation"]
    group = next(r for r in rest["resource"] if r["type"] == "Group")
    assert group["operation"][0]["definition"].endswith("group-export")


def test_write_ndjson_is_the_contract_for_the_population_pipeline(zone_staff, zone, person, plan, jos,  # noqa: ANN001
                                                                  tmp_path, gp):
    result = write_ndjson(zone_staff, tmp_path / "zone", pseudonymise=True, zone_code=zone.code,
                          types=["Patient", "CarePlan"])
    assert result["transactionTime"].endswith("Z")
    assert [(o["type"], o["count"]) for o in result["output"]] == [("Patient", 2), ("CarePlan", 1)]
    lines = Path(result["output"][0]["path"]).read_text().splitlines()
    assert pseudonym_text(person.ssin, zone.code) in {json.loads(line)["id"] for line in lines}
    again = write_ndjson(zone_staff, tmp_path / "again", pseudonymise=True, zone_code=zone.code, types=["Patient"])
    assert Path(again["output"][0]["path"]).read_text() == "\n".join(lines) + "\n"  # stable pseudonyms
    only = write_ndjson(gp.user, tmp_path / "one", persons=[jos.pk, person.pk], types=["Patient"])
    assert only["output"][0]["count"] == 1  # Jos is named, but not the GP's to read
    from careweave.careplans.errors import RuleViolation

    with pytest.raises(RuleViolation):
        write_ndjson(zone_staff, tmp_path / "identified")


def test_expired_exports_are_removed_every_hour(api, person, export_root):  # noqa: ANN001
    from careweave.fhir.bulk.tasks import purge_expired_exports
    from careweave.jobs.schedule import SCHEDULE

    assert SCHEDULE["bulk-export-cleanup"].task == "careweave.fhir.bulk.tasks.purge_expired_exports"
    status = _kick(api, "/Patient/$export")["Content-Location"]
    job = ExportJob.objects.get(key=status.rsplit("/", 1)[1])
    assert (export_root / str(job.key)).is_dir()
    assert purge_expired_exports.call() == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert purge_expired_exports.call() == 1
    assert not ExportJob.objects.exists() and not (export_root / str(job.key)).exists()


# --------------------------------------------------------------------------- My exports (web page)


def test_my_exports_page_shows_progress_files_and_cancels(api, gp, person, plan, client):  # noqa: ANN001
    done = _kick(api, "/Patient/$export")["Content-Location"].rsplit("/", 1)[1]
    waiting = ExportJob.objects.create(requester=gp.user, level=ExportJob.Level.PATIENT, progress=40,
                                       status=ExportJob.Status.RUNNING, expires_at=timezone.now() + timedelta(hours=1))
    ExportJob.objects.create(requester=person.user, level=ExportJob.Level.PATIENT,
                             expires_at=timezone.now() + timedelta(hours=1))  # someone else's
    client.force_login(gp.user)
    page = client.get("/account/exports/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-test="export-') - html.count('data-test="export-list') \
        - html.count('data-test="export-progress') - html.count('data-test="export-file') == 2
    assert f'href="/fhir/R4/$export-file/{done}/Patient.ndjson"' in html
    assert '<progress max="100" value="40"' in html and 'data-test="my-exports-link"' in html
    download = client.get(f"/fhir/R4/$export-file/{done}/Patient.ndjson")  # the session is enough
    assert download.status_code == 200 and json.loads(b"".join(download.streaming_content))["id"] == str(person.fhir_id)
    response = client.post(f"/account/exports/{waiting.key}/cancel/", follow=True)
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == ExportJob.Status.CANCELLED
    assert f'data-test="export-{waiting.key}"' not in response.content.decode()
    client.force_login(person.user)
    assert client.post(f"/account/exports/{done}/cancel/").status_code == 302
    assert ExportJob.objects.get(key=done).status == ExportJob.Status.COMPLETED  # not hers: refused


def test_my_exports_needs_the_same_queries_for_twice_the_exports(api, gp, person, plan, client):  # noqa: ANN001
    from web.test_query_counts import RECORDED, _queries

    client.force_login(gp.user)
    for _i in range(3):
        _kick(api, "/Patient/$export")
    with_n = _queries(client, "/account/exports/")
    for _i in range(3):
        _kick(api, "/Patient/$export")
    with_2n = _queries(client, "/account/exports/")
    assert with_2n - with_n == 0, f"my exports: {with_n} queries with 3 exports, {with_2n} with 6"
    assert with_2n <= RECORDED["gp web:my_exports"]


def test_a_failed_export_answers_500_with_what_went_wrong(api, gp, person):  # noqa: ANN001
    from careweave.fhir.bulk.tasks import run_bulk_export

    job = ExportJob.objects.create(requester=gp.user, level=ExportJob.Level.GROUP, group="zone-GONE",
                                   expires_at=timezone.now() + timedelta(hours=1))
    assert run_bulk_export.call(job.pk) == {"status": "failed"}
    response = api.get(f"/$export-status/{job.key}")
    assert response.status_code == 500
    assert "Group/zone-GONE" in response.json()["issue"][0]["diagnostics"]  # in the language of the job's run


@pytest.mark.django_db
def test_the_demo_shows_a_gps_export_and_the_zones_pseudonymised_one(export_root) -> None:
    from careweave.demo import load_demo

    load_demo(persons=60, seed=42)
    gp, staff = User.objects.get(username="gp"), User.objects.get(username="zonestaff")
    mine = ExportJob.objects.get(requester=gp)
    theirs = ExportJob.objects.get(requester=staff)
    assert mine.status == theirs.status == ExportJob.Status.COMPLETED and theirs.pseudonymised
    maria = Person.objects.get(user__username="person")
    assert AuditEvent.objects.filter(user=gp, person=maria, reason="list:bulk_export").exists()
    zone_file = (export_root / str(theirs.key) / "Patient.ndjson").read_text()
    assert theirs.counts["Patient"] == Person.objects.filter(zone=maria.zone).count()
    assert "Peeters" not in zone_file and maria.ssin not in zone_file
    assert pseudonym_text(maria.ssin, maria.zone.code) in zone_file
