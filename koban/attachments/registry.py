"""The kinds of record that take attachments, registered by their own apps.

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
    can_attach: Callable[[Any, Any], bool]  # (user, record) → may add and remove attachments
    page: Callable[[Any], str]  # record → the URL of its page


_KINDS: dict[str, ParentKind] = {}


def register(kind: ParentKind) -> None:
    _KINDS[kind.slug] = kind


def kinds() -> list[ParentKind]:
    return sorted(_KINDS.values(), key=lambda k: k.slug)


def kind_for_slug(slug: str) -> ParentKind:
    """The registered kind named *slug*; ``Http404`` for any other word."""
    try:
        return _KINDS[slug]
    except KeyError:
        raise Http404("No such kind of record") from None


def kind_for_label(label: str) -> ParentKind:
    return next(kind for kind in _KINDS.values() if kind.label == label)


def kind_of(record: Any) -> ParentKind:
    return kind_for_label(record._meta.label_lower)
