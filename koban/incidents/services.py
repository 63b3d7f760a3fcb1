"""Changing incidents: intake, dispatch, arrival, clearing, cancelling, correcting and reopening.

Each function runs in one transaction, writes a history row (``IncidentEvent``) and an audit row, and
raises ``ValidationError`` with the offending field's name when the input cannot be accepted, so that
nothing is half-saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import (
    can_dispatch,
    can_place_own_report,
    can_send_to,
    can_take_reports,
    can_work_on_incident,
    dispatchable_officers,
    has_police_powers,
    incidents_visible_to,
    intake_agencies_for,
)
from koban.accounts.models import User
from koban.analytics.algorithms.dispatch import may_preempt
from koban.audit.services import record, snapshot
from koban.geography.locate import locate
from koban.geography.towns import place_address
from koban.incidents.callers import CALLER_FIELDS, clean_caller
from koban.incidents.lifecycle import (
    REOPENABLE,
    can_transition,
    reopened_status,
    status_for_timeline,
    timeline_errors,
    transition_error,
)
from koban.incidents.models import (
    Dispatch,
    Incident,
    IncidentCategory,
    IncidentEvent,
    LocationSource,
    Source,
    Status,
)
from koban.lib.geo import point_from_lonlat
from koban.organization.jurisdiction import check_place
from koban.organization.models import Agency, PoliceBox
from koban.rosters.models import PatrolCar


@dataclass(frozen=True)
class IntakeResult:
    incident: Incident
    created: bool


def _event(
    incident: Incident,
    actor: Any,
    action: str,
    at: datetime.datetime,
    before: str,
    after: str,
    note: str = "",
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=before,
        to_status=after,
        note=note,
    )


def _location_point(lon: float | None, lat: float | None) -> Point | None:
    return point_from_lonlat(lon, lat, ("lon", "lat"))


def _existing_for_key(actor: User, key: str) -> Incident | None:
    existing = Incident.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if not incidents_visible_to(actor).filter(pk=existing.pk).exists():
        # Someone else's submission: do not reveal it, and do not create a second one either.
        raise ValidationError({"idempotency_key": _("This idempotency key has already been used.")})
    return existing


@transaction.atomic
def intake_incident(
    actor: User,
    *,
    category: IncidentCategory,
    received_at: datetime.datetime,
    source: str = Source.CALL_110,
    priority: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    description: str = "",
    dispatched_at: datetime.datetime | None = None,
    arrived_at: datetime.datetime | None = None,
    cleared_at: datetime.datetime | None = None,
    idempotency_key: str | None = None,
    agency: Agency | None = None,
    outside_confirmed: bool = False,
    caller_name: str = "",
    caller_phone: str = "",
    caller_relation: str = "",
) -> IntakeResult:
    """Record a call or report; place it in its beat, box and station, or flag it outside jurisdiction.

    A second submission with the same idempotency key returns the first incident unchanged
    (``created`` is False). Times after receipt may be given when the incident is recorded after
    the fact (an officer who found something on patrol is on scene at once). A point outside the
    agency's jurisdiction is refused, naming the nearest box, unless *outside_confirmed* by someone
    allowed to (an incident just across the border is real). An address that matches no known town is
    kept and flagged ``address_unplaced`` until someone places the incident on the map.
    """
    if not can_take_reports(actor):
        raise PermissionDenied(_("You may not record incidents."))
    key = (idempotency_key or "").strip() or None
    if key:
        existing = _existing_for_key(actor, key)
        if existing is not None:
            return IntakeResult(existing, created=False)

    errors: dict[str, str] = {}
    if source not in Source.values or source == Source.IMPORTED:
        errors["source"] = _("Unknown source %(source)s.") % {"source": source}
    if not category.active:
        errors["category"] = _("This category is no longer in use.")
    if priority is not None and priority not in (1, 2, 3, 4):
        errors["priority"] = _("Priority must be 1 (urgent) to 4 (low).")
    errors.update(
        timeline_errors(
            received_at=received_at,
            dispatched_at=dispatched_at,
            arrived_at=arrived_at,
            cleared_at=cleared_at,
            now=timezone.now(),
        )
    )
    caller, caller_errors = clean_caller(
        {"caller_name": caller_name, "caller_phone": caller_phone, "caller_relation": caller_relation}
    )
    errors.update(caller_errors)
    point = _location_point(lon, lat)
    if point is None and not address.strip():
        errors["location"] = _("Give the place: a point on the map or an address.")
    if errors:
        raise ValidationError(errors)

    beat = box = None
    located_by = LocationSource.POINT if point is not None else ""
    if point is None:
        # An address alone is placed at its town (町丁目); one that cannot be placed is flagged below.
        town = place_address(address)
        if town is not None:
            point, located_by = Point(town.lon, town.lat, srid=4326), LocationSource.AREA
    if point is not None:
        found = locate(point.x, point.y)
        beat, box = found.beat, found.beat_box
    owner = box.station.agency if box else (agency or actor.agency)
    if owner is None:
        raise ValidationError({"agency": _("The place is in no beat; say which agency the incident is for.")})
    if box is None and not intake_agencies_for(actor).filter(pk=owner.pk).exists():
        # Another agency's code answers like an unknown one.
        raise ValidationError({"agency": _("unknown agency %(code)s") % {"code": owner.code}})
    if point is not None and beat is None:
        check_place(actor, owner, point, field="outside_confirmed", confirmed=outside_confirmed)

    status = status_for_timeline(dispatched_at, arrived_at, cleared_at)
    if status != Status.RECEIVED:
        # Recording what units did needs police powers over the responsible box.
        if box is not None and not can_dispatch(actor, box):
            raise PermissionDenied(_("You may not record a response for this box."))
        if box is None and not has_police_powers(actor):
            raise PermissionDenied(_("You may not record a response."))

    incident = Incident(
        agency=owner,
        source=source,
        category=category,
        priority=priority or category.default_priority,
        status=status,
        description=description.strip(),
        location=point,
        address=address.strip()[:300],
        beat=beat,
        box=box,
        station=box.station if box else None,
        outside_jurisdiction=point is not None and beat is None,
        address_unplaced=point is None,
        location_source=located_by,
        **caller,
        received_at=received_at,
        dispatched_at=dispatched_at,
        arrived_at=arrived_at,
        cleared_at=cleared_at,
        idempotency_key=key,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError:
        # A concurrent submission with the same key won the race; answer with its incident.
        if key and (existing := _existing_for_key(actor, key)) is not None:
            return IntakeResult(existing, created=False)
        raise

    note = ""
    if incident.location is None:
        note = _("The address matches no known town: place the incident on the map.")
    elif incident.outside_jurisdiction:
        note = _("Outside every beat")
    _event(incident, actor, "received", received_at, "", Status.RECEIVED, note)
    steps = [
        (dispatched_at, "dispatched", Status.DISPATCHED),
        (arrived_at, "arrived", Status.ON_SCENE),
        (cleared_at, "cleared", Status.CLEARED),
    ]
    previous = Status.RECEIVED
    for at, action, reached in steps:
        if at is not None:
            _event(incident, actor, action, at, previous, reached)
            previous = reached
    record(actor, "incident.intake", incident, after=snapshot(incident))
    return IntakeResult(incident, created=True)


def _require_police_work(actor: User, incident: Incident) -> None:
    """Only officers of the incident's box (or of a box sent to it), their chief or HQ change it."""
    if not has_police_powers(actor):
        raise PermissionDenied(_("Only police officers may change what was done about an incident."))
    if not can_work_on_incident(actor, incident):
        raise PermissionDenied(_("You may not change this incident."))


