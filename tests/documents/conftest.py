"""Fixtures for the document tests: the web tests' cast (Maria's team with her GP, nurse, OCMW social worker,
coordinator and her son Jan), a documents store in a temporary folder, and real files made here."""

from __future__ import annotations

import io
import zipfile

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def documents_store(settings, tmp_path):  # noqa: ANN001, ANN201
    """Local files in a temporary folder (the same FileSystemStorage as production's default)."""
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None}}}
    return tmp_path / "documents"


def pdf_bytes(text: str = "Ontslagbrief") -> bytes:
    """A real one-page PDF (reportlab)."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.drawString(72, 770, text)
    page.showPage()
    page.save()
    return out.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document: the zip layout Word writes ([Content_Types].xml, then word/)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows executable (MZ header, PE offset)."""
    head = bytearray(b"MZ" + b"\x90\x00" * 29)
    head += b"\x00" * (0x3C - len(head)) + (0x80).to_bytes(4, "little")
    head += b"\x00" * (0x80 - len(head)) + b"PE\x00\x00" + b"\x00" * 200
    return bytes(head)


def png_bytes() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
            b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
