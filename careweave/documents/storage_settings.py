"""Where documents are kept: Django's ``STORAGES["documents"]``, built from the environment (decision 0031).

Imported by ``careweave.settings``, so nothing here may import Django apps. Local files under ``var/`` by
default; an S3-compatible store (AWS, MinIO, Ceph, OVH, Scaleway...) when ``CAREWEAVE_DOCUMENTS_S3_BUCKET``
is set, through django-storages (``pip install careweave[s3]``). Either way Careweave streams each
download itself after the permission check and the audit: objects stay private, no public or signed URL
is ever handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def documents_storage(environ: Mapping[str, str], var_dir: Path) -> dict[str, Any]:
    """The ``STORAGES["documents"]`` entry for this environment."""
    bucket = environ.get("CAREWEAVE_DOCUMENTS_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(Path(environ.get("CAREWEAVE_DOCUMENTS_DIR", var_dir / "documents"))),
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": environ.get("CAREWEAVE_DOCUMENTS_S3_PREFIX", "documents"),
        "default_acl": "private",  # never readable without Careweave's check
        "querystring_auth": True,
        "file_overwrite": False,  # a version is never overwritten
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
    for key, name in (("endpoint_url", "CAREWEAVE_DOCUMENTS_S3_ENDPOINT"),
                      ("region_name", "CAREWEAVE_DOCUMENTS_S3_REGION"),
                      ("access_key", "CAREWEAVE_DOCUMENTS_S3_ACCESS_KEY"),
                      ("secret_key", "CAREWEAVE_DOCUMENTS_S3_SECRET_KEY")):
        if environ.get(name):
            options[key] = environ[name]
    if environ.get("CAREWEAVE_DOCUMENTS_S3_ENCRYPTION") == "none":  # stores without SSE support
        options.pop("object_parameters")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
