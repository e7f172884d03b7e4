"""A document on a person's plan (optionally on one journal entry) and its kept versions.

A document is what the team sees ("the discharge letter of 3 March"); each upload is a version, never
overwritten nor deleted: a replacement adds the next version, a mistake is marked "entered in error"
(FHIR ``DocumentReference.status``) and stays for the audit trail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from careweave.careplans.models import CarePlan, JournalEntry
from careweave.versioning import VersionedModel


class _DocumentsStorage(LazyObject):
    """``STORAGES["documents"]``, looked up when first used and again after the setting changes (tests)."""

    def _setup(self) -> None:
        self._wrapped = storages["documents"]


DOCUMENTS_STORAGE = _DocumentsStorage()


def documents_storage() -> _DocumentsStorage:
    return DOCUMENTS_STORAGE


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs) -> None:  # noqa: ANN003
    if setting == "STORAGES":
        DOCUMENTS_STORAGE._wrapped = empty


def version_path(instance: DocumentVersion, filename: str) -> str:
    """A random name per version: the file name a user gave never reaches the store (nor a path in it)."""
    return f"{instance.document.fhir_id}/{uuid.uuid4().hex}"


class Document(VersionedModel):
    """A file shared with the team, labelled medical or not like a journal entry (decision 0004)."""

    class Kind(models.TextChoices):
        """What the document is: a code (LOINC in FHIR), shown in the reader's language."""

        DISCHARGE = "discharge", _("Discharge letter")
        REFERRAL = "referral", _("Referral letter")
        REPORT = "report", _("Report")
        CARE_PLAN = "care_plan", _("Care plan from another provider")
        OTHER = "other", _("Other document")

    class Status(models.TextChoices):
        CURRENT = "current", _("current")
        ENTERED_IN_ERROR = "entered-in-error", _("entered in error")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="documents")
    journal_entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_medical = models.BooleanField(_("medical detail"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CURRENT)
    error_reason = models.CharField(_("why it was entered in error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("shared by"), max_length=200)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def person(self):  # noqa: ANN201 - the permission table follows ``person`` (access.permissions.person_of)
        return self.plan.person

    @property
    def latest(self) -> DocumentVersion | None:
        """The version shown (the highest number); prefetched ``versions`` are used when present."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class DocumentVersion(models.Model):
    """One uploaded file of a document. ``fhir_id`` is its FHIR ``Binary`` id (the download address)."""

    fhir_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(storage=documents_storage, upload_to=version_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_once")]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def person(self):  # noqa: ANN201
        return self.document.plan.person

    @property
    def is_medical(self) -> bool:
        """A version carries its document's label (a download of an old version asks the same level)."""
        return self.document.is_medical

    @property
    def download_name(self) -> str:
        """The file name offered on download: the title, with the extension the content proved."""
        safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in self.document.title).strip() or "document"
        return f"{safe[:80]}.{self.extension}"
