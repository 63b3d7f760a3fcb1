"""Access control chokepoints: every permission question about boxes and beats is answered here.

Views, API endpoints and services never test roles themselves; they call these functions. One
condition per line, so that each rule can be read and tested on its own.

The rules of the police network:
- HQ planners and administrators see and edit every box of their agency (all agencies if unset).
- A station chief sees and edits the boxes of their station.
- Box officers and counsellors see their station's boxes and work on their own box only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet, PoliceStation

HQ_ROLES = {Role.HQ_PLANNER, Role.ADMINISTRATOR}
BOX_ROLES = {Role.BOX_OFFICER, Role.BOX_COUNSELLOR}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_hq(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in HQ_ROLES)


def stations_visible_to(user: User) -> QuerySet[PoliceStation]:
    """Stations whose boxes, beats and figures *user* may see."""
    stations = PoliceStation.objects.all()
    if not _active(user):
        return stations.none()
    if user.is_superuser:
        return stations
    if user.role in HQ_ROLES:
        return stations.filter(agency=user.agency) if user.agency_id else stations
    if user.station_id:
        return stations.filter(pk=user.station_id)
    return stations.none()


def boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes *user* may see: everything under the stations they may see."""
    return PoliceBox.objects.filter(station__in=stations_visible_to(user))


def boxes_workable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose records *user* may create and change."""
    if not _active(user):
        return PoliceBox.objects.none()
    if user.is_superuser or user.role in HQ_ROLES:
        return boxes_visible_to(user)
    if user.role == Role.STATION_CHIEF:
        return PoliceBox.objects.filter(station_id=user.station_id)
    if user.role in BOX_ROLES and user.box_id:
        return PoliceBox.objects.filter(pk=user.box_id)
    return PoliceBox.objects.none()


def can_manage_network(user: User) -> bool:
    """Whether *user* may import, derive and activate beats and edit the box network."""
    return is_hq(user)


def access_box(user: User, box_id: int) -> PoliceBox:
    """Return the box if *user* may see it; raise PermissionDenied otherwise (also for unknown ids)."""
    box = boxes_visible_to(user).with_station().filter(pk=box_id).first()
    if box is None:
        raise PermissionDenied("No access to this box")
    return box


def access_box_for_work(user: User, box_id: int) -> PoliceBox:
    """Return the box if *user* may record work on it; raise PermissionDenied otherwise."""
    box = boxes_workable_by(user).with_station().filter(pk=box_id).first()
    if box is None:
        raise PermissionDenied("No permission to work on this box")
    return box


def require_network_manager(user: User) -> None:
    if not can_manage_network(user):
        raise PermissionDenied("Only HQ planners may change the box network")