def _locked(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",)).select_related("box", "agency").get(pk=incident.pk)
    )


def _check_times(incident: Incident, **changes: datetime.datetime | None) -> None:
    times = {
        "received_at": incident.received_at,
        "dispatched_at": incident.dispatched_at,
        "arrived_at": incident.arrived_at,
        "cleared_at": incident.cleared_at,
    }
    times.update(changes)
    errors = timeline_errors(now=timezone.now(), **times)  # type: ignore[arg-type]
    relevant = {k: v for k, v in errors.items() if k in changes}
    if relevant:
        raise ValidationError(relevant)


def _require_transition(incident: Incident, to_status: str) -> None:
    if not can_transition(incident.status, to_status):
        raise ValidationError({"status": transition_error(incident.status, to_status)})


def _check_crew(box: PoliceBox, officers: list[User], unit: PatrolCar | None, at) -> None:  # type: ignore[no-untyped-def]
    """Officers go from their own box; a car goes from its box with the crew it has at *at*."""
    if unit is None:
        allowed = set(dispatchable_officers(box).values_list("pk", flat=True))
        strangers = [o.username for o in officers if o.pk not in allowed]
        if strangers:
            raise ValidationError(
                {
                    "officers": _("Not posted at %(box)s: %(names)s")
                    % {"box": box, "names": ", ".join(strangers)}
                }
            )
        return
    if unit.box_id != box.pk or not unit.active:
        raise ValidationError({"unit": _("This patrol car is not in service at this box.")})
    crew = set(unit.crew.at(at).values_list("officer_id", flat=True))
    strangers = [o.username for o in officers if o.pk not in crew]
    if not crew:
        raise ValidationError({"unit": _("%(car)s has no crew at this time.") % {"car": unit}})
    if strangers:
        raise ValidationError(
            {
                "officers": _("Not in the crew of %(car)s: %(names)s")
                % {"car": unit, "names": ", ".join(strangers)}
            }
        )


