"""What a file is, read from its content (magic bytes, the ``filetype`` library), never from its name
or the browser's Content-Type; the allow-list and the size limit (decision 0031)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careweave.careplans.errors import RuleViolation

# MIME type (as the content proves it) -> the extension Careweave gives the file, and how it is named.
# Documents to read, not to run: no executables, archives, HTML/SVG (scripts), nor legacy Office files
# (OLE containers carry macros).
ALLOWED: dict[str, tuple[str, object]] = {
    "application/pdf": ("pdf", gettext_lazy("PDF")),
    "image/jpeg": ("jpg", gettext_lazy("JPEG image")),
    "image/png": ("png", gettext_lazy("PNG image")),
    "image/webp": ("webp", gettext_lazy("WebP image")),
    "image/heic": ("heic", gettext_lazy("HEIC photo")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", gettext_lazy("Word document")),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", gettext_lazy("Excel workbook")),
    "application/vnd.oasis.opendocument.text": ("odt", gettext_lazy("OpenDocument text")),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods", gettext_lazy("OpenDocument spreadsheet")),
}
HEAD_BYTES = 8192  # enough for every signature filetype reads (Office files: the zip's first entries)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def type_label(content_type: str) -> str:
    entry = ALLOWED.get(content_type)
    return str(entry[1]) if entry else content_type


def allowed_list() -> str:
    """The allowed kinds in words, for the form's help text and the refusal."""
    return ", ".join(dict.fromkeys(str(label) for _ext, label in ALLOWED.values()))


def check_file(stream: IO[bytes], size: int | None = None) -> CheckedFile:
    """Refuse (``RuleViolation``) a file that is empty, too big or not of an allowed kind; else describe it.

    The size is counted while hashing, so a client that lies about the length is still caught.
    """
    limit = max_bytes()
    if size is not None and size > limit:
        raise _too_big(size, limit)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if not head:
        raise RuleViolation("empty_file", _("This file is empty. Choose the file again."))
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED:
        raise RuleViolation(
            "file_type",
            _("This kind of file cannot be shared here. Allowed: %(kinds)s.") % {"kinds": allowed_list()},
        )
    digest = hashlib.sha256(head)
    counted = len(head)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        counted += len(chunk)
        if counted > limit:
            raise _too_big(counted, limit)
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(mime, ALLOWED[mime][0], counted, digest.hexdigest())


def _too_big(size: int, limit: int) -> RuleViolation:
    return RuleViolation(
        "file_too_big",
        _("This file is %(size)s; the limit is %(limit)s. Send a smaller file (a PDF of the scanned pages, say).")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )
