"""Documents in Chromium, in Dutch and in French (issue 21): the coordinator attaches a discharge letter
labelled medical, the OCMW social worker in the same team cannot open it, the GP downloads it twice, and
Maria's "who looked at my file" lists each download. Screenshots for the README."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from careweave.access.models import AuditEvent
from careweave.careplans.actions import add_team_member, team_for
from careweave.documents.models import Document
from careweave.people.models import Person

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def login(login):  # noqa: ANN001, ANN201 - the shared one, with downloads and more patience
    return lambda username, language: login(username, language, accept_downloads=True, timeout=20_000)


def letter_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.drawString(72, 770, "Ontslagbrief / Lettre de sortie (test)")
    page.showPage()
    page.save()
    return out.getvalue()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_coordinator_shares_a_medical_letter_social_worker_cannot_open_it_who_looked_lists_downloads(
        login, live_server, tmp_path, language) -> None:  # noqa: ANN001
    maria = Person.objects.get(user__username="person")
    team = team_for(maria)
    me = User.objects.get(username="person")
    for username in ("coordinator", "socialworker"):  # Maria takes her coordinator and the OCMW into her team
        add_team_member(me, team, professional=User.objects.get(username=username).professional)
    plan_url = f"{live_server.url}/persons/{maria.fhir_id}/"
    title = f"Ontslagbrief AZ Sint-Jan ({language})"
    pdf = tmp_path / "scan-van-de-brief.jpg"  # a PDF named .jpg: Careweave reads what it is
    pdf.write_bytes(letter_pdf())

    # 1. The coordinator attaches the discharge letter, labelled medical.
    coordinator = login("coordinator", language)
    coordinator.goto(plan_url)
    assert coordinator.locator("html").get_attribute("lang") == language
    coordinator.click("[data-test=attach-document]")
    coordinator.fill("#id_title", title)
    coordinator.select_option("#id_kind", value="discharge")
    coordinator.check("#id_is_medical")
    coordinator.set_input_files("#id_file", str(pdf))
    coordinator.click("[data-test=submit]")
    coordinator.wait_for_load_state("networkidle")
    row = coordinator.locator("[data-test=document]", has_text=title)
    assert row.count() == 1 and row.locator("[data-test=document-medical]").count() == 1
    document = Document.objects.get(title=title)
    version = document.versions.get()
    assert document.is_medical and version.content_type == "application/pdf" and version.extension == "pdf"
    row.scroll_into_view_if_needed()
    screenshot(coordinator, f"documents-plan-{language}")

    # 2. The social worker (welfare, the shared plan only) does not see it, and cannot open it by its address.
    social = login("socialworker", language)
    social.goto(plan_url)
    section = social.locator("[data-test=plan-documents]")
    assert section.count() == 1 and section.locator("[data-test=document]", has_text=title).count() == 0
    assert section.locator("[data-test=documents-hidden]").count() == 1
    download_url = f"{live_server.url}/documents/{maria.fhir_id}/files/{version.fhir_id}/"
    response = social.goto(download_url)
    assert response.status == 403 and "pdf" not in (response.headers.get("content-type") or "")
    screenshot(social, f"documents-refused-{language}")
    assert AuditEvent.objects.filter(person=maria, user__username="socialworker", outcome="denied",
                                     reason__startswith="documents.download_document:").exists()

    # 3. The GP downloads it twice, the coordinator once: the file as shared, as an attachment.
    gp = login("gp", language)
    for page in (gp, gp, coordinator):
        page.goto(plan_url + "#documents")
        with page.expect_download() as info:
            page.locator("[data-test=document]", has_text=title).locator("[data-test=document-download]").click()
        download = info.value
        assert download.suggested_filename.endswith(".pdf")
        assert open(download.path(), "rb").read() == letter_pdf()

    # 4. Maria's "who looked at my file" lists each download.
    person = login("person", language)
    person.goto(f"{plan_url}privacy/#audit")
    downloads = person.locator("[data-test=audit-row][data-resource=DocumentReference][data-action=R]"
                               "[data-outcome=success]")
    assert downloads.count() == 3
    assert downloads.filter(has_text="Wouters").count() == 1 and downloads.filter(has_text="Wouters").count() == 1
    gp_name = User.objects.get(username="gp").get_full_name()
    assert downloads.filter(has_text=gp_name).count() == 2
    refused = person.locator("[data-test=audit-row][data-resource=DocumentReference][data-outcome=denied]")
    assert refused.count() >= 1, "the social worker's refused attempt is on Maria's page too"
    person.locator("#audit").scroll_into_view_if_needed()
    screenshot(person, f"documents-who-looked-{language}")
    for page in (coordinator, social, gp, person):
        assert not page.csp_errors, page.csp_errors
