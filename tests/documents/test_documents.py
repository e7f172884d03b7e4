"""Documents in the plan (issue 21, decision 0031): the type read from the content, the size limit, versions
kept, the journal's medical label and access rules, every download audited on the person's file, and the
download's headers. Through the actions and through the pages, as the team uses them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.actions import write_in_journal
from careweave.careplans.errors import RuleViolation
from careweave.documents import actions
from careweave.documents.models import Document, DocumentVersion
from careweave.versioning import ChangedMeanwhile

from .conftest import docx_bytes, exe_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attach(cast, who=None, data: bytes | None = None, name: str = "ontslagbrief.pdf", **kw) -> Document:  # noqa: ANN001
    who = who or cast.coordinator.user
    return actions.attach_document(who, cast.plan, io.BytesIO(data if data is not None else pdf_bytes()),
                                   original_name=name, **kw)


def plan_url(cast) -> str:  # noqa: ANN001
    return reverse("web:plan", args=[cast.maria.fhir_id])


def download_url(cast, version: DocumentVersion) -> str:  # noqa: ANN001
    return reverse("documents:download", args=[cast.maria.fhir_id, version.fhir_id])


# --------------------------------------------------------------------------- the type, from the content


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is(cast, documents_store) -> None:  # noqa: ANN001
    document = attach(cast, name="scan.jpg", title="Ontslagbrief AZ Sint-Jan")
    version = document.versions.get()
    assert (version.content_type, version.extension) == ("application/pdf", "pdf")
    assert version.download_name == "Ontslagbrief AZ Sint-Jan.pdf"
    assert version.original_name == "scan.jpg"
    assert version.file.read() == pdf_bytes() and len(stored_files(documents_store)) == 1
    assert "scan" not in version.file.name, "the user's file name never reaches the store"


def test_an_exe_named_pdf_is_refused_and_nothing_is_stored(cast, documents_store) -> None:  # noqa: ANN001
    with pytest.raises(RuleViolation) as refused:
        attach(cast, data=exe_bytes(), name="ontslagbrief.pdf")
    assert refused.value.rule == "file_type"
    assert "PDF" in str(refused.value) and "Word document" in str(refused.value), "the message names what is allowed"
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(documents_store) == []


@pytest.mark.parametrize(("data", "extension"), [(docx_bytes(), "docx"), (png_bytes(), "png")], ids=["docx", "png"])
def test_office_documents_and_images_are_accepted(cast, data: bytes, extension: str) -> None:  # noqa: ANN001
    document = attach(cast, data=data, name="verslag.bin", title="Verslag")
    assert document.versions.get().extension == extension


def test_html_and_empty_files_are_refused(cast, documents_store) -> None:  # noqa: ANN001
    with pytest.raises(RuleViolation) as html:
        attach(cast, data=b"<html><script>alert(1)</script></html>", name="brief.pdf")
    assert html.value.rule == "file_type"
    with pytest.raises(RuleViolation) as empty:
        attach(cast, data=b"", name="brief.pdf")
    assert empty.value.rule == "empty_file"
    assert stored_files(documents_store) == []


def test_a_file_over_the_limit_is_refused_even_when_its_size_is_not_announced(cast, settings, documents_store
                                                                              ) -> None:  # noqa: ANN001
    settings.DOCUMENT_MAX_BYTES = 10_000
    big = pdf_bytes() + b"%" + b"x" * 20_000
    with pytest.raises(RuleViolation) as refused:
        attach(cast, data=big)  # no size given: counted while reading
    assert refused.value.rule == "file_too_big" and "KB" in str(refused.value)
    assert not Document.objects.exists() and stored_files(documents_store) == []


def test_the_limit_is_twenty_megabytes_by_default(settings) -> None:  # noqa: ANN001
    from careweave.documents.content import max_bytes

    assert max_bytes() == 20 * 1024 * 1024


# --------------------------------------------------------------------------- versions


def test_a_replacement_is_a_new_version_and_the_earlier_one_stays_downloadable(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast, title="Ontslagbrief")
    first = document.versions.get()
    second = actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes("Aangepaste brief")),
                                      original_name="brief-v2.pdf", expected_version=document.version)
    assert second.number == 2 and document.latest.number == 2
    gp = client_for("gp")
    page = gp.get(reverse("documents:detail", args=[cast.maria.fhir_id, document.fhir_id])).content.decode()
    assert page.count('data-test="document-version"') == 2
    old = gp.get(download_url(cast, first))
    assert b"".join(old.streaming_content) == pdf_bytes()
    new = gp.get(download_url(cast, second))
    assert b"".join(new.streaming_content) == pdf_bytes("Aangepaste brief")


def test_two_replacements_from_the_same_version_the_second_sees_changed_meanwhile(cast) -> None:  # noqa: ANN001
    document = attach(cast)
    started_from = document.version
    actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes("a")), expected_version=started_from)
    with pytest.raises(ChangedMeanwhile):
        actions.replace_document(cast.nurse.user, Document.objects.get(pk=document.pk), io.BytesIO(pdf_bytes("b")),
                                 expected_version=started_from)
    assert document.versions.count() == 2


# --------------------------------------------------------------------------- labels and access, as the journal


def test_the_social_worker_cannot_open_a_medical_letter_until_it_is_relabelled(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast, title="Ontslagbrief", kind=Document.Kind.DISCHARGE, is_medical=True)
    version = document.versions.get()
    social = client_for("socialworker")
    plan = social.get(plan_url(cast)).content.decode()
    assert "Ontslagbrief" not in plan, "a medical document is not even listed for a welfare professional"
    assert 'data-test="documents-hidden"' in plan
    refused = social.get(download_url(cast, version))
    assert refused.status_code == 403 and not hasattr(refused, "streaming_content")
    assert AuditEvent.objects.filter(person=cast.maria, user=cast.social.user, outcome="denied",
                                     reason__startswith="documents.download_document:").exists()
    assert social.get(reverse("documents:detail", args=[cast.maria.fhir_id, document.fhir_id])).status_code == 403

    actions.relabel_document(cast.gp.user, document, is_medical=False, expected_version=document.version)
    assert "Ontslagbrief" in social.get(plan_url(cast)).content.decode()
    assert social.get(download_url(cast, version)).status_code == 200


def test_only_who_sees_the_full_file_labels_medical(cast) -> None:  # noqa: ANN001
    with pytest.raises(RuleViolation):
        attach(cast, who=cast.social.user, is_medical=True)
    with pytest.raises(RuleViolation):
        attach(cast, who=cast.jan.user, is_medical=True)
    plain = attach(cast, who=cast.social.user, title="Premieaanvraag")
    with pytest.raises(RuleViolation):
        actions.relabel_document(cast.social.user, plain, is_medical=True)
    assert Document.objects.count() == 1


def test_a_document_on_a_medical_journal_entry_is_medical(cast, client_for) -> None:  # noqa: ANN001
    entry = write_in_journal(cast.gp.user, cast.plan, "Labo: HbA1c 8,1 %", is_medical=True)
    document = attach(cast, who=cast.gp.user, journal_entry=entry, title="Labo-uitslag")
    assert document.is_medical and document.journal_entry == entry
    page = client_for("gp").get(plan_url(cast)).content.decode()
    assert 'data-test="entry-document"' in page and "Labo-uitslag" in page


def test_an_entry_of_another_plan_is_refused(cast) -> None:  # noqa: ANN001
    from careweave.careplans.models import CarePlan, JournalEntry

    other = CarePlan.objects.exclude(pk=cast.plan.pk).first() or CarePlan.objects.create(
        person=cast.godelieve, title="Thuis blijven")
    entry = JournalEntry.objects.create(plan=other, author_name="Jan", text="Goed geslapen")  # set-up, not the test
    with pytest.raises(RuleViolation) as refused:
        attach(cast, journal_entry=entry)
    assert refused.value.rule == "other_plan" and not Document.objects.exists()


def test_someone_outside_the_team_cannot_attach_list_or_download(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast)
    with pytest.raises(RuleViolation):
        attach(cast, who=cast.stranger.user)
    stranger = client_for(cast.stranger.user.username)
    assert stranger.get(download_url(cast, document.versions.get())).status_code == 403
    assert stranger.get(reverse("documents:attach", args=[cast.maria.fhir_id])).status_code == 403


def test_withdrawing_is_for_who_shared_it_the_person_or_the_coordinator(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast, who=cast.gp.user, title="Verkeerde brief")
    with pytest.raises(RuleViolation):
        actions.mark_document_in_error(cast.nurse.user, document, "fout")
    page = client_for("gp").post(reverse("documents:withdraw", args=[cast.maria.fhir_id, document.fhir_id]),
                                 {"version": document.version, "reason": "Brief van een andere patiënt"})
    assert page.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.ENTERED_IN_ERROR and document.versions.count() == 1
    assert "Verkeerde brief" not in client_for("gp").get(plan_url(cast)).content.decode()


# --------------------------------------------------------------------------- downloads: audit and headers


def test_every_download_is_audited_and_listed_on_the_persons_who_looked(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast, is_medical=True, title="Ontslagbrief")
    version = document.versions.get()
    before = AuditEvent.objects.filter(person=cast.maria, resource_type="DocumentReference", action="R").count()
    gp, nurse = client_for("gp"), client_for("nurse")
    for client in (gp, gp, nurse):
        assert client.get(download_url(cast, version)).status_code == 200
    reads = AuditEvent.objects.filter(person=cast.maria, resource_type="DocumentReference", action="R",
                                      outcome="success")
    assert reads.count() == before + 3, "one audit entry per download, no more"
    assert set(reads.values_list("resource_id", flat=True)) == {str(document.fhir_id)}
    page = client_for("person").get(reverse("web:privacy", args=[cast.maria.fhir_id])).content.decode()
    rows = [r for r in page.split('data-test="audit-row"')[1:] if "downloaded a document" in r]
    assert len(rows) == 3
    assert sum(cast.gp.user.get_full_name() in r for r in rows) == 2


def test_a_download_is_an_attachment_never_sniffed_nor_cached(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast, name="x.jpg", title="Ontslagbrief")
    response = client_for("gp").get(download_url(cast, document.versions.get()))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "Ontslagbrief.pdf" in response[
        "Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_version_of_another_persons_document_is_not_found_under_this_person(cast, client_for) -> None:  # noqa: ANN001
    document = attach(cast)
    url = reverse("documents:download", args=[cast.godelieve.fhir_id, document.versions.get().fhir_id])
    assert client_for("gp").get(url).status_code == 404


# --------------------------------------------------------------------------- the pages


def test_the_coordinator_shares_a_letter_through_the_page(cast, client_for, documents_store) -> None:  # noqa: ANN001
    coordinator = client_for("coordinator")
    url = reverse("documents:attach", args=[cast.maria.fhir_id])
    assert 'enctype="multipart/form-data"' in coordinator.get(url).content.decode()
    upload = SimpleUploadedFile("brief.pdf", pdf_bytes(), content_type="image/png")  # the browser's claim: ignored
    response = coordinator.post(url, {"title": "Ontslagbrief AZ Sint-Jan", "kind": "discharge", "is_medical": "on",
                                      "file": upload})
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    document = Document.objects.get()
    assert document.is_medical and document.versions.get().content_type == "application/pdf"
    plan = coordinator.get(plan_url(cast)).content.decode()
    assert 'data-test="plan-documents"' in plan and "Ontslagbrief AZ Sint-Jan" in plan


def test_a_refused_file_is_explained_beside_the_field_in_the_users_language(cast, client_for, documents_store
                                                                            ) -> None:  # noqa: ANN001
    url = reverse("documents:attach", args=[cast.maria.fhir_id])
    response = client_for("coordinator").post(url, {"title": "Brief", "kind": "other",
                                                    "file": SimpleUploadedFile("brief.pdf", exe_bytes())})
    assert response.status_code == 422
    assert "This kind of file cannot be shared here" in response.content.decode()
    assert not Document.objects.exists() and stored_files(documents_store) == []


def test_an_announced_upload_over_the_limit_is_refused_before_it_is_read(cast, client_for, settings) -> None:  # noqa: ANN001
    settings.DOCUMENT_MAX_BYTES = 1000
    url = reverse("documents:attach", args=[cast.maria.fhir_id])
    response = client_for("coordinator").post(url, {"title": "Brief", "kind": "other",
                                                    "file": SimpleUploadedFile("big.pdf", pdf_bytes() * 2000)})
    assert response.status_code == 413
    assert "This file is larger than" in response.content.decode()
    assert not Document.objects.exists()


# --------------------------------------------------------------------------- the store


def test_an_s3_compatible_store_is_a_setting(tmp_path) -> None:  # noqa: ANN001
    """The environment builds django-storages' S3 backend (private objects, never overwritten); no network."""
    from django.core.files.storage import StorageHandler

    from careweave.documents.storage_settings import documents_storage

    local = documents_storage({}, tmp_path)
    assert local["BACKEND"].endswith("FileSystemStorage") and local["OPTIONS"]["location"] == str(
        tmp_path / "documents")
    config = documents_storage({"CAREWEAVE_DOCUMENTS_S3_BUCKET": "careweave-docs",
                                "CAREWEAVE_DOCUMENTS_S3_ENDPOINT": "https://s3.example.invalid",
                                "CAREWEAVE_DOCUMENTS_S3_REGION": "eu-west-3"}, tmp_path)
    storage = StorageHandler({"documents": config})["documents"]
    assert type(storage).__name__ == "S3Storage"
    assert storage.bucket_name == "careweave-docs" and storage.default_acl == "private"
    assert storage.file_overwrite is False and storage.endpoint_url == "https://s3.example.invalid"


