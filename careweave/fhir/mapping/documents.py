"""DocumentReference: a document on a person's plan (issue 21, decision 0031), after BeDocumentReference.

``content`` lists every kept version, the latest first, each ``attachment.url`` a ``Binary/{id}`` that
``GET /fhir/R4/Binary/{id}`` serves through the same action as the web download (the table's
``documents.download_document``: a medical document needs the full file) and audits on the person's file.
A search by ``patient`` sees only what the reader may (medical documents need the full file, as journal
entries). DocumentReferences received from other systems (Synthea's notes) stay in the integrated record
and are still read by id here and listed by ``Patient/$everything``; a search lists Careweave's own
documents.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from careweave.documents.actions import attach_document
from careweave.documents.models import Document, DocumentVersion
from careweave.fhir.errors import Unprocessable
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    date_filter,
    ensure_access,
    instant,
    is_medical,
    ref,
    require_subject,
    token_filter,
    user_reference,
)
from careweave.fhir.mapping.careplans import plan_for
from careweave.fhir.mapping.stored import StoredMapping
from careweave.fhir.profiles import BE_CORE, CAREWEAVE
from careweave.records.models import StoredResource

LOINC = "http://loinc.org"
CW_DOCUMENT_KIND = f"{CAREWEAVE}/CodeSystem/document-kind"
PROFILE = f"{BE_CORE}/StructureDefinition/be-documentreference"
# The kinds as LOINC document types (the "other" kind has none: its text says it).
KIND_LOINC = {
    Document.Kind.DISCHARGE: ("18842-5", "Discharge summary"),
    Document.Kind.REFERRAL: ("57133-1", "Referral note"),
    Document.Kind.REPORT: ("11506-3", "Progress note"),
    Document.Kind.CARE_PLAN: ("18776-5", "Plan of care note"),
}


class DocumentReferenceMapping(Mapping):
    resource_type = "DocumentReference"
    model = Document
    person_path = "plan__person"
    has_medical_flag = True
    select = ("plan__person", "created_by__professional", "created_by__person", "journal_entry")
    interactions = ("read", "search-type", "create")
    versioned = False  # the document's versions are its files (content), not resource versions
    # Bundles keep received DocumentReferences as received (the integrated record), as before this mapping.
    stored = True
    keeps_source = False
    search_docs = {"patient": "reference", "subject": "reference", "identifier": "token", "status": "token",
                   "date": "date", "type": "token"}
    search_params = {
        "status": token_filter("status"),
        "date": lambda qs, v, m: date_filter(qs, "created_at", v),
        "type": lambda qs, v, m: qs.filter(kind__in=[k for k, (code, _d) in KIND_LOINC.items()
                                                   if any(code in part for part in v.split(","))]),
    }

    def __init__(self) -> None:
        self._received = StoredMapping("DocumentReference")
        self.received_too = (self._received,)  # Patient/$everything lists both (fhir/everything.py)

    @property
    def profile(self) -> str | None:
        return PROFILE

    def queryset(self) -> QuerySet:
        return super().queryset().prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))

    def get(self, rid: str) -> Any:
        """Careweave's own document, or else one received from another system (served as received)."""
        from careweave.fhir.errors import NotFound

        try:
            return super().get(rid)
        except NotFound:
            return self._received.get(rid)

    def authorise_read(self, ctx: Context, obj: Any, action: str = "read", needed: int | None = None) -> None:
        if isinstance(obj, StoredResource):
            return self._received.authorise_read(ctx, obj, action, needed)
        return super().authorise_read(ctx, obj, action, needed)

    def serve(self, obj: Any, received: Any = True) -> dict[str, Any]:
        if isinstance(obj, StoredResource):
            return self._received.serve(obj)
        return super().serve(obj, received)

    def version_of(self, obj: Any) -> int:
        return obj.version

    def to_fhir(self, document: Document) -> dict[str, Any]:
        author = user_reference(document.created_by) if document.created_by_id else None
        if not author or "reference" not in author:
            author = {"display": document.author_name}
        coding = [{"system": CW_DOCUMENT_KIND, "code": document.kind, "display": document.get_kind_display()}]
        if document.kind in KIND_LOINC:
            code, display = KIND_LOINC[document.kind]
            coding.insert(0, {"system": LOINC, "code": code, "display": display})
        resource: dict[str, Any] = {
            "resourceType": "DocumentReference",
            "id": str(document.fhir_id),
            "meta": self.meta(document),
            "identifier": self.identifiers(document),
            "status": "entered-in-error" if document.status == Document.Status.ENTERED_IN_ERROR else "current",
            "docStatus": "final",
            "type": {"coding": coding, "text": str(document.get_kind_display())},
            "subject": ref("Patient", document.plan.person),
            "date": instant(document.created_at),
            "author": [author],
            "description": document.title,
            "content": [{"attachment": self._attachment(v)} for v in document.versions.all()],
            "context": {"related": [ref("CarePlan", document.plan, display="")]},
        }
        if document.journal_entry_id:
            resource["context"]["related"].append(ref("Communication", document.journal_entry, display=""))
        return resource

    def create(self, ctx: Context, resource: dict) -> Document:
        """Share a document through the same action as the web page: the file in ``content[0].attachment.data``
        (base64), its type read from the bytes; ``meta.security`` R labels it medical; ``context.related`` may
        name the CarePlan and a journal message (Communication)."""
        person = require_subject(ctx, resource)
        ensure_access(ctx, person, self.resource_type)
        related = (resource.get("context") or {}).get("related") or []
        plan_ref = next((r for r in related if str(r.get("reference", "")).split("/")[-2:-1] == ["CarePlan"]), None)
        entry_ref = next((r for r in related if str(r.get("reference", "")).split("/")[-2:-1] == ["Communication"]),
                         None)
        plan = plan_for(ctx, resource, person, plan_ref)
        entry = ctx.resolve(entry_ref, "Communication", what=_("the journal message")) if entry_ref else None
        attachment = ((resource.get("content") or [{}])[0] or {}).get("attachment") or {}
        if not attachment.get("data"):
            raise Unprocessable(_("Send the file itself in content.attachment.data (base64)."),
                                expression=["content[0].attachment.data"])
        try:
            data = base64.b64decode(attachment["data"], validate=True)
        except ValueError:
            raise Unprocessable(_("content.attachment.data is not valid base64."),
                                expression=["content[0].attachment.data"]) from None
        codes = {c.get("code") for c in (resource.get("type") or {}).get("coding") or []}
        kind = next((k for k, (code, _d) in KIND_LOINC.items() if code in codes), None) \
            or next((c for c in codes if c in Document.Kind.values), Document.Kind.OTHER)
        return attach_document(ctx.actor, plan, io.BytesIO(data), original_name=attachment.get("title") or "",
                               title=resource.get("description") or attachment.get("title") or "", kind=kind,
                               is_medical=bool(is_medical(resource)), journal_entry=entry)

    @staticmethod
    def _attachment(version: DocumentVersion) -> dict[str, Any]:
        return {
            "contentType": version.content_type,
            "url": f"Binary/{version.fhir_id}",
            "size": version.size,
            "hash": base64.b64encode(bytes.fromhex(version.sha256)).decode(),  # SHA-256 (R4 says SHA-1)
            "title": version.download_name,
            "creation": instant(version.uploaded_at),
        }


MAPPINGS = [DocumentReferenceMapping()]
