"""Who may see and change rosters and duty records, and who may be put on them.

Rosters are set by the station chief (for the station's boxes) and HQ. Box officers read their
station's rosters (to know who covers the neighbouring boxes) and sign themselves on and off at their
own box; counsellors read their own box's roster only and take no part in police staffing. The notes
on leave and duty records are personal: only the officer concerned and those who manage the roster
read them; everyone else gets them blank.

Presence (who is actually in the box): an officer signs on, goes out and comes back for themself at
their own box, roster managers for anyone of their boxes. Leave is requested by the officer and
decided by the roster managers of the box; a request is read by its officer and those managers only.
Counter cover (a spouse or counsellor taking walk-ins) is entered by the box's officers or managers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet

from koban.accounts.access.network import (
    POLICE_ROLES,
    _active,
    boxes_visible_to,
    boxes_workable_by,
    has_police_powers,
    is_hq,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.rosters.models import (
        DutyRecord,
        DutyRecordQuerySet,
        LeaveRequest,
        LeaveRequestQuerySet,
        Outing,
        OutingQuerySet,
        RosterEntry,
        RosterEntryQuerySet,
    )


def boxes_rosterable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose shift plans, rosters, swaps and leave *user* may change."""
    if not _active(user):
        return PoliceBox.objects.none()
    if is_hq(user):
        return boxes_visible_to(user)
    if user.role == Role.STATION_CHIEF and user.station_id:
        return PoliceBox.objects.filter(station_id=user.station_id)
    return PoliceBox.objects.none()


def roster_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose plans, rosters and duty records *user* may read: police the station's, others their box's."""
    if has_police_powers(user):
        return boxes_visible_to(user)
    return boxes_workable_by(user)


def _of_roster_boxes(app_model: str, user: User) -> QuerySet[Any]:
    model = apps.get_model("rosters", app_model)
    return model.objects.filter(box__in=roster_boxes_visible_to(user))  # type: ignore[no-any-return]


def plans_visible_to(user: User) -> QuerySet[Any]:
    """Shift plans (box on a pattern, with its members) *user* may read."""
    return _of_roster_boxes("BoxShiftPlan", user)


def roster_entries_visible_to(user: User) -> RosterEntryQuerySet:
    """Roster entries (duties, day shifts, leave) *user* may read."""
    return _of_roster_boxes("RosterEntry", user)  # type: ignore[return-value]


def duty_records_visible_to(user: User) -> DutyRecordQuerySet:
    """Sign-on and sign-off records *user* may read."""
    return _of_roster_boxes("DutyRecord", user)  # type: ignore[return-value]


def access_roster_entry(user: User, entry_id: Any) -> RosterEntry:
    """The roster entry if *user* may read it; ``Http404`` otherwise (audited)."""
    scope = roster_entries_visible_to(user).select_related("box", "officer")
    return fetch_or_refuse(user, scope, entry_id)


def access_duty_record(user: User, duty_id: Any) -> DutyRecord:
    """The duty record if *user* may read it; ``Http404`` otherwise (audited)."""
    scope = duty_records_visible_to(user).select_related("box", "officer")
    return fetch_or_refuse(user, scope, duty_id)


def can_manage_roster(user: User, box: PoliceBox) -> bool:
    """Whether *user* may generate the roster of *box* and record swaps and leave there."""
    return boxes_rosterable_by(user).filter(pk=box.pk).exists()


def can_see_roster_note(user: User, record: Any) -> bool:
    """Whether *user* may read the note of a roster entry or duty record (why someone is on leave)."""
    if record.officer_id == getattr(user, "pk", None):
        return True
    return can_manage_roster(user, record.box)


def can_record_duty(user: User, box: PoliceBox, officer: User) -> bool:
    """Whether *user* may record *officer* signing on or off at *box*.

    Roster managers may record it for anyone; a box officer only for themself at their own box.
    """
    if can_manage_roster(user, box):
        return True
    if not _active(user) or user.role != Role.BOX_OFFICER:
        return False
    return user.pk == officer.pk and user.box_id == box.pk


def is_police_officer(user: User) -> bool:
    """Counsellors and civilians (volunteers, partner staff) never count as police staffing."""
    return bool(user.is_active) and user.role in POLICE_ROLES


def rosterable_officers(box: PoliceBox, own_box_only: bool = False) -> QuerySet[User]:
    """Officers who may staff *box*: active box officers of its station (or of the box itself).

    Plans and leave take the box's own officers; a swap may hand a shift to an officer of another
    box of the same station. Nobody from another station or agency is ever rostered.
    """
    officers = User.objects.filter(is_active=True, station_id=box.station_id, role=Role.BOX_OFFICER)
    return officers.filter(box=box) if own_box_only else officers


def can_be_rostered(officer: User, box: PoliceBox, own_box_only: bool = False) -> bool:
    """Whether *officer*'s posting allows putting them on the roster (or duty record) of *box*."""
    return rosterable_officers(box, own_box_only).filter(pk=officer.pk).exists()