# --------------------------------------------------------------------------- the printed plan and its PDF


def test_the_printed_plan_and_its_pdf_list_the_documents_the_reader_may_see(cast, client_for) -> None:  # noqa: ANN001
    import pypdf

    attach(cast, title="Ontslagbrief AZ Sint-Jan", is_medical=True, kind=Document.Kind.DISCHARGE)
    attach(cast, title="Premieaanvraag thuiszorg")
    gp, social = client_for("gp"), client_for("socialworker")
    printed = gp.get(reverse("web:print_plan", args=[cast.maria.fhir_id])).content.decode()
    assert 'data-test="print-documents"' in printed
    assert "Ontslagbrief AZ Sint-Jan" in printed and "Premieaanvraag thuiszorg" in printed
    assert "Ontslagbrief" not in social.get(reverse("web:print_plan", args=[cast.maria.fhir_id])).content.decode()

    def pdf_text(client) -> str:  # noqa: ANN001
        response = client.get(reverse("web:plan_pdf", args=[cast.maria.fhir_id]))
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)

    assert "Ontslagbrief AZ Sint-Jan" in pdf_text(gp)
    social_pdf = pdf_text(social)
    assert "Premieaanvraag thuiszorg" in social_pdf and "Ontslagbrief" not in social_pdf


