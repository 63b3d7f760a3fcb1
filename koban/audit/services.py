"""Writing the audit trail. Every service function that changes data calls ``record``."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import models, transaction

from koban.audit.models import AuditEvent


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return the concrete fields of *obj* as JSON-ready values (geometries as WKT, truncated)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.name] = _jsonable(getattr(obj, field.attname))
    return data


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, GEOSGeometry):
        # Large beats would bloat the trail; keep the type, size and a fingerprint of the shape.
        wkt = value.wkt
        return wkt if len(wkt) <= 500 else f"{value.geom_type} ({value.num_coords} points)"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Add one audit row for *action* on *obj*; must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction of the change")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user else str(actor or "system"))[:150],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        note=note,
    )


def record_bulk(
    actor: Any,
    action: str,
    model: type[models.Model],
    *,
    count: int,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Add one audit row for a bulk change of *count* rows of *model* (object id ``*``).

    For imports of thousands of rows, where one row per object would multiply the write; *after* should
    name the file and enough of the changed keys to find the rows again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_bulk must be called inside the transaction of the change")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user else str(actor or "system"))[:150],
        action=action,
        object_type=model._meta.label_lower,
        object_id="*",
        object_repr=f"{count} × {model._meta.verbose_name_plural}"[:200],
        after=after,
        note=note,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return only the keys whose value differs, as ``{name: [old, new]}``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record_denied(actor: Any, object_type: str, object_id: Any, note: str = "") -> AuditEvent:
    """Add one row for a refused request for one object (action ``access.denied``).

    Unknown and forbidden ids are recorded alike, so that probing for other boxes' records shows in the
    trail. Unlike ``record`` this needs no surrounding transaction: nothing was changed, and the row must
    survive the refusal (callers check access before opening the change's transaction).
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user else "anonymous")[:150],
        action="access.denied",
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        note=note[:500],
    )
