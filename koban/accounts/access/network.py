"""Who may see and work on which boxes, and who manages the police network of which agency.

Views, API endpoints and services never test roles themselves; they call these functions. One
condition per line, so that each rule can be read and tested on its own.

The rules of the police network:
- HQ planners and administrators see and edit every box of their agency (all agencies if unset).
- A station chief sees and edits the boxes of their station.
- Box officers and counsellors see their station's boxes and work on their own box only.
- Volunteers and partner staff see no station's records and work on no box (their rules are in
  ``community.py``), whatever posting their login carries.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import Agency, PoliceBox, PoliceBoxQuerySet, PoliceStation

HQ_ROLES = {Role.HQ_PLANNER, Role.ADMINISTRATOR}
BOX_ROLES = {Role.BOX_OFFICER, Role.BOX_COUNSELLOR}
# Volunteers and partner staff: no police posting, never the personal data of a box's daily work.
COMMUNITY_ROLES = {Role.VOLUNTEER, Role.PARTNER}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_hq(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in HQ_ROLES)


# Box counsellors (交番相談員) are retired officers without police powers: they take reports at the
# counter but never send units out, patrol, dispose of property or change what the police did.
POLICE_ROLES = {Role.BOX_OFFICER, Role.STATION_CHIEF, Role.HQ_PLANNER, Role.ADMINISTRATOR}


def has_police_powers(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in POLICE_ROLES)


def agencies_overseen_by(user: User) -> QuerySet[Agency]:
    """Agencies whose records outside every box (e.g. incidents outside jurisdiction) *user* may see."""
    if not is_hq(user):
        return Agency.objects.none()
    if user.is_superuser or not user.agency_id:
        return Agency.objects.all()
    return Agency.objects.filter(pk=user.agency_id)


def stations_visible_to(user: User) -> QuerySet[PoliceStation]:
    """Stations whose boxes, beats and figures *user* may see."""
    stations = PoliceStation.objects.all()
    if not _active(user):
        return stations.none()
    if user.is_superuser:
        return stations
    if user.role in HQ_ROLES:
        return stations.filter(agency=user.agency) if user.agency_id else stations
    if user.role in COMMUNITY_ROLES:
        return stations.none()  # a station set on a volunteer's login opens nothing of the station
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


def agencies_managed_by(user: User) -> QuerySet[Agency]:
    """Agencies whose network (stations, boxes, areas' use, beat versions) *user* may change.

    HQ planners and administrators posted to an agency manage that agency only, in the admin and the
    importers as on the pages; an administrator without an agency (and a superuser) manages all.
    """
    return agencies_overseen_by(user)


def can_manage_network(user: User, agency: Agency | None = None) -> bool:
    """Whether *user* may import, derive and activate beats and edit boxes (of *agency*, if given).

    Without *agency* the question is whether *user* manages any network at all (the admin's menu).
    """
    if agency is None:
        return is_hq(user)
    return agencies_managed_by(user).filter(pk=agency.pk).exists()


def can_create_agency(user: User) -> bool:
    """Whether *user* may open a new agency: only those who manage every agency (no agency posting)."""
    return is_hq(user) and (user.is_superuser or not user.agency_id)


def access_box(user: User, box_id: Any) -> PoliceBox:
    """Return the box if *user* may see it; ``Http404`` otherwise, unknown ids alike (and audited)."""
    return fetch_or_refuse(user, boxes_visible_to(user).with_station(), box_id)


def access_station(user: User, station_id: Any) -> PoliceStation:
    """Return the station if *user* may see it; ``Http404`` otherwise, unknown ids alike (and audited)."""
    return fetch_or_refuse(user, stations_visible_to(user).select_related("agency"), station_id)


def access_box_for_work(user: User, box_id: Any) -> PoliceBox:
    """Return the box if *user* may record work on it.

    ``Http404`` (audited) for a box *user* may not see; ``PermissionDenied`` for one they see but do not
    work on (its existence is no secret to them).
    """
    box = access_box(user, box_id)
    if not boxes_workable_by(user).filter(pk=box.pk).exists():
        raise PermissionDenied(_("You may not record work at this box."))
    return box


def require_network_manager(user: User, agency: Agency | None = None) -> None:
    """Raise ``PermissionDenied`` unless *user* manages the network (of *agency*, if given)."""
    if not can_manage_network(user, agency):
        raise PermissionDenied(_("Only HQ planners of this agency may change its box network."))


# Where each network record's agency is found, for scoping the admin's lists and checks.
NETWORK_AGENCY_PATHS = {
    "organization.agency": "pk",
    "organization.policestation": "agency",
    "organization.policebox": "station__agency",
    "geography.beatversion": "agency",
    "geography.beat": "version__agency",
}


def network_records_managed_by(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The rows of *queryset* (a network model) that *user* may view and change in the admin.

    Shared reference data with no agency (administrative areas, roads) is open to every network
    manager; records of an agency only to the managers of that agency.
    """
    if not can_manage_network(user):
        return queryset.none()
    path = NETWORK_AGENCY_PATHS.get(queryset.model._meta.label_lower)
    if path is None:
        return queryset
    return queryset.filter(Q(**{f"{path}__in": agencies_managed_by(user)}))


def can_manage_network_record(user: User, obj: Any) -> bool:
    """Whether *user* may change the network record *obj* (a box, station, agency or beat version)."""
    model = type(obj)
    return network_records_managed_by(user, model._default_manager.filter(pk=obj.pk)).exists()


def home_box_id(user: User) -> int | None:
    """The box whose dashboard box staff start on; None for chiefs and HQ (they start on the map)."""
    if not _active(user) or user.role not in BOX_ROLES:
        return None
    return user.box_id  # type: ignore[no-any-return]


def agencies_importable_by(actor: Any) -> QuerySet[Agency]:
    """Agencies whose network an import by *actor* may change (another agency reads as unknown).

    A system process named by a string (a command run without ``--user``) is the operator's own act.
    """
    if isinstance(actor, str):
        return Agency.objects.all()
    return agencies_managed_by(actor)


# -- Plausibility and the beat activation gate -------------------------------------------------------
# A place outside the agency's jurisdiction is refused unless someone with police powers confirms it
# (an incident just across the border is real); counsellors take reports but do not vouch for places.
# A beat version that fails its check goes live only by a network manager's decision, with a reason
# that the audit trail keeps.


def can_confirm_outside_jurisdiction(user: User) -> bool:
    """Whether *user* may confirm that a place outside the jurisdiction is right."""
    return has_police_powers(user)


def can_override_beat_check(user: User, agency: Agency | None = None) -> bool:
    """Whether *user* may activate a beat version (of *agency*) whose check failed, giving a reason."""
    return can_manage_network(user, agency)


def agencies_network_managed_by(user: User) -> QuerySet[Agency]:
    """Agencies whose stations and boxes *user* may create and edit (the same as ``agencies_managed_by``)."""
    return agencies_managed_by(user)


def can_manage_agency_network(user: User, agency: Agency) -> bool:
    """Whether *user* may open, edit and move the stations and boxes of *agency*."""
    return can_manage_network(user, agency)
