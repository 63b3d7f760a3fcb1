"""Changing the police network: agencies, stations and boxes, each change with its audit row.

*actor* is the user making the change, checked with ``koban.accounts.access.require_network_manager``,
or a short string naming a system process run by an operator (a management command such as
``"import_boxes"``), which the audit trail records by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.contrib.gis.geos import MultiPolygon, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from koban.accounts.access import can_create_agency, can_manage_agency_network, require_network_manager
from koban.audit.services import record, snapshot
from koban.organization.jurisdiction import check_place, forget_jurisdiction, jurisdiction_of
from koban.organization.kinds import get_kind
from koban.organization.models import Agency, PoliceBox, PoliceStation

AGENCY_FIELDS = {"code", "name", "level", "parent", "extent"}
STATION_FIELDS = {"code", "name", "address", "phone", "location", "area"}
BOX_FIELDS = {
    "station",
    "code",
    "name",
    "kind",
    "address",
    "phone",
    "location",
    "status",
    "staffing_target",
    "merged_into",
    "opened_on",
    "location_to_confirm",
}


def _authorize(actor: Any, *agencies: Agency) -> None:
    """Users must be network managers of every agency the change touches; a system process named by a
    string is the operator's own act."""
    if isinstance(actor, str):
        return
    require_network_manager(actor)
    for agency in agencies:
        if not can_manage_agency_network(actor, agency):
            raise PermissionDenied(_("Only HQ of %(agency)s may change its network.") % {"agency": agency})


def _agencies_of(obj: Any) -> list[Agency]:
    """The agency whose network *obj* (an agency, station or box) belongs to."""
    if isinstance(obj, Agency):
        return [obj]
    if isinstance(obj, PoliceStation):
        return [obj.agency]
    return [obj.station.agency]


def _agencies_of_changes(changes: dict[str, Any]) -> list[Agency]:
    """Agencies a change moves a record into (a station to another agency, a box to another station)."""
    moved = []
    if isinstance(changes.get("agency"), Agency):
        moved.append(changes["agency"])
    if isinstance(changes.get("station"), PoliceStation):
        moved.append(changes["station"].agency)
    return moved


def _check_fields(given: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})


def _validate(obj: models.Model) -> None:
    """Check field values and the model's own rules; unique and check constraints are left to the
    database (``_save`` turns a violation into a ValidationError), which saves two queries per row
    on imports of thousands of boxes."""
    obj.clean_fields(exclude=["agency", "station", "parent", "merged_into"])
    obj.clean()


def _save(obj: models.Model, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(object)s conflicts with an existing record or rule: %(error)s")
            % {"object": obj, "error": exc}
        ) from exc