def access_roster_box(user: User, box_id: Any) -> PoliceBox:
    """The box whose roster *user* opens (see ``roster_boxes_visible_to``); ``Http404`` otherwise."""
    return fetch_or_refuse(user, roster_boxes_visible_to(user).with_station(), box_id)


def patrol_cars_visible_to(user: User) -> QuerySet[Any]:
    """Patrol cars (and who rides in them) *user* may read: those kept at the roster boxes they see."""
    return _of_roster_boxes("PatrolCar", user).select_related("box")


def access_patrol_car(user: User, car_id: Any) -> Any:
    """The patrol car whose crews *user* reads (see ``patrol_cars_visible_to``); ``Http404`` otherwise."""
    return fetch_or_refuse(user, patrol_cars_visible_to(user), car_id)


def officers_visible_to(user: User) -> QuerySet[User]:
    """Active staff posted at the stations *user* sees: whom a roster or duty form may name.

    Ids of anyone else (another station or agency) are refused like unknown ids.
    """
    return User.objects.filter(is_active=True, station__in=roster_boxes_visible_to(user).values("station_id"))


def can_record_outing(user: User, box: PoliceBox, officer: User) -> bool:
    """Whether *user* may record *officer* leaving *box* and coming back (same rule as sign-on)."""
    return can_record_duty(user, box, officer)


def outings_visible_to(user: User) -> OutingQuerySet:
    """Outings (officers out of the box) *user* may read: like duty records."""
    return _of_roster_boxes("Outing", user)  # type: ignore[return-value]


def access_outing(user: User, outing_id: Any) -> Outing:
    """The outing if *user* may read it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, outings_visible_to(user).select_related("box", "officer"), outing_id)


def can_request_leave(user: User, box: PoliceBox) -> bool:
    """Whether *user* may ask for leave at *box*: a police officer posted to it."""
    if not _active(user) or user.role != Role.BOX_OFFICER:
        return False
    return user.box_id == box.pk


def leave_requests_visible_to(user: User) -> LeaveRequestQuerySet:
    """Leave requests *user* may read: their own, and all of the boxes whose roster they manage."""
    model = apps.get_model("rosters", "LeaveRequest")
    if not _active(user):
        return model.objects.none()  # type: ignore[no-any-return]
    return model.objects.filter(  # type: ignore[no-any-return]
        Q(officer=user) | Q(box__in=boxes_rosterable_by(user))
    )


def access_leave_request(user: User, request_id: Any) -> LeaveRequest:
    """The leave request if *user* may read it; ``Http404`` otherwise (audited)."""
    scope = leave_requests_visible_to(user).select_related("box", "officer", "decided_by")
    return fetch_or_refuse(user, scope, request_id)


def can_decide_leave(user: User, leave_request: Any) -> bool:
    """Whether *user* may approve or refuse the request: the roster managers of its box."""
    return can_manage_roster(user, leave_request.box)


def can_withdraw_leave(user: User, leave_request: Any) -> bool:
    """Whether *user* may withdraw the request: the officer who asked for it."""
    return _active(user) and leave_request.officer_id == user.pk


def can_record_cover(user: User, box: PoliceBox) -> bool:
    """Whether *user* may enter counter cover at *box*: its roster managers or its own officers."""
    if can_manage_roster(user, box):
        return True
    return _active(user) and user.role == Role.BOX_OFFICER and user.box_id == box.pk
