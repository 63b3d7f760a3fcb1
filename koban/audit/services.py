"""Writing the audit trail. Every service function that changes data calls ``record``; every page,
export or API list that shows personal data calls ``record_read`` once per request."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry
from django.db import models, transaction
from django.http import HttpRequest

from koban.audit.models import AuditEvent

# Attributes leading from a record to the box it belongs to (a handover to its item, a card to its patrol).
_PARENTS = ("item", "patrol", "incident", "matter")
# A read row lists at most this many ids; a larger export is summarised by its count and first ids.
MAX_IDS_LISTED = 500


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
    user = _user(actor)
    station_id, agency_id = scope_of([obj], user)
    return AuditEvent.objects.create(
        actor=user,
        actor_name=_actor_name(user, actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        note=note,
        station_id=station_id,
        agency_id=agency_id,
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
    user = _user(actor)
    station_id, agency_id = scope_of([], user)
    return AuditEvent.objects.create(
        actor=user,
        actor_name=_actor_name(user, actor),
        action=action,
        object_type=model._meta.label_lower,
        object_id="*",
        object_repr=f"{count} × {model._meta.verbose_name_plural}"[:200],
        after=after,
        note=note,
        station_id=station_id,
        agency_id=agency_id,
    )


def record_read(
    actor: Any,
    objects: Sequence[models.Model],
    fields: Iterable[str],
    *,
    request: HttpRequest | None = None,
    model: type[models.Model] | None = None,
    what: str = "",
) -> AuditEvent | None:
    """Add ONE audit row saying that *actor* was shown the personal *fields* of *objects*.

    Called once per request by every page, export and API list that shows personal data unmasked
    (a list of 50 found items with their finders is one row naming the 50 ids, not 50 rows). *model*
    names the kind when *objects* is empty or mixed; *what* says which page or export showed them.
    Returns None, writing nothing, when nothing was shown.
    """
    objects = list(objects)
    if not objects:
        return None
    kind = model or type(objects[0])
    user = _user(actor)
    station_id, agency_id = scope_of(objects, user)
    ids = [str(obj.pk) for obj in objects]
    shown: dict[str, Any] = {"fields": sorted(set(fields)), "ids": ids[:MAX_IDS_LISTED]}
    if what:
        shown["what"] = what
    if request is not None:
        shown["path"] = request.get_full_path()[:300]
    return AuditEvent.objects.create(
        actor=user,
        actor_name=_actor_name(user, actor),
        action=f"{kind._meta.label_lower}.read",
        object_type=kind._meta.label_lower,
        object_id=ids[0] if len(ids) == 1 else "*",
        object_repr=(str(objects[0]) if len(ids) == 1 else f"{len(ids)} × {kind._meta.verbose_name_plural}")[
            :200
        ],
        after=shown,
        records_read=len(ids),
        station_id=station_id,
        agency_id=agency_id,
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _actor_name(user: Any, actor: Any) -> str:
    return (user.get_username() if user else str(actor or "system"))[:150]


def scope_of(objects: Sequence[models.Model], user: Any) -> tuple[int | None, int | None]:
    """The station and agency an event belongs to: the objects' when they share one, else the actor's.

    A change or read of records of one station belongs to that station's trail (its chief reviews
    it); records spread over several stations belong to the agency only.
    """
    stations = _stations_of(objects)
    if len(stations) == 1:
        station_id = stations.pop()
        return station_id, _agency_of_station(station_id)
    agencies = {getattr(obj, "agency_id", None) for obj in objects} - {None}
    if len(agencies) == 1 and not stations:
        return None, agencies.pop()
    if user is None:
        return None, None
    return (None if stations else user.station_id), user.agency_id or _agency_of_station(user.station_id)


def _network(model: str) -> Any:
    # Looked up by label: the trail sits below the organization app (docs/architecture.md).
    return apps.get_model("organization", model)


def _agency_of_station(station_id: int | None) -> int | None:
    if station_id is None:
        return None
    return _network("PoliceStation").objects.filter(pk=station_id).values_list("agency_id", flat=True).first()


def _stations_of(objects: Sequence[models.Model]) -> set[int]:
    """The stations of *objects*, with one query for all those known only by their box."""
    stations: set[int] = set()
    boxes: set[int] = set()
    for obj in objects:
        anchor = _anchor(obj)
        if anchor is not None:
            (stations if anchor[0] == "station" else boxes).add(anchor[1])
    if boxes:
        stations.update(
            _network("PoliceBox").objects.filter(pk__in=boxes).values_list("station_id", flat=True)
        )
    return stations


def _anchor(obj: models.Model, depth: int = 0) -> tuple[str, int] | None:
    """Where *obj* belongs, without a query: ("station", id) or ("box", id), or its parent record's."""
    label = obj._meta.label_lower
    if label == "organization.policestation":
        return "station", obj.pk
    if label == "organization.policebox":
        return "station", obj.station_id  # type: ignore[attr-defined]
    station_id = getattr(obj, "station_id", None)
    if station_id is not None:
        return "station", int(station_id)
    box = obj._state.fields_cache.get("box")
    if box is not None:
        return "station", box.station_id
    box_id = getattr(obj, "box_id", None)
    if box_id is not None:
        return "box", int(box_id)
    for parent in _PARENTS if depth < 2 else ():
        if getattr(obj, f"{parent}_id", None) is not None:
            return _anchor(getattr(obj, parent), depth + 1)
    return None


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return only the keys whose value differs, as ``{name: [old, new]}``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record_attempt(
    actor: Any,
    action: str,
    model: type[models.Model],
    *,
    object_id: str = "",
    object_repr: str = "",
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Add one audit row for an attempt that names no saved object, e.g. a failed login for a user name
    that does not exist; *actor* is a user, or the name the requester claimed (never a password)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_attempt must be called inside a transaction")
    user = _user(actor)
    station_id, agency_id = scope_of([], user) if user else (None, None)
    return AuditEvent.objects.create(
        actor=user,
        actor_name=_actor_name(user, actor),
        action=action,
        object_type=model._meta.label_lower,
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        after=after,
        note=note,
        station_id=station_id,
        agency_id=agency_id,
    )


def record_denied(actor: Any, object_type: str, object_id: Any, note: str = "") -> AuditEvent:
    """Add one row for a refused request for one object (action ``access.denied``).

    Unknown and forbidden ids are recorded alike, so that probing for other boxes' records shows in the
    trail. Unlike ``record`` this needs no surrounding transaction: nothing was changed, and the row must
    survive the refusal (callers check access before opening the change's transaction).
    """
    user = _user(actor)
    # The refusal belongs to the trail of the person who probed (their chief reviews it).
    station_id, agency_id = scope_of([], user)
    return AuditEvent.objects.create(
        actor=user,
        actor_name=_actor_name(user, "anonymous"),
        action="access.denied",
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        note=note[:500],
        station_id=station_id,
        agency_id=agency_id,
    )