def _apply(obj: Any, changes: dict[str, Any]) -> list[str]:
    """Set the fields that really change and return their names (geometries compared exactly)."""
    changed = []
    for name, value in changes.items():
        current = getattr(obj, name)
        if isinstance(value, Point | MultiPolygon) and current is not None:
            # Round trips through text and float arithmetic move coordinates by ~1e-14°.
            same = current.srid == value.srid and current.equals_exact(value, tolerance=1e-9)
        else:
            same = current == value
        if not same:
            setattr(obj, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def create_agency(actor: Any, **fields: Any) -> Agency:
    if not isinstance(actor, str) and not can_create_agency(actor):
        raise PermissionDenied(_("Only administrators of every agency may open a new agency."))
    _check_fields(fields, AGENCY_FIELDS)
    agency = Agency(**fields)
    _validate(agency)
    _save(agency)
    record(actor, "agency.create", agency, after=snapshot(agency))
    return agency


def _update(
    actor: Any, obj: Any, changes: dict[str, Any], allowed: Any, action: str, check: Any
) -> list[str]:
    """Lock *obj*, apply *changes*, check and save the changed fields, and audit them (nothing if unchanged)."""
    _authorize(actor, *_agencies_of(obj), *_agencies_of_changes(changes))
    _check_fields(changes, allowed)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    changed = _apply(obj, changes)
    if changed:
        check(obj)
        _save(obj, changed)
        record(actor, action, obj, before=before, after=snapshot(obj))
    return changed


def _forget_on_commit(agency_id: int) -> None:
    """The cached jurisdiction of the agency is stale once a station area or its extent changes."""
    transaction.on_commit(lambda: forget_jurisdiction(agency_id))


@transaction.atomic
def update_agency(actor: Any, agency: Agency, **changes: Any) -> list[str]:
    changed = _update(actor, agency, changes, AGENCY_FIELDS, "agency.update", _validate)
    if "extent" in changed:
        _forget_on_commit(agency.pk)
    return changed


@transaction.atomic
def create_station(actor: Any, agency: Agency, **fields: Any) -> PoliceStation:
    """Open a police station under *agency*; codes are unique within the agency."""
    _authorize(actor, agency)
    _check_fields(fields, STATION_FIELDS)
    station = PoliceStation(agency=agency, **fields)
    _validate(station)
    _save(station)
    record(actor, "station.create", station, after=snapshot(station))
    if station.area is not None:
        _forget_on_commit(agency.pk)
    return station


@transaction.atomic
def update_station(actor: Any, station: PoliceStation, **changes: Any) -> list[str]:
    """Change a station's fields; returns the names of the fields that changed (none: no audit row)."""
    changed = _update(actor, station, changes, STATION_FIELDS, "station.update", _validate)
    if "area" in changed:
        _forget_on_commit(station.agency_id)
    return changed


def _check_box(box: PoliceBox) -> None:
    if get_kind(box.kind) is None:
        raise ValidationError({"kind": _("Unknown box kind %(kind)s.") % {"kind": box.kind}})
    _validate(box)


def _check_box_place(actor: Any, box: PoliceBox, confirmed: bool) -> None:
    """A box outside its agency's jurisdiction is a typo unless confirmed (a box just across a border)."""
    if box.location is not None:
        check_place(actor, box.station.agency, box.location, field="location", confirmed=confirmed)


@transaction.atomic
def create_box(
    actor: Any, station: PoliceStation, *, outside_confirmed: bool = False, **fields: Any
) -> PoliceBox:
    """Open a box (koban, chuzaisho, …) under *station*; codes are unique within the station.

    A location outside the agency's jurisdiction is refused, naming the nearest box, unless
    *outside_confirmed*.
    """
    _authorize(actor, station.agency)
    _check_fields(fields, BOX_FIELDS - {"station"})
    box = PoliceBox(station=station, **fields)
    _check_box(box)
    _check_box_place(actor, box, outside_confirmed)
    _save(box)
    record(actor, "box.create", box, after=snapshot(box))
    return box


@transaction.atomic
def update_box(actor: Any, box: PoliceBox, *, outside_confirmed: bool = False, **changes: Any) -> list[str]:
    """Change a box's fields (a new station moves it); returns the names of the fields that changed.

    A move (location or station) outside the jurisdiction needs *outside_confirmed*, as in ``create_box``.
    """
    if "location" in changes and "location_to_confirm" not in changes and box.location_to_confirm:
        # Someone placed the box: its location is no longer a guess.
        changes = {**changes, "location_to_confirm": False}
    agencies = [box.station.agency]
    if isinstance(changes.get("station"), PoliceStation):
        agencies.append(changes["station"].agency)
    _authorize(actor, *agencies)

    def check(obj: PoliceBox) -> None:
        _check_box(obj)
        if "location" in changes or "station" in changes:
            _check_box_place(actor, obj, outside_confirmed)

    return _update(actor, box, changes, BOX_FIELDS, "box.update", check)


# -- Cleaning up many boxes at once (the admin's bulk actions) ------------------------------------------


@transaction.atomic
def merge_boxes(actor: Any, duplicates: list[PoliceBox], into: PoliceBox) -> int:
    """Mark *duplicates* (one place entered twice) as merged into *into*; returns how many.

    Each stays in the history (incidents keep naming it) with status "merged" and its successor, so it
    no longer counts as operating. A duplicate that still owns a beat of a current version is
    refused: derive or import the beats again first, or its beat would be nobody's.
    """
    others = [box for box in duplicates if box.pk != into.pk]
    if any(box.station.agency_id != into.station.agency_id for box in others):
        raise ValidationError({"merged_into": _("Boxes of another agency cannot be merged into this one.")})
    # The beats' own rule for "current", through the reverse relation (geography sits above this app).
    owning = [box.name for box in others if box.beats.current().exists()]
    if owning:
        raise ValidationError(
            {
                "merged_into": _("%(boxes)s still own current beats; derive the beats again first.")
                % {"boxes": ", ".join(sorted(owning))}
            }
        )
    for box in others:
        update_box(actor, box, status=PoliceBox.Status.MERGED, merged_into=into)
    return len(others)


@transaction.atomic
def close_boxes_outside(actor: Any, boxes: list[PoliceBox]) -> list[PoliceBox]:
    """Close those of *boxes* that lie outside their agency's area (beyond the track tolerance).

    Boxes an open-data import brought in from a neighbouring prefecture; returns the ones closed.
    """
    closed = []
    for box in boxes:
        if box.location is None or box.status == PoliceBox.Status.CLOSED:
            continue
        territory = jurisdiction_of(box.station.agency)
        if territory.is_fallback or not territory.outside_margin(np.array([box.location.coords]))[0]:
            continue
        update_box(actor, box, status=PoliceBox.Status.CLOSED)
        closed.append(box)
    return closed


@transaction.atomic
def reassign_station(actor: Any, boxes: list[PoliceBox], station: PoliceStation) -> int:
    """Move *boxes* to *station* (each move audited; a box far outside the new agency is refused)."""
    moved = 0
    for box in boxes:
        if box.station_id != station.pk:
            update_box(actor, box, station=station)
            moved += 1
    return moved
