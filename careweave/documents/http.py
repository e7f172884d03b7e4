"""How a document's file goes out over HTTP, the same for the web pages and the FHIR ``Binary`` read."""

from __future__ import annotations

from django.http import HttpResponse

from careweave.documents.models import DocumentVersion


def harden(response: HttpResponse) -> HttpResponse:
    """Never sniffed, never cached, no referrer, and no scripts even if a browser opens it inline."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response


def file_response(version: DocumentVersion) -> HttpResponse:
    """The whole file (at most the 20 MB limit) as an attachment named from the title and the proven type."""
    from django.utils.http import content_disposition_header

    with version.file.open("rb") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type=version.content_type)
    response["Content-Disposition"] = content_disposition_header(True, version.download_name)
    response["Content-Length"] = str(len(body))
    return harden(response)
