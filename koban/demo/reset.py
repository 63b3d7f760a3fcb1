"""Removing the demo prefecture: every row of the demo agency and of the apps built on it.

Other apps add their own demo records (rosters, incidents, …) that point at demo boxes, stations and
users, often with PROTECT. Rather than a list that would go stale with every new app, the deletion
walks Django's reverse relations and deletes the rows that depend on the demo first, so the order
follows the models themselves. The audit trail is kept: it outlives the objects by design.
"""

from __future__ import annotations

from typing import cast

from django.db import models, transaction
from django.db.models import ForeignObjectRel
from django.db.models.deletion import get_candidate_relations_to_delete

from koban.geography.models import AdminArea, RoadSegment
from koban.organization.models import Agency

# Cascading deletion must stop somewhere; the model graph is far shallower than this.
_MAX_DEPTH = 12


@transaction.atomic
def delete_demo(agency: Agency | None, source: str) -> int:
    """Delete *agency* with everything that depends on it, and the areas and roads from *source*.

    Returns the number of rows deleted.
    """
    deleted = 0
    if agency is not None:
        deleted += _purge(Agency.objects.filter(pk=agency.pk), 0)
    deleted += _purge(RoadSegment.objects.filter(source=source), 0)
    # Towns first, then municipalities, then the prefecture: children before parents.
    for level in (
        AdminArea.Level.BLOCK,
        AdminArea.Level.TOWN,
        AdminArea.Level.MUNICIPALITY,
        AdminArea.Level.PREFECTURE,
    ):
        deleted += _purge(AdminArea.objects.filter(source=source, level=level), 0)
    return deleted


def _purge(queryset: models.QuerySet, depth: int) -> int:  # type: ignore[type-arg]
    """Delete the rows that point at *queryset* (deepest first), then *queryset* itself."""
    if depth > _MAX_DEPTH:
        raise RuntimeError(f"demo deletion nested too deep at {queryset.model._meta.label}")
    if not queryset.exists():
        return 0
    deleted = 0
    # The relations Django's own deletion follows, hidden ones (related_name="+") included.
    for found in get_candidate_relations_to_delete(queryset.model._meta):
        relation = cast(ForeignObjectRel, found)
        if relation.field.remote_field.on_delete in (models.SET_NULL, models.SET_DEFAULT):
            continue  # the database or Django clears these itself
        if relation.field.remote_field.on_delete is models.DO_NOTHING:
            continue  # references without a constraint, like the (append-only) audit trail's
        related_model = cast(type[models.Model], relation.related_model)
        dependents = related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        if related_model is queryset.model:
            if relation.field.remote_field.on_delete in (models.PROTECT, models.RESTRICT):
                # Rows of the set that point at others of it (the units of a building) go first: a
                # PROTECT reference stops a delete even when both rows are in it.
                deleted += _purge(dependents.filter(pk__in=queryset.values("pk")), depth + 1)
            dependents = dependents.exclude(pk__in=queryset.values("pk"))
        deleted += _purge(dependents, depth + 1)
    count, _ = queryset.delete()
    return deleted + count
