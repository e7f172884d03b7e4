"""``GET /fhir/R4/Binary/{id}``: the file of a document version (``DocumentReference.content.attachment.url``).

Served in its own type (FHIR's native Binary read), through the documents app's action
(``documents.download_document``: the document's label decides the level, the read is audited on the
person's file), with the same headers as the web download. A refusal is a 403 OperationOutcome.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from careweave.careplans.errors import RuleViolation
from careweave.documents.actions import download_document
from careweave.documents.http import file_response
from careweave.documents.models import DocumentVersion
from careweave.fhir.errors import Forbidden, NotFound
from careweave.fhir.mapping.base import Context, as_uuid
from careweave.fhir.views import fhir_endpoint


@fhir_endpoint({"GET": "read"})
def binary_read(request: HttpRequest, ctx: Context, rid: str) -> HttpResponse:
    key = as_uuid(rid)
    version = DocumentVersion.objects.select_related("document__plan__person").filter(fhir_id=key).first() \
        if key else None
    if version is None:
        raise NotFound(_("%(type)s/%(id)s does not exist.") % {"type": "Binary", "id": rid})
    try:
        download_document(ctx.actor, version)
    except RuleViolation as exc:
        raise Forbidden(str(exc)) from None
    return file_response(version)