def _check_free(incident: Incident, officers: list[User], at: datetime.datetime) -> list[int]:
    """Refuse officers busy on another open incident unless this one may take them (see ``may_preempt``);
    returns the incidents they are taken from."""
    from koban.incidents.dispatching import commitments

    busy = commitments([o.pk for o in officers], at, exclude_incident=incident.pk)
    taken: set[int] = set()
    for officer in officers:
        for other, priority in busy.get(officer.pk, {}).items():
            if not may_preempt(incident.priority, priority):
                raise ValidationError(
                    {
                        "officers": _("%(who)s is already sent to incident #%(id)s.")
                        % {"who": officer, "id": other}
                    }
                )
            taken.add(other)
    return sorted(taken)


@transaction.atomic
def dispatch_units(
    actor: User,
    incident: Incident,
    box: PoliceBox,
    officers: Iterable[User] = (),
    at: datetime.datetime | None = None,
    distance_m: float | None = None,
    note: str = "",
    unit: PatrolCar | None = None,
) -> Dispatch:
    """Send officers of *box* (or one of its patrol cars with its crew) to the incident.

    The first dispatch moves the incident from received to dispatched; sending more (backup, from
    this box or another of the stations the actor may send from) keeps its status. Officers busy on
    another open incident go only if this incident may take them (``may_preempt``); the history says
    from where. Sent officers count as out of their box until the incident is closed.
    """
    if not can_send_to(actor, incident, box):
        raise PermissionDenied(_("You may not dispatch the units of this box."))
    incident = _locked(incident)
    at = at or timezone.now()
    if incident.status not in {Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE}:
        raise ValidationError({"status": transition_error(incident.status, Status.DISPATCHED)})
    officers = list(dict.fromkeys(officers))
    if unit is not None and not officers:
        officers = list(
            User.objects.filter(pk__in=unit.crew.at(at).values("officer_id")).order_by("username")
        )
    _check_crew(box, officers, unit, at)
    first = incident.dispatched_at is None
    if first:
        _check_times(incident, dispatched_at=at)
    elif at < incident.received_at:
        raise ValidationError(
            {"dispatched_at": _("Units cannot be dispatched before the call was received.")}
        )
    User.objects.select_for_update().filter(pk__in=[o.pk for o in officers]).order_by("pk").first()
    taken = _check_free(incident, officers, at)
    before = snapshot(incident)
    dispatch = Dispatch.objects.create(
        incident=incident, box=box, unit=unit, dispatched_at=at, distance_m=distance_m, dispatched_by=actor
    )
    dispatch.officers.set(officers)
    previous = incident.status
    if first:
        incident.dispatched_at = at
    if incident.status == Status.RECEIVED:
        incident.status = Status.DISPATCHED
    incident.save(update_fields=["dispatched_at", "status"])
    _event(
        incident,
        actor,
        "dispatched",
        at,
        previous,
        incident.status,
        _dispatch_note(box, unit, officers, taken, note),
    )
    record(
        actor, "incident.dispatch", incident, before=before, after=snapshot(incident), note=str(unit or box)
    )
    return dispatch


def _dispatch_note(
    box: PoliceBox, unit: PatrolCar | None, officers: list[User], taken: list[int], note: str
) -> str:
    names = ", ".join(str(o) for o in officers)
    sent = f"{box} {unit}: {names}" if unit is not None else f"{box}: {names}"
    if taken:
        sent += " " + _("(taken from incident %(ids)s)") % {"ids": ", ".join(f"#{i}" for i in taken)}
    return (sent + " " + note).strip()


