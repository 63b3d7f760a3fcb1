"""Adding and removing attachments: checked content, private storage, one audit row each.

A file is written to storage before its row, inside the transaction; if anything fails afterwards the
written files are removed again, and a removed attachment's files go only once its removal is committed,
so that neither an orphan file nor a row without its file remains.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from koban.attachments.content import read_checked, thumbnail
from koban.attachments.models import Attachment
from koban.attachments.registry import kind_for_label, kind_of
from koban.audit.services import record, snapshot
from koban.lib.validation import control_character_problem

CAPTION_MAX = 200


def _stored_name(extension: str) -> str:
    # Random names: the original name (which may carry a person's name) stays in the row only.
    return f"{get_random_string(24)}{extension}"


def _clean_caption(caption: str) -> str:
    caption = (caption or "").strip()
    problem = control_character_problem(caption, multiline=False)
    if problem:
        raise ValidationError({"caption": [problem]})
    if len(caption) > CAPTION_MAX:
        raise ValidationError(
            {"caption": [_("The caption is longer than %(n)d characters.") % {"n": CAPTION_MAX}]}
        )
    return caption


def add_attachment(actor: Any, parent: Any, upload: Any, caption: str = "") -> Attachment:
    """Attach *upload* (a photo or a PDF, checked by content) to *parent* (an incident, a found item).

    Refusals: ``PermissionDenied`` for someone who does not work on the record, ``ValidationError`` on
    ``file`` for a file whose content is not an allowed type or not what its name says, or too large.
    """
    kind = kind_of(parent)
    if not kind.can_attach(actor, parent):
        raise PermissionDenied(_("You may not add attachments to this record."))
    if upload is None:
        raise ValidationError({"file": [_("Choose a file to attach.")]})
    caption = _clean_caption(caption)
    data, found = read_checked(upload)
    extension = PurePath(upload.name).suffix.lower()
    attachment = Attachment(
        parent_type=kind.label,
        parent_id=parent.pk,
        original_name=PurePath(upload.name).name[:200],
        kind=found.kind,
        content_type=found.content_type,
        size=found.size,
        sha256=found.sha256,
        width=found.width,
        height=found.height,
        caption=caption,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            attachment.file.save(_stored_name(extension), ContentFile(data), save=False)
            if found.kind == Attachment.Kind.IMAGE:
                attachment.thumbnail.save(_stored_name(".jpg"), ContentFile(thumbnail(data)), save=False)
            attachment.save()
            record(actor, "attachment.add", attachment, after=_summary(attachment))
    except BaseException:
        _remove_files(attachment)
        raise
    return attachment


@transaction.atomic
def delete_attachment(actor: Any, attachment: Attachment) -> None:
    """Remove *attachment* and its files (the files go once the removal is committed)."""
    kind = kind_for_label(attachment.parent_type)
    parent = kind.access(actor, attachment.parent_id)
    if not kind.can_attach(actor, parent):
        raise PermissionDenied(_("You may not remove attachments of this record."))
    before = _summary(attachment)
    record(actor, "attachment.delete", attachment, before=before)
    names = (attachment.file.name, attachment.thumbnail.name)
    attachment.delete()
    transaction.on_commit(lambda: _remove_names(names))


def _summary(attachment: Attachment) -> dict[str, Any]:
    # The stored names stay out of the trail: they would only help someone with access to the disk.
    return snapshot(attachment, exclude=("file", "thumbnail"))


def _remove_files(attachment: Attachment) -> None:
    _remove_names((attachment.file.name, attachment.thumbnail.name))


def _remove_names(names: tuple[str | None, str | None]) -> None:
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        if name:
            storage.delete(name)
