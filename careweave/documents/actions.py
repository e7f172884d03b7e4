"""Document actions: attach, replace (a new version, the old ones kept), open (download, audited on the
person's file), relabel, mark entered in error. The web pages and the FHIR API call only these.

Every rule is checked before anything is written: a refused file leaves nothing in the store.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import IO

from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.careplans.limits import check_length
from careweave.careplans.models import CarePlan, JournalEntry
from careweave.documents.content import CheckedFile, check_file
from careweave.documents.models import Document, DocumentVersion
from careweave.notifications import emit

TITLE_MAX = 200
REASON_MAX = 500


def _name_of(actor) -> str:  # noqa: ANN001
    return actor.get_full_name() or actor.get_username()


def _title(title: str, original_name: str) -> str:
    title = (title or "").strip() or PurePath(original_name or "").stem.strip()
    if not title:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("a title")})
    return check_length(title, TITLE_MAX, _("the title"))


def _store(document: Document, number: int, upload: IO[bytes], checked: CheckedFile, original_name: str,
           actor) -> DocumentVersion:  # noqa: ANN001
    """Write the file through the documents storage, then its row; the file goes again if the row fails.

    The actions call it last, after every check and every other write: a refusal stores nothing. (An outer
    transaction rolled back later, such as a FHIR batch, can leave an unreachable file under a random name.)
    """
    version = DocumentVersion(
        document=document, number=number, original_name=(original_name or "")[:255],
        content_type=checked.content_type, extension=checked.extension, size=checked.size, sha256=checked.sha256,
        uploaded_by=actor, uploaded_by_name=_name_of(actor), uploaded_at=timezone.now(),
    )
    upload.seek(0)
    version.file.save(f"v{number}", File(upload), save=False)
    name = version.file.name
    try:
        version.save()
    except Exception:
        version.file.storage.delete(name)
        raise
    return version


def _shared(document: Document, actor) -> None:  # noqa: ANN001
    """Tell the team (decision 0030): in general terms, the link to the document; a medical one needs the full
    file to read the notification, as the document itself."""
    emit("document_shared", person=document.plan.person, target=document, actor=actor,
         url=reverse("documents:detail", args=[document.plan.person.fhir_id, document.fhir_id]))


@atomic_action
def attach_document(
    actor,  # noqa: ANN001
    plan: CarePlan,
    upload: IO[bytes],
    *,
    original_name: str = "",
    title: str = "",
    kind: str = Document.Kind.OTHER,
    is_medical: bool = False,
    journal_entry: JournalEntry | None = None,
    size: int | None = None,
) -> Document:
    """Share a file with the team on the plan (or on one journal entry of it).

    A document on a medical journal entry is medical too: the entry's readers are the only ones who may
    see what it carries (decision 0004).
    """
    authorize(actor, "documents.attach_document", plan)
    if journal_entry is not None:
        if journal_entry.plan_id != plan.pk:
            raise RuleViolation("other_plan", _("This journal entry belongs to another plan."))
        is_medical = is_medical or journal_entry.is_medical
    if is_medical:
        authorize(actor, "careplans.write_medical_detail", plan)
    if kind not in Document.Kind.values:
        raise RuleViolation("unknown_kind", _("Choose what kind of document this is."))
    title = _title(title, original_name)
    checked = check_file(upload, size)
    document = Document.objects.create(
        plan=plan, journal_entry=journal_entry, title=title, kind=kind, is_medical=is_medical,
        created_by=actor, author_name=_name_of(actor),
    )
    audit_write(actor, "create", "DocumentReference", document, plan.person, reason="attached")
    _shared(document, actor)
    _store(document, 1, upload, checked, original_name, actor)
    return document


@atomic_action
def replace_document(
    actor,  # noqa: ANN001
    document: Document,
    upload: IO[bytes],
    *,
    original_name: str = "",
    expected_version: int | None = None,
    size: int | None = None,
) -> DocumentVersion:
    """A new version of the document; the earlier ones stay listed and downloadable."""
    authorize(actor, "documents.replace_document", document)
    if document.status == Document.Status.ENTERED_IN_ERROR:
        raise RuleViolation("entered_in_error", _("This document was marked as entered in error."))
    checked = check_file(upload, size)
    document.save_versioned(expected_version, update_fields=["title"])  # the new version, or "changed meanwhile"
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    audit_write(actor, "update", "DocumentReference", document, document.plan.person, reason=f"version {number}")
    _shared(document, actor)
    version = _store(document, number, upload, checked, original_name, actor)
    return version


@atomic_action
def download_document(actor, version: DocumentVersion) -> DocumentVersion:  # noqa: ANN001
    """A download: allowed by the document's label, and audited on the person's file ("who looked")."""
    authorize(actor, "documents.download_document", version)
    document = version.document
    audit_write(actor, "read", "DocumentReference", document, document.plan.person,
                reason=f"download: version {version.number}")
    return version


@atomic_action
def relabel_document(actor, document: Document, *, is_medical: bool, expected_version: int | None = None
                     ) -> Document:  # noqa: ANN001
    """Mark a document medical or not; only someone who sees medical detail may change the label."""
    authorize(actor, "documents.relabel_document", document)
    if document.journal_entry is not None and document.journal_entry.is_medical and not is_medical:
        raise RuleViolation("entry_is_medical", _("This document belongs to a medical journal entry."))
    document.is_medical = is_medical
    document.save_versioned(expected_version, update_fields=["is_medical"])
    audit_write(actor, "update", "DocumentReference", document, document.plan.person, reason="label")
    return document


@atomic_action
def mark_document_in_error(actor, document: Document, reason: str, *, expected_version: int | None = None
                           ) -> Document:  # noqa: ANN001
    """Withdraw a document shared by mistake: kept (with its versions) for the record, no longer shown."""
    authorize(actor, "documents.mark_document_in_error", document)
    reason = check_length((reason or "").strip(), REASON_MAX, _("the reason"))
    if not reason:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("why it is withdrawn")})
    document.status = Document.Status.ENTERED_IN_ERROR
    document.error_reason = reason
    document.save_versioned(expected_version, update_fields=["status", "error_reason"])
    audit_write(actor, "update", "DocumentReference", document, document.plan.person, reason="entered in error")
    return document