@transaction.atomic
def mark_arrived(
    actor: User, incident: Incident, at: datetime.datetime | None = None, dispatch: Dispatch | None = None
) -> Incident:
    """Record that units reached the scene; the first arrival sets the incident's response time."""
    incident = _locked(incident)
    _require_police_work(actor, incident)
    at = at or timezone.now()
    if dispatch is None:
        dispatch = incident.dispatches.filter(arrived_at__isnull=True).order_by("dispatched_at").first()
    if dispatch is not None and dispatch.incident_id != incident.pk:
        raise ValidationError({"dispatch": _("This dispatch belongs to another incident.")})
    if dispatch is not None and at < dispatch.dispatched_at:
        raise ValidationError({"arrived_at": _("Arrival cannot be before the units were dispatched.")})
    before = snapshot(incident)
    previous = incident.status
    if incident.arrived_at is None:
        _require_transition(incident, Status.ON_SCENE)
        _check_times(incident, arrived_at=at)
        incident.arrived_at = at
        incident.status = Status.ON_SCENE
        incident.save(update_fields=["arrived_at", "status"])
    elif incident.status != Status.ON_SCENE:
        raise ValidationError({"status": transition_error(incident.status, Status.ON_SCENE)})
    if dispatch is not None and dispatch.arrived_at is None:
        dispatch.arrived_at = at
        dispatch.save(update_fields=["arrived_at"])
    _event(incident, actor, "arrived", at, previous, incident.status, str(dispatch.box) if dispatch else "")
    record(actor, "incident.arrive", incident, before=before, after=snapshot(incident))
    return incident


@transaction.atomic
def clear_incident(
    actor: User, incident: Incident, at: datetime.datetime | None = None, note: str = ""
) -> Incident:
    """Close the incident as dealt with."""
    incident = _locked(incident)
    _require_police_work(actor, incident)
    at = at or timezone.now()
    _require_transition(incident, Status.CLEARED)
    _check_times(incident, cleared_at=at)
    before = snapshot(incident)
    previous = incident.status
    incident.cleared_at = at
    incident.status = Status.CLEARED
    incident.save(update_fields=["cleared_at", "status"])
    _event(incident, actor, "cleared", at, previous, Status.CLEARED, note)
    record(actor, "incident.clear", incident, before=before, after=snapshot(incident), note=note)
    return incident


@transaction.atomic
def cancel_incident(actor: User, incident: Incident, note: str = "") -> Incident:
    """Close the incident as not needing the police (a mistaken or duplicate call); a reason is required."""
    incident = _locked(incident)
    _require_police_work(actor, incident)
    if not note.strip():
        raise ValidationError({"note": _("Say why the incident is cancelled.")})
    _require_transition(incident, Status.CANCELLED)
    before = snapshot(incident)
    previous = incident.status
    incident.status = Status.CANCELLED
    incident.save(update_fields=["status"])
    _event(incident, actor, "cancelled", timezone.now(), previous, Status.CANCELLED, note.strip())
    record(actor, "incident.cancel", incident, before=before, after=snapshot(incident), note=note.strip())
    return incident


@transaction.atomic
def add_note(actor: User, incident: Incident, note: str) -> IncidentEvent:
    """Add a line to the history without changing the status (what was found, who was contacted)."""
    incident = _locked(incident)
    if not incidents_visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You may not see this incident."))
    if not note.strip():
        raise ValidationError({"note": _("The note is empty.")})
    event = _event(incident, actor, "note", timezone.now(), incident.status, incident.status, note.strip())
    record(actor, "incident.note", incident, after={"note": note.strip()})
    return event


# -- Corrections and reopening --------------------------------------------------------------------
# A call taker writes fast: the category, priority, place or wording often needs fixing afterwards.
# Corrections keep the incident's times and status; what changed is written to its history.

CORRECTABLE = ("category", "priority", "lon", "lat", "address", "description", *CALLER_FIELDS)


def _short(value: Any, limit: int = 80) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _place_label(incident: Incident) -> str:
    if incident.location is None:
        return "—"
    where = incident.beat.code if incident.beat else _("outside every beat")
    return f"{incident.location.y:.6f}, {incident.location.x:.6f} ({where})"


