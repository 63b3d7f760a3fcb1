"""Uploaded files: the size limit checked while the request is parsed, and storage the workers share.

``SizeLimitUploadHandler`` is the first of ``FILE_UPLOAD_HANDLERS``. A file larger than
``KOBAN_UPLOAD_MAX_BYTES`` (known from the request's Content-Length, or counted as it arrives) is
skipped without being stored or parsed, and the request remembers why: a form built with
``upload_error=upload_rejection(request)`` then shows a clear, translated error on its file field at
once, instead of an import running for minutes inside the request.

Stored files go to ``KOBAN_UPLOAD_DIR`` (a folder every web server and worker can read: shared storage
when they run on several machines), one random folder per upload.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# The other fields of an upload form (CSRF token, options) fit easily in this many bytes.
FORM_FIELDS_SLACK = 64 * 1024
REJECTED = "koban_upload_rejected"
UPLOAD_LIFETIME_S = 24 * 3600


def upload_limit() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


class SizeLimitUploadHandler(FileUploadHandler):
    """Skip any uploaded file over the limit and note it on the request (nothing is stored)."""

    def handle_raw_input(self, input_data, meta, content_length, boundary, encoding=None):  # type: ignore[no-untyped-def]
        self.request_too_large = content_length > upload_limit() + FORM_FIELDS_SLACK
        self.request_length = content_length

    def new_file(self, field_name, file_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().new_file(field_name, file_name, *args, **kwargs)
        if getattr(self, "request_too_large", False):
            self._reject(self.request_length)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > upload_limit():
            self._reject(start + len(raw_data))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _reject(self, size: int) -> None:
        if self.request is not None:
            setattr(self.request, REJECTED, {"field": self.field_name, "name": self.file_name, "size": size})
        raise SkipFile


def upload_rejection(request: HttpRequest) -> str | None:
    """The translated reason a file of this request was refused, or None (parses the request body)."""
    request.FILES  # noqa: B018  (parsing the body runs the upload handlers)
    rejected: dict[str, Any] | None = getattr(request, REJECTED, None)
    if not rejected:
        return None
    return _("The file %(name)s is too large (at least %(size)s); files up to %(limit)s can be uploaded.") % {
        "name": rejected["name"],
        "size": filesizeformat(rejected["size"]),
        "limit": filesizeformat(upload_limit()),
    }


def upload_root() -> Path:
    return Path(settings.UPLOAD_DIR)


def store_upload(upload: Any) -> tuple[str, str]:
    """Copy an uploaded file into the shared upload folder; return its relative path and its name."""
    sweep_old_uploads()
    token = secrets.token_urlsafe(16)
    folder = upload_root() / token
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    name = get_valid_filename(Path(upload.name).name) or "upload"
    with (folder / name).open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return f"{token}/{name}", Path(upload.name).name


def stored_path(relative: str) -> Path | None:
    """The absolute path of a stored upload, or None when it is gone (swept or never stored)."""
    if not relative:
        return None
    path = upload_root() / relative
    return path if path.is_file() else None


def discard_upload(relative: str) -> None:
    if relative:
        shutil.rmtree(upload_root() / relative.split("/", 1)[0], ignore_errors=True)


def sweep_old_uploads() -> None:
    """Remove uploads older than a day: a dry run can be committed until then."""
    root = upload_root()
    if not root.exists():
        return
    cutoff = time.time() - UPLOAD_LIFETIME_S
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
