"""A photo or document attached to a record (an incident, a found item).

The file is kept in private storage (``KOBAN_ATTACHMENT_DIR``), outside every static or media URL: it is
served only by a view that checks access to the parent record. Its type is what its content is (checked
when it is stored), not what its name says; images get a small thumbnail for the pages.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files under ``KOBAN_ATTACHMENT_DIR`` (read at each use) with no URL: they leave only through the
    checked views (``url()`` raises)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.KOBAN_ATTACHMENT_DIR)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


def private_storage() -> PrivateStorage:
    return PrivateStorage()


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def of(self, record: Any) -> AttachmentQuerySet:
        """The attachments of *record* (an incident, a found item), oldest first."""
        return self.filter(parent_type=record._meta.label_lower, parent_id=record.pk).order_by(
            "uploaded_at", "id"
        )


class Attachment(models.Model):
    """One stored file of a record, with what its content was found to be."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF document")

    # The file is evidence about people (faces, documents): opening it is a read of personal data.
    PERSONAL_FIELDS = ("file",)

    parent_type = models.CharField(_("record type"), max_length=60)
    parent_id = models.PositiveBigIntegerField(_("record id"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="files/%Y/%m/", max_length=200)
    thumbnail = models.FileField(
        _("thumbnail"), storage=private_storage, upload_to="thumbs/%Y/%m/", max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["parent_type", "parent_id"], name="attachment_parent")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.parent_type} #{self.parent_id})"

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE


class RecordLinkQuerySet(models.QuerySet["RecordLink"]):
    def touching(self, record: Any) -> RecordLinkQuerySet:
        """The links with *record* on either side."""
        label = record._meta.label_lower
        return self.filter(
            models.Q(a_type=label, a_id=record.pk) | models.Q(b_type=label, b_id=record.pk)
        ).order_by("created_at", "id")


class RecordLink(models.Model):
    """Two records about the same matter: a counter matter, an incident, a found item.

    A person reports a lost wallet at the counter (counter matter), it turns out stolen (incident) and
    is later handed in (found item): each record's page links to the others. Each pair is stored once,
    its sides in a fixed order (``a`` is the smaller of the two (type, id)), so a link has no direction.
    """

    a_type = models.CharField(_("record type"), max_length=60)
    a_id = models.PositiveBigIntegerField(_("record id"))
    b_type = models.CharField(_("linked record type"), max_length=60)
    b_id = models.PositiveBigIntegerField(_("linked record id"))
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RecordLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("record link")
        verbose_name_plural = _("record links")
        indexes = [models.Index(fields=["b_type", "b_id"], name="record_link_b")]
        constraints = [
            models.UniqueConstraint(fields=["a_type", "a_id", "b_type", "b_id"], name="record_link_unique"),
            models.CheckConstraint(
                condition=models.Q(a_type__lt=models.F("b_type"))
                | (models.Q(a_type=models.F("b_type")) & models.Q(a_id__lt=models.F("b_id"))),
                name="record_link_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_type}#{self.a_id} ↔ {self.b_type}#{self.b_id}"

    def other_side(self, record: Any) -> tuple[str, int]:
        """The (type, id) of the record at the other end from *record*."""
        if (self.a_type, self.a_id) == (record._meta.label_lower, record.pk):
            return self.b_type, self.b_id
        return self.a_type, self.a_id
