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
from django.db.models import Q, QuerySet
from django.http import Http404

from koban.accounts.models import ApiToken, Role, User
from koban.organization.models import Agency, PoliceBox, PoliceBoxQuerySet, PoliceStation
from koban.runs.models import JobRun, JobRunQuerySet

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


# -- Incidents and dispatch -----------------------------------------------------------------------
# Box counsellors (交番相談員) are retired officers without police powers: they take reports at the
# counter but never send units out or change what the police did about an incident.
POLICE_ROLES = {Role.BOX_OFFICER, Role.STATION_CHIEF, Role.HQ_PLANNER, Role.ADMINISTRATOR}


def has_police_powers(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in POLICE_ROLES)


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


def agencies_overseen_by(user: User) -> QuerySet[Agency]:
    """Agencies whose records outside every box (e.g. incidents outside jurisdiction) *user* may see."""
    if not is_hq(user):
        return Agency.objects.none()
    if user.is_superuser or not user.agency_id:
        return Agency.objects.all()
    return Agency.objects.filter(pk=user.agency_id)


# -- Rosters and the counter log ------------------------------------------------------------------
# Rosters are set by the station chief (for the station's boxes) and HQ; box officers see their
# station's rosters and sign themselves on and off at their own box. Counsellors keep the counter
# log of their box but take no part in police staffing (no rostering, no sign-on).


def boxes_rosterable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose shift plans, rosters, swaps and leave *user* may change."""
    if not _active(user):
        return PoliceBox.objects.none()
    if user.is_superuser or user.role in HQ_ROLES:
        return boxes_visible_to(user)
    if user.role == Role.STATION_CHIEF and user.station_id:
        return PoliceBox.objects.filter(station_id=user.station_id)
    return PoliceBox.objects.none()


def can_manage_roster(user: User, box: PoliceBox) -> bool:
    """Whether *user* may generate the roster of *box* and record swaps and leave there."""
    return boxes_rosterable_by(user).filter(pk=box.pk).exists()


def can_record_duty(user: User, box: PoliceBox, officer: User) -> bool:
    """Whether *user* may record *officer* signing on or off at *box*.

    Roster managers may record it for anyone; a box officer only for themself at their own box.
    """
    if can_manage_roster(user, box):
        return True
    if not _active(user) or user.role != Role.BOX_OFFICER:
        return False
    return user.pk == officer.pk and user.box_id == box.pk


def can_record_counter(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record and edit counter matters of *box*.

    Officers and counsellors of the box, the chief of its station and HQ: the boxes *user* works on.
    """
    return boxes_workable_by(user).filter(pk=box.pk).exists()


# -- Lost property and patrols --------------------------------------------------------------------
# Finders' and owners' names and contacts are personal data: the box that holds the item, its
# station chief and HQ see them; everyone else who may see the item sees them masked.


def can_see_finder_details(user: User, box: PoliceBox) -> bool:
    """Whether *user* may see the names and contacts of finders and owners recorded at *box*."""
    return boxes_workable_by(user).filter(pk=box.pk).exists()


def boxes_patrollable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose patrols *user* may record: officers (not counsellors) of the box, its chief, HQ."""
    if not has_police_powers(user):
        return PoliceBox.objects.none()
    return boxes_workable_by(user)


def can_record_patrol(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record patrols of *box* (and their stops, observations and cards)."""
    return boxes_patrollable_by(user).filter(pk=box.pk).exists()


# -- Plausibility and the beat activation gate (added with the jurisdiction checks) ---------------
# A place outside the agency's jurisdiction is refused unless someone with police powers confirms it
# (an incident just across the border is real); counsellors take reports but do not vouch for
# places. A beat version that fails its check goes live only by a network manager's decision, with a
# reason that the audit trail keeps.


def can_confirm_outside_jurisdiction(user: User) -> bool:
    """Whether *user* may confirm that a place outside the jurisdiction is right."""
    return has_police_powers(user)


def can_override_beat_check(user: User) -> bool:
    """Whether *user* may activate a beat version whose check failed, giving a reason."""
    return can_manage_network(user)


# -- Background runs -------------------------------------------------------------------------------
# Imports, derivations and checks run as jobs started by HQ; HQ of an agency sees the runs of its
# agency and the ones it started itself, administrators without an agency see all of them.


def runs_visible_to(user: User) -> JobRunQuerySet:
    """Background runs *user* may follow, cancel and commit."""
    if not is_hq(user):
        return JobRun.objects.none()
    if user.is_superuser or not user.agency_id:
        return JobRun.objects.all()
    codes = list(agencies_overseen_by(user).values_list("code", flat=True))
    return JobRun.objects.filter(Q(agency_code__in=codes) | Q(started_by=user))