def _correction_errors(changes: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        errors["non_field_errors"] = _("These fields cannot be corrected: %(names)s") % {
            "names": ", ".join(unknown)
        }
    category = changes.get("category")
    if category is not None and not category.active:
        errors["category"] = _("This category is no longer in use.")
    if "priority" in changes and changes["priority"] not in (1, 2, 3, 4):
        errors["priority"] = _("Priority must be 1 (urgent) to 4 (low).")
    if len((changes.get("address") or "").strip()) > 300:
        errors["address"] = _("The address is longer than 300 characters.")
    errors.update(clean_caller({k: v for k, v in changes.items() if k in CALLER_FIELDS})[1])
    return errors


def _apply_place(incident: Incident, point: Point) -> bool:
    """Move the incident to *point* and re-place it in its beat, box and station; False if unchanged."""
    if incident.location is not None and incident.location.equals_exact(point, tolerance=1e-9):
        return False
    found = locate(point.x, point.y)
    incident.location = point
    incident.beat = found.beat
    incident.box = found.beat_box
    incident.station = found.beat_box.station if found.beat_box else None
    incident.outside_jurisdiction = found.beat is None
    incident.address_unplaced = False  # a place is set: the flag's work is done
    if found.beat_box is not None:
        incident.agency = found.beat_box.station.agency
    return True


@transaction.atomic
def correct_incident(
    actor: User, incident: Incident, *, reason: str = "", outside_confirmed: bool = False, **changes: Any
) -> list[str]:
    """Correct the category, priority, place (``lon`` and ``lat``), address or description of an incident.

    A new place is placed again in its beat, box and station (or flagged outside jurisdiction; a place
    outside the agency's jurisdiction needs *outside_confirmed*, as at intake). Returns
    the names of the fields that really changed; the history gets one "corrected" line naming each
    change, and the audit trail the incident before and after. Nothing changed: nothing is written.
    """
    incident = _locked(incident)
    if not can_place_own_report(
        actor, created_by_id=incident.created_by_id, has_box=incident.box_id is not None
    ):
        _require_police_work(actor, incident)
    errors = _correction_errors(changes)
    point = None
    if "lon" in changes or "lat" in changes:
        try:
            point = _location_point(changes.get("lon"), changes.get("lat"))
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        if point is None and "lon" not in errors and "lat" not in errors:
            errors["lon"] = _("Give both latitude and longitude to move the incident.")
    address = changes["address"].strip() if "address" in changes else incident.address
    if point is None and incident.location is None and not address:
        errors["address"] = _("Give the place: a point on the map or an address.")
    if errors:
        raise ValidationError(errors)
    if point is not None and locate(point.x, point.y).beat is None:
        check_place(actor, incident.agency, point, field="outside_confirmed", confirmed=outside_confirmed)

    before = snapshot(incident)
    lines: list[str] = []
    changed: list[str] = []
    old_place = _place_label(incident)
    if point is None and incident.location is None and address != incident.address:
        # A corrected address of an unplaced incident is tried against the towns again.
        town = place_address(address)
        if town is not None:
            point = Point(town.lon, town.lat, srid=4326)
            incident.location_source = LocationSource.AREA
            changed.append("location_source")
    if point is not None and _apply_place(incident, point):
        changed += [
            "location",
            "beat",
            "box",
            "station",
            "outside_jurisdiction",
            "agency",
            "address_unplaced",
        ]
        lines.append(_("place: %(old)s → %(new)s") % {"old": old_place, "new": _place_label(incident)})
    caller = clean_caller({k: v for k, v in changes.items() if k in CALLER_FIELDS})[0]
    simple = {
        "category": changes.get("category", incident.category),
        "priority": changes.get("priority", incident.priority),
        "address": address[:300],
        "description": changes["description"].strip() if "description" in changes else incident.description,
        **caller,
    }
    for name, value in simple.items():
        old = getattr(incident, name)
        if old == value:
            continue
        label = Incident._meta.get_field(name).verbose_name  # type: ignore[union-attr]
        if name in Incident.PERSONAL_FIELDS and name != "description":
            # The history is read by everyone who reads the incident: it names the change, not the person.
            lines.append(str(_("%(field)s changed") % {"field": label}))
        else:
            lines.append(f"{label}: {_short(old)} → {_short(value)}")
        setattr(incident, name, value)
        changed.append(name)
    if not changed:
        return []
    incident.save(update_fields=changed)
    note = "; ".join(lines) + (f" ({reason.strip()})" if reason.strip() else "")
    _event(incident, actor, "corrected", timezone.now(), incident.status, incident.status, note)
    record(actor, "incident.correct", incident, before=before, after=snapshot(incident), note=reason.strip())
    return changed


@transaction.atomic
def reopen_incident(actor: User, incident: Incident, reason: str) -> Incident:
    """Reopen a cleared or cancelled incident; a reason is required.

    It goes back to the step its times say it had reached (on scene, dispatched or received) and its
    clearance time is removed, so that it counts as open again in lists and on the dashboard.
    """
    incident = _locked(incident)
    _require_police_work(actor, incident)
    errors: dict[str, str] = {}
    if incident.status not in REOPENABLE:
        errors["status"] = _("Only a cleared or cancelled incident can be reopened.")
    if not reason.strip():
        errors["note"] = _("Say why the incident is reopened.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(incident)
    previous = incident.status
    incident.status = reopened_status(incident.dispatched_at, incident.arrived_at)
    incident.cleared_at = None
    incident.save(update_fields=["status", "cleared_at"])
    _event(incident, actor, "reopened", timezone.now(), previous, incident.status, reason.strip())
    record(actor, "incident.reopen", incident, before=before, after=snapshot(incident), note=reason.strip())
    return incident
