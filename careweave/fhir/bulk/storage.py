"""Where export files live: Django's storage API on ``settings.EXPORT_ROOT`` (a file system by default;
another storage backend, e.g. S3, only changes :func:`export_storage`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage


def export_storage() -> Storage:
    return FileSystemStorage(location=str(settings.EXPORT_ROOT))


def file_name(export: Any, rtype: str) -> str:
    return f"{export.folder}/{rtype}.ndjson"


def store(export: Any, local: Path) -> str:
    """Copy a written file into the storage (streamed in chunks); returns its name there."""
    storage = export_storage()
    name = file_name(export, local.stem)
    if storage.exists(name):
        storage.delete(name)
    with local.open("rb") as handle:
        return storage.save(name, File(handle))


def remove_files(export: Any) -> None:
    """Delete the export's files (cancelled or expired); nothing to do when there are none."""
    storage = export_storage()
    try:
        _dirs, files = storage.listdir(export.folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{export.folder}/{name}")
    folder = Path(settings.EXPORT_ROOT) / export.folder
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
