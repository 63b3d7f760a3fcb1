"""Small files for attachment tests: real images made with Pillow, a real PDF header, plain text."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The content type a client claims is ignored by the checks; it is set to show that.
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo(name: str = "scene.jpg") -> SimpleUploadedFile:
    return upload(name, image_bytes(), "image/jpeg")
