"""What an uploaded file really is, from its content: a photo (JPEG, PNG, WebP) or a PDF document.

A file's name says nothing reliable: a script renamed ``photo.jpg`` must not be stored as a photo, and a
PDF renamed ``.jpg`` must not reach a browser as an image. The content decides (Pillow decodes images;
PDFs start with ``%PDF-``), and it must also match the name's extension, so that what the officer sees
listed is what opens. Every refusal names the field (``file``) and the file.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Extension → (kind, Pillow format or "PDF", content type).
ALLOWED: dict[str, tuple[str, str, str]] = {
    ".jpg": ("image", "JPEG", "image/jpeg"),
    ".jpeg": ("image", "JPEG", "image/jpeg"),
    ".png": ("image", "PNG", "image/png"),
    ".webp": ("image", "WEBP", "image/webp"),
    ".pdf": ("pdf", "PDF", "application/pdf"),
}
PDF_MAGIC = b"%PDF-"
THUMBNAIL_SIZE = (320, 320)


@dataclass(frozen=True)
class Detected:
    """What the content of an accepted file is."""

    kind: str  # "image" or "pdf"
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


def max_bytes() -> int:
    return int(settings.KOBAN_ATTACHMENT_MAX_BYTES)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def read_checked(upload: Any) -> tuple[bytes, Detected]:
    """The bytes of *upload* and what they are; ``ValidationError`` on ``file`` if they cannot be kept."""
    name = str(getattr(upload, "name", "") or "")
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise _refuse(
            _("%(name)s: only photos (JPEG, PNG, WebP) and PDF documents can be attached.") % {"name": name}
        )
    size = int(getattr(upload, "size", 0) or 0)
    if size > max_bytes():
        raise _refuse(
            _("%(name)s is too large (%(size)s); attachments can be up to %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    if not data:
        raise _refuse(_("%(name)s is empty.") % {"name": name})
    if len(data) > max_bytes():  # the size given by the client is not trusted either
        raise _refuse(
            _("%(name)s is too large (%(size)s); attachments can be up to %(limit)s.")
            % {"name": name, "size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes())}
        )
    kind, expected, content_type = ALLOWED[extension]
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        if not data.startswith(PDF_MAGIC):
            raise _refuse(_mismatch(name, expected))
        return data, Detected("pdf", content_type, len(data), digest)
    width, height = _image_size(data, name, expected)
    return data, Detected("image", content_type, len(data), digest, width, height)


def _mismatch(name: str, expected: str) -> str:
    return _("%(name)s is not a %(type)s file: its content does not match its name.") % {
        "name": name,
        "type": expected,
    }


def _image_size(data: bytes, name: str, expected: str) -> tuple[int, int]:
    """Width and height of an image whose decoded format is *expected*; refuses anything else."""
    limit = int(settings.KOBAN_ATTACHMENT_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found, size = image.format, image.size
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError):
        raise _refuse(_mismatch(name, expected)) from None
    except (ValueError, SyntaxError, EOFError):  # truncated or malformed image data
        raise _refuse(_mismatch(name, expected)) from None
    if found != expected:
        raise _refuse(_mismatch(name, expected))
    if size[0] * size[1] > limit:
        raise _refuse(
            _("%(name)s has too many pixels (%(w)d × %(h)d); photos can have up to %(limit)d.")
            % {"name": name, "w": size[0], "h": size[1], "limit": limit}
        )
    return size


def thumbnail(data: bytes) -> bytes:
    """A JPEG of at most 320 × 320 pixels, upright (EXIF orientation applied, metadata dropped)."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        small = upright.convert("RGB")
        small.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=80)
        return out.getvalue()