# --------------------------------------------------------------------------- notifications (decision 0030)


def test_sharing_a_document_tells_the_team_and_a_medical_one_only_those_who_may_open_it(cast) -> None:  # noqa: ANN001
    from careweave.notifications.inbox import inbox
    from careweave.notifications.models import Event

    document = attach(cast, title="Ontslagbrief AZ Sint-Jan", is_medical=True)
    event = Event.objects.get(kind="document_shared")
    assert event.medical and event.person == cast.maria and event.actor == cast.coordinator.user
    assert event.url.endswith(f"/{document.fhir_id}/")
    assert "Ontslagbrief" not in str(event.context), "no title (health detail) in the notification"

    def told(user) -> bool:  # noqa: ANN001
        return any(n.event_id == event.pk for group in inbox(user) for n in group.items)

    assert told(cast.gp.user) and told(cast.nurse.user)
    assert not told(cast.social.user), "the welfare professional is not told about a medical document"
    assert not told(cast.coordinator.user), "not the one who shared it"


def test_the_share_form_sent_twice_shares_one_document(cast, client_for, documents_store) -> None:  # noqa: ANN001
    import re

    coordinator = client_for("coordinator")
    url = reverse("documents:attach", args=[cast.maria.fhir_id])
    token = re.search(r'name="form_token" value="([^"]+)"', coordinator.get(url).content.decode()).group(1)

    def send():  # noqa: ANN202
        return coordinator.post(url, {"title": "Verslag", "kind": "report", "form_token": token,
                                      "file": SimpleUploadedFile("v.pdf", pdf_bytes())})

    assert send().status_code == 302
    send()
    assert Document.objects.count() == 1 and len(stored_files(documents_store)) == 1
