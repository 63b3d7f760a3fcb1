"""The attachments of the access-matrix world: a photo on box A's incident and one on its found item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koban.attachments.models import Attachment
from koban.attachments.services import add_attachment
from tests.attachments.files import image_bytes, photo, upload
from tests.personas import Cast

ATTACHMENT_MARK = "MATRIXPHOTO"  # the caption of the incident's photo


@dataclass
class Attachments:
    incident_photo: Attachment
    item_photo: Attachment


def build_attachments(cast: Cast, incident: Any, item: Any) -> Attachments:
    return Attachments(
        incident_photo=add_attachment(cast.officer_a, incident, photo(), caption=ATTACHMENT_MARK),
        item_photo=add_attachment(cast.officer_a, item, upload("wallet.png", image_bytes("PNG"))),
    )


def new_photo(_world: Any) -> dict[str, Any]:
    """The body of an upload from a page (a fresh file for each request)."""
    return {"file": photo(), "caption": "matrix"}