def access_run(user: User, run_id: int) -> JobRun:
    """The run *run_id* if *user* may see it; 404 otherwise (unknown and forbidden look alike)."""
    run = runs_visible_to(user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


# == Audit trail and user administration (section kept by the audit work; keep it at the end) ====
# The trail is reviewed where the work is supervised: a station chief sees the station's events,
# HQ planners their agency's, administrators everything. Users are administered by administrators
# (superusers everywhere, an agency's administrator within that agency).


def audit_events_visible_to(user: User) -> QuerySet[Any]:
    """Audit events *user* may review; empty for box staff."""
    from koban.audit.models import AuditEvent

    events = AuditEvent.objects.all()
    if not _active(user):
        return events.none()
    if user.is_superuser:
        return events
    if user.role in HQ_ROLES:
        return events.filter(agency_id=user.agency_id) if user.agency_id else events
    if user.role == Role.STATION_CHIEF and user.station_id:
        return events.filter(station_id=user.station_id)
    return events.none()


def can_review_audit(user: User) -> bool:
    """Whether *user* may open the audit trail page at all."""
    if not _active(user):
        return False
    if user.is_superuser or user.role in HQ_ROLES:
        return True
    return user.role == Role.STATION_CHIEF and bool(user.station_id)


def can_administer_users(user: User) -> bool:
    """Whether *user* may change logins, roles and postings (in the admin)."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def users_administered_by(user: User) -> QuerySet[User]:
    """Users whose role and posting *user* may change: everyone for superusers, else the agency's."""
    from django.db.models import Q

    users = User.objects.all()
    if not can_administer_users(user):
        return users.none()
    if user.is_superuser or not user.agency_id:
        return users
    agency = user.agency_id
    return users.filter(
        Q(agency_id=agency) | Q(station__agency_id=agency) | Q(box__station__agency_id=agency)
    )


def can_grant_superuser(user: User) -> bool:
    """Only a superuser makes another superuser."""
    return _active(user) and user.is_superuser


# -- Workflows through the API (corrections, custody, network edits) -----------------------------
# Added together with the API workflows; kept at the end of the module so that parallel changes to
# the sections above merge cleanly.


def can_place_own_report(user: User, *, created_by_id: int | None, has_box: bool) -> bool:
    """Whether *user* may correct an incident no box is responsible for yet because they took it.

    An address-only call reaches no box, so nobody but HQ could correct it; the officer who took it
    may place it on the map (and correct what they wrote) until a box is responsible.
    """
    return has_police_powers(user) and not has_box and created_by_id is not None and user.pk == created_by_id


def can_handle_property(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record what happens to the found items and loss reports of *box*
    (tasks done, reports closed, items moved to the station's custody): the box's staff, its chief, HQ."""
    return boxes_workable_by(user).filter(pk=box.pk).exists()


def can_dispose_property(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record that a found item of *box* was sold or destroyed.

    Disposal ends the owner's and the finder's rights for good, so it needs police powers: officers of
    the box, its chief and HQ, not counsellors.
    """
    return has_police_powers(user) and can_handle_property(user, box)


def agencies_network_managed_by(user: User) -> QuerySet[Agency]:
    """Agencies whose stations and boxes *user* may create and edit: HQ of the agency (every agency for
    superusers and for HQ accounts not tied to one)."""
    if not can_manage_network(user):
        return Agency.objects.none()
    if user.is_superuser or not user.agency_id:
        return Agency.objects.all()
    return Agency.objects.filter(pk=user.agency_id)


def can_manage_agency_network(user: User, agency: Agency) -> bool:
    """Whether *user* may open, edit and move the stations and boxes of *agency*."""
    return agencies_network_managed_by(user).filter(pk=agency.pk).exists()


# =====================================================================================================
# -- Sign-in: API tokens and password resets (issue #6, part 4) --------------------------------------
# Kept together at the end of the file so that work on the rules above does not collide with it.

SAFE_HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_permits(scope: str, method: str) -> bool:
    """Whether an API token of *scope* may make a request with HTTP *method*: read-only tokens only read."""
    if method.upper() in SAFE_HTTP_METHODS:
        return True
    return scope == ApiToken.Scope.WRITE


def can_lift_lockouts(user: User) -> bool:
    """Whether *user* may end a sign-in lockout before its delay has passed: administrators."""
    return can_administer_users(user)


def passwords_resettable_by(user: User) -> QuerySet[User]:
    """People whose password *user* may reset: a station chief, the box officers and counsellors of the
    station; an administrator, the users they administer. Only a superuser resets a superuser's."""
    from django.db.models import Q

    if can_administer_users(user):
        people = users_administered_by(user)
    elif _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        people = User.objects.filter(role__in=BOX_ROLES).filter(
            Q(station_id=user.station_id) | Q(box__station_id=user.station_id)
        )
    else:
        return User.objects.none()
    people = people.exclude(pk=user.pk)  # one's own password is changed, not reset
    return people if user.is_superuser else people.exclude(is_superuser=True)


def may_use_two_factor(user: User) -> bool:
    """Whether *user* may protect their sign-in with a TOTP code: HQ planners and administrators."""
    return is_hq(user)


def two_factor_required(user: User) -> bool:
    """Whether *user* must sign in with a TOTP code: HQ and administrators, where the deployment says so."""
    from django.conf import settings

    return bool(settings.KOBAN_TOTP_REQUIRED) and may_use_two_factor(user)
