"""The plan page's documents section and a document's page need the same queries for twice the documents
(and twice the versions): guarded here, in the app the section lives in (tests/web/test_query_counts.py)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careweave.careplans.actions import write_in_journal
from careweave.documents import actions

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _more_documents(cast, n: int) -> None:  # noqa: ANN001
    for i in range(n):
        entry = write_in_journal(cast.gp.user, cast.plan, f"Bericht {i}") if i % 2 else None
        document = actions.attach_document(cast.gp.user, cast.plan, io.BytesIO(pdf_bytes(str(i))),
                                           original_name=f"d{i}.pdf", is_medical=i % 3 == 0, journal_entry=entry)
        actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes(f"{i}b")))


@pytest.mark.parametrize("username", ["gp", "socialworker", "carer"])
def test_the_plan_page_needs_the_same_queries_for_twice_the_documents(cast, client_for, username: str) -> None:  # noqa: ANN001
    client = client_for(username)
    url = reverse("web:plan", args=[cast.maria.fhir_id])
    _more_documents(cast, 3)
    with_n = _queries(client, url)
    _more_documents(cast, 3)
    assert _queries(client, url) == with_n


def test_a_documents_page_needs_the_same_queries_for_twice_the_versions(cast, client_for) -> None:  # noqa: ANN001
    document = actions.attach_document(cast.gp.user, cast.plan, io.BytesIO(pdf_bytes()), original_name="a.pdf")
    url = reverse("documents:detail", args=[cast.maria.fhir_id, document.fhir_id])
    client = client_for("gp")
    for i in range(3):
        actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes(str(i))))
    with_n = _queries(client, url)
    for i in range(3):
        actions.replace_document(cast.gp.user, document, io.BytesIO(pdf_bytes(f"{i}x")))
    assert _queries(client, url) == with_n
