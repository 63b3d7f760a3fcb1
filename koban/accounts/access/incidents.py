"""Who may see incidents and 110 calls, act on them, and whom they may send.

- Box officers and counsellors: the incidents of their own box, those their box was sent to as
  backup, and those they took themselves.
- Station chiefs: the same for every box of their station.
- HQ planners and administrators: every incident of their agency, including those outside every beat.

The caller's name and phone are for those who act on the incident: police who may work on it (its box,
boxes sent to it, their chiefs, HQ) and whoever took the call or report. Everyone else who reads the
incident (a counsellor of the box) sees them masked, as finders are masked in lost & found.

The dashboard, the briefing PDF, the map layers, the API and the pages all read through
``incidents_visible_to``; a record outside it answers 404 like an unknown id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet

from koban.accounts.access.network import (
    _active,
    agencies_overseen_by,
    boxes_workable_by,
    has_police_powers,
    is_hq,
    stations_visible_to,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import Agency, PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.incidents.models import Incident, IncidentQuerySet


def _incidents() -> IncidentQuerySet:
    # Looked up by label: incidents sit above accounts in the dependency order.
    return apps.get_model("incidents", "Incident").objects.all()  # type: ignore[no-any-return]


def incidents_visible_to(user: User) -> IncidentQuerySet:
    """Incidents *user* may read (see the module docstring for the rule)."""
    incidents = _incidents()
    if not _active(user):
        return incidents.none()
    boxes = boxes_workable_by(user)
    dispatch = apps.get_model("incidents", "Dispatch")
    backup = dispatch.objects.filter(box__in=boxes).values("incident_id")
    scope = Q(box__in=boxes) | Q(pk__in=backup) | Q(created_by=user)
    scope |= Q(agency__in=agencies_overseen_by(user))
    return incidents.filter(scope)


def access_incident(user: User, incident_id: Any) -> Incident:
    """The incident if *user* may read it; ``Http404`` otherwise, unknown ids alike (and audited)."""
    return fetch_or_refuse(user, incidents_visible_to(user).with_relations(), incident_id)


def access_dashboard_box(user: User, box_id: Any) -> PoliceBox:
    """The box whose dashboard, briefing PDF and incident points *user* opens: one they work on, since
    those pages show the box's incidents, counter log and tasks; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, boxes_workable_by(user).with_station(), box_id)


def can_dispatch(user: User, box: PoliceBox) -> bool:
    """Whether *user* may send the units of *box* to an incident and record what they did."""
    if not has_police_powers(user):
        return False
    return boxes_workable_by(user).filter(pk=box.pk).exists()


def can_take_reports(user: User) -> bool:
    """Whether *user* may record a new incident (counsellors included; they take counter reports)."""
    if not _active(user):
        return False
    return is_hq(user) or boxes_workable_by(user).exists()


def can_work_on_incident(user: User, incident: Incident) -> bool:
    """Whether *user* may record arrival, clearance or cancellation of *incident*.

    Police of the incident's box or of any box sent to it (backup units act on the incident they
    were sent to), their chiefs, and HQ of the incident's agency.
    """
    if not has_police_powers(user):
        return False
    boxes = boxes_workable_by(user)
    if incident.box_id and boxes.filter(pk=incident.box_id).exists():
        return True
    if incident.dispatches.filter(box__in=boxes).exists():
        return True
    return agencies_overseen_by(user).filter(pk=incident.agency_id).exists()


def boxes_sendable_to(user: User, incident: Incident) -> PoliceBoxQuerySet:
    """Boxes whose officers and patrol cars *user* may send to *incident* (first units or backup).

    Whoever may act on the incident (``can_work_on_incident``) may send from any box of the stations
    they work in: a box officer calls backup from the other boxes of the station, a chief from the
    station's boxes; HQ may send from every box of the incident's agency. Never across agencies.
    """
    if not can_work_on_incident(user, incident):
        return PoliceBox.objects.none()
    if is_hq(user):
        boxes = boxes_workable_by(user)
    else:
        boxes = PoliceBox.objects.filter(station_id__in=boxes_workable_by(user).values("station_id"))
    return boxes.filter(station__agency_id=incident.agency_id)


def can_send_to(user: User, incident: Incident, box: PoliceBox) -> bool:
    """Whether *user* may send officers or a patrol car of *box* to *incident*."""
    return boxes_sendable_to(user, incident).filter(pk=box.pk).exists()


def officers_sendable_to(user: User, incident: Incident) -> QuerySet[User]:
    """Officers *user* may name when sending units to *incident*: those posted at ``boxes_sendable_to``."""
    return User.objects.filter(
        is_active=True, role=Role.BOX_OFFICER, box__in=boxes_sendable_to(user, incident)
    )


def access_patrol_car_to_send(user: User, incident: Incident, car_id: Any) -> Any:
    """The patrol car *car_id* if *user* may send it to *incident*; ``Http404`` otherwise (audited)."""
    # Looked up by label: rosters sit above accounts in the dependency order.
    cars = apps.get_model("rosters", "PatrolCar").objects.filter(box__in=boxes_sendable_to(user, incident))
    return fetch_or_refuse(user, cars.select_related("box"), car_id)


def can_see_caller_details(user: User, incident: Incident) -> bool:
    """Whether *user* may read the caller's name and phone of *incident* unmasked (see the module)."""
    if not _active(user):
        return False
    if incident.created_by_id is not None and incident.created_by_id == user.pk:
        return True
    return can_work_on_incident(user, incident)


def can_see_dispatch_officers(user: User, box: PoliceBox) -> bool:
    """Whether *user* may see who is on duty at *box* when choosing units (those they may send)."""
    return can_dispatch(user, box)


def dispatchable_officers(box: PoliceBox) -> QuerySet[User]:
    """Officers who may be sent with the units of *box*: active police officers posted there."""
    return User.objects.filter(is_active=True, box=box, role=Role.BOX_OFFICER)


def intake_agencies_for(user: User) -> QuerySet[Agency]:
    """Agencies for which *user* may record an incident outside every beat.

    HQ: the agencies they oversee; box staff and chiefs: the agency of their own station.
    """
    if is_hq(user):
        return agencies_overseen_by(user)
    return Agency.objects.filter(pk__in=stations_visible_to(user).values("agency_id"))
