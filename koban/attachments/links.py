"""Linking and unlinking records (counter matters, incidents, found items), and the links a reader sees.

Whoever works on a record may link it to any record they may read; a link shows on both records' pages,
and each reader sees only the links whose other side they may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from koban.attachments.models import RecordLink
from koban.attachments.registry import kind_for_label, kind_for_slug, kind_of
from koban.audit.services import record, snapshot


@dataclass(frozen=True)
class ShownLink:
    link: RecordLink
    title: str
    url: str


def _ordered(one: Any, other: Any) -> tuple[tuple[str, int], tuple[str, int]]:
    a = (one._meta.label_lower, int(one.pk))
    b = (other._meta.label_lower, int(other.pk))
    return (a, b) if a < b else (b, a)


def link_records(actor: Any, one: Any, other_kind: str, other_id: Any) -> RecordLink:
    """Link *one* (a record *actor* works on) to the record *other_kind* #*other_id* (one they may read).

    An unknown or unreadable other record answers 404 (audited), like opening it.
    """
    kind = kind_of(one)
    if not kind.can_attach(actor, one):
        raise PermissionDenied(_("You may not link this record."))
    other = kind_for_slug(other_kind).access(actor, other_id)
    (a_type, a_id), (b_type, b_id) = _ordered(one, other)
    if (a_type, a_id) == (b_type, b_id):
        raise ValidationError({"other_id": [_("A record cannot be linked to itself.")]})
    try:
        with transaction.atomic():
            link = RecordLink.objects.create(
                a_type=a_type, a_id=a_id, b_type=b_type, b_id=b_id, created_by=actor
            )
            record(actor, "record_link.add", link, after=snapshot(link))
    except IntegrityError:
        raise ValidationError({"other_id": [_("These records are already linked.")]}) from None
    return link


@transaction.atomic
def unlink_records(actor: Any, one: Any, link: RecordLink) -> None:
    """Remove *link* of *one* (a record *actor* works on)."""
    if not kind_of(one).can_attach(actor, one):
        raise PermissionDenied(_("You may not link this record."))
    record(actor, "record_link.delete", link, before=snapshot(link))
    link.delete()


def links_shown(user: Any, one: Any) -> list[ShownLink]:
    """The links of *one* whose other record *user* may read, with that record's title and page."""
    shown = []
    for link in RecordLink.objects.touching(one):
        label, other_id = link.other_side(one)
        kind = kind_for_label(label)
        other = kind.visible(user).filter(pk=other_id).first()
        if other is not None:
            shown.append(ShownLink(link, kind.title(other), kind.page(other)))
    return shown
