"""``{% attachments_panel record %}``: the photos and documents of a record, with the upload form."""

from __future__ import annotations

from typing import Any

from django import template

from koban.attachments.links import links_shown
from koban.attachments.models import Attachment
from koban.attachments.registry import kind_of

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context: dict[str, Any], record: Any) -> dict[str, Any]:
    """The record's attachments (thumbnails of photos) and, for those who work on it, upload and remove."""
    request = context["request"]
    kind = kind_of(record)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": kind.slug,
        "record": record,
        "attachments": list(Attachment.objects.of(record)),
        "can_attach": kind.can_attach(request.user, record),
    }


@register.inclusion_tag("attachments/_links.html", takes_context=True)
def record_links_panel(context: dict[str, Any], record: Any) -> dict[str, Any]:
    """The records linked to *record* that the reader may open, and a form to link another."""
    request = context["request"]
    kind = kind_of(record)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "kind": kind.slug,
        "record": record,
        "links": links_shown(request.user, record),
        "can_link": kind.can_attach(request.user, record),
    }
