"""One answer for unknown and forbidden records: 404, with one audit row per refused request.

Answering 403 for a record that exists and 404 for one that does not would tell a prober which ids
exist at other boxes; both therefore raise ``Http404``, and both are recorded, so that forged ids show
in the audit trail.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from koban.audit.services import record_denied

M = TypeVar("M", bound=Model)


def refuse(user: Any, label: str, object_id: Any, note: str = "") -> Http404:
    """Record the refusal of *label* #*object_id* to *user* and return the 404 to raise."""
    record_denied(user, label, object_id, note)
    return Http404(f"No {label} with this id")


def fetch_or_refuse(user: Any, scope: QuerySet[M], object_id: Any, note: str = "") -> M:
    """The record *object_id* of *scope* (what *user* may touch); ``Http404`` for anything else.

    Ids that are not integers are refused like unknown ones instead of raising a server error.
    """
    label = scope.model._meta.label_lower
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise refuse(user, label, str(object_id)[:64], note or "not an id") from None
    found = scope.filter(pk=pk).first()
    if found is None:
        raise refuse(user, label, pk, note)
    return found


def find_or_record(user: Any, scope: QuerySet[M], object_id: Any, note: str = "") -> M | None:
    """Like ``fetch_or_refuse`` for ids given in a request body: None (recorded) instead of a 404.

    The caller answers with the same field error for an unknown and a forbidden id.
    """
    try:
        return fetch_or_refuse(user, scope, object_id, note)
    except Http404:
        return None
