"""The kinds of record that take attachments and links, registered by their own apps.

Attachments sit below incidents and lost & found in the dependency order, so they never import those
apps: each parent app registers its kind in ``AppConfig.ready`` with the access functions that answer
for it (from ``koban.accounts.access``) and the page that shows it. The attachments pages and API ask
the parent's accessor for the parent (404 for unknown and forbidden alike) and its ``can_attach`` check
before storing or removing a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class ParentKind:
    """One kind of record that takes attachments."""

    slug: str  # in URLs and the API: "incident", "item"
    label: str  # the model's label, stored on each attachment: "incidents.incident"
    access: Callable[[Any, Any], Any]  # (user, id) → the record, or Http404 (audited)
    can_attach: Callable[[Any, Any], bool]  # (user, record) → may add and remove attachments and links
    page: Callable[[Any], str]  # record → the URL of its page
    visible: Callable[[Any], Any]  # user → the records they may read (no audit: for showing links)
    title: Callable[[Any], str]  # record → how a link to it reads ("Incident #12", "K01-2026-00034")
    takes_attachments: bool = True


_KINDS: dict[str, ParentKind] = {}


def register(kind: ParentKind) -> None:
    _KINDS[kind.slug] = kind


def kinds() -> list[ParentKind]:
    return sorted(_KINDS.values(), key=lambda k: k.slug)


def kind_for_slug(slug: str, attachments: bool = False) -> ParentKind:
    """The registered kind named *slug* (one that takes attachments, if asked); ``Http404`` otherwise."""
    kind = _KINDS.get(slug)
    if kind is None or (attachments and not kind.takes_attachments):
        raise Http404("No such kind of record")
    return kind


def kind_for_label(label: str) -> ParentKind:
    return next(kind for kind in _KINDS.values() if kind.label == label)


def kind_of(record: Any) -> ParentKind:
    return kind_for_label(record._meta.label_lower)
