"""Who may see and work on crime-prevention partners, volunteer groups and their activity.

- HQ planners and administrators: the partners and groups of the agencies they oversee; they certify
  groups for blue-light patrols.
- Station chiefs: the partners working with their station and the groups registered there; they keep
  the registry of both.
- Box officers and counsellors: the same records of their station (read); officers record joint
  patrols with the groups of their box.
- Volunteers: their own group (members, activity, certification) and nothing of any other group; they
  record their group's patrols.
- Partner staff: their own organization (contacts, agreements, meetings) and the groups linked to it.
- Neither volunteers nor partner staff see any record of a box's daily work (``network.COMMUNITY_ROLES``).

Contacts of partners and members of groups are personal data; observations of suspicious persons are
read by the police (not counsellors) and by the group that wrote them.
The partners and volunteers models are looked up by label: those apps sit above accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.network import (
    BOX_ROLES,
    _active,
    agencies_overseen_by,
    boxes_workable_by,
    has_police_powers,
    is_hq,
    stations_visible_to,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceStation

if TYPE_CHECKING:
    from koban.partners.models import Partner, PartnerQuerySet
    from koban.volunteers.models import (
        ActivityQuerySet,
        VolunteerActivity,
        VolunteerGroup,
        VolunteerGroupQuerySet,
    )


def _model(label: str) -> Any:
    return apps.get_model(label)


def is_volunteer(user: Any) -> bool:
    return _active(user) and user.role == Role.VOLUNTEER


def is_partner_staff(user: Any) -> bool:
    return _active(user) and user.role == Role.PARTNER


def own_group_ids(user: User) -> QuerySet[Any]:
    """Ids of the groups *user* is a current member of (volunteers only)."""
    members = _model("volunteers.VolunteerMember").objects
    if not is_volunteer(user):
        return members.none().values("group_id")  # type: ignore[no-any-return]
    return members.filter(user=user, left_on__isnull=True).values("group_id")  # type: ignore[no-any-return]


def own_partner_ids(user: User) -> QuerySet[Any]:
    """Ids of the organization *user* acts for (partner staff only)."""
    accounts = _model("partners.PartnerAccount").objects
    if not is_partner_staff(user):
        return accounts.none().values("partner_id")  # type: ignore[no-any-return]
    return accounts.filter(user=user).values("partner_id")  # type: ignore[no-any-return]


def partner_of(user: User) -> Partner | None:
    """The organization a partner login acts for (None for everyone else), e.g. to draft an alert."""
    return _model("partners.Partner").objects.filter(pk__in=own_partner_ids(user)).first()  # type: ignore[no-any-return]


def _police_stations(user: User) -> QuerySet[PoliceStation]:
    """Stations whose community records the police *user* sees (HQ: their agencies')."""
    return stations_visible_to(user)


# -- Partners ----------------------------------------------------------------------------------------------


def partners_visible_to(user: User) -> PartnerQuerySet:
    """Partner organizations *user* may read."""
    partners = _model("partners.Partner").objects.all()
    if not _active(user):
        return partners.none()  # type: ignore[no-any-return]
    if is_hq(user):
        return partners.of_agencies(agencies_overseen_by(user))  # type: ignore[no-any-return]
    if is_partner_staff(user):
        return partners.filter(pk__in=own_partner_ids(user))  # type: ignore[no-any-return]
    if is_volunteer(user):
        groups = _model("volunteers.VolunteerGroup").objects.filter(pk__in=own_group_ids(user))
        return partners.filter(pk__in=groups.values("partner_id"))  # type: ignore[no-any-return]
    return partners.working_with_stations(_police_stations(user))  # type: ignore[no-any-return]


def access_partner(user: User, partner_id: Any) -> Partner:
    """The partner if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, partners_visible_to(user), partner_id)


def partners_manageable_by(user: User) -> PartnerQuerySet:
    """Partners whose record, contacts, agreements and meetings *user* may change: HQ of their agency,
    chiefs of a station they work with."""
    partners = _model("partners.Partner").objects.all()
    if is_hq(user):
        return partners.of_agencies(agencies_overseen_by(user))  # type: ignore[no-any-return]
    if _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        return partners.working_with_stations(PoliceStation.objects.filter(pk=user.station_id))  # type: ignore[no-any-return]
    return partners.none()  # type: ignore[no-any-return]


def can_manage_partner(user: User, partner: Partner) -> bool:
    return partners_manageable_by(user).filter(pk=partner.pk).exists()


def can_register_partners(user: User) -> bool:
    """Whether *user* may open a new partner record (HQ and station chiefs)."""
    return is_hq(user) or (_active(user) and user.role == Role.STATION_CHIEF and bool(user.station_id))


def contacts_visible_to(user: User) -> QuerySet[Any]:
    """Contact people (personal data) *user* may read: the police who see the partner and its own staff;
    volunteers read none."""
    contacts = _model("partners.PartnerContact").objects.all()
    if is_volunteer(user):
        return contacts.none()  # type: ignore[no-any-return]
    return contacts.filter(partner__in=partners_visible_to(user))  # type: ignore[no-any-return]


def agreements_visible_to(user: User) -> QuerySet[Any]:
    return _model("partners.Agreement").objects.filter(partner__in=partners_visible_to(user))  # type: ignore[no-any-return]


def partner_meetings_visible_to(user: User) -> QuerySet[Any]:
    """Network meetings *user* may read: those of their stations, or those their organization attended."""
    meetings = _model("partners.NetworkMeeting").objects.all()
    if not _active(user) or is_volunteer(user):
        return meetings.none()  # type: ignore[no-any-return]
    if is_partner_staff(user):
        return meetings.filter(partners__in=own_partner_ids(user)).distinct()  # type: ignore[no-any-return]
    return meetings.filter(station__in=_police_stations(user))  # type: ignore[no-any-return]


# -- Volunteer groups -------------------------------------------------------------------------------------


def groups_visible_to(user: User) -> VolunteerGroupQuerySet:
    """Volunteer groups *user* may read (see the module docstring)."""
    groups = _model("volunteers.VolunteerGroup").objects.all()
    if not _active(user):
        return groups.none()  # type: ignore[no-any-return]
    if is_volunteer(user):
        return groups.filter(pk__in=own_group_ids(user))  # type: ignore[no-any-return]
    if is_partner_staff(user):
        return groups.filter(partner__in=own_partner_ids(user))  # type: ignore[no-any-return]
    if is_hq(user):
        return groups.filter(agency__in=agencies_overseen_by(user))  # type: ignore[no-any-return]
    return groups.filter(station__in=_police_stations(user))  # type: ignore[no-any-return]


def access_group(user: User, group_id: Any) -> VolunteerGroup:
    """The group if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, groups_visible_to(user).select_related("station", "box"), group_id)


def groups_manageable_by(user: User) -> VolunteerGroupQuerySet:
    """Groups whose registry entry and members *user* may change: HQ of the agency, the station chief."""
    groups = _model("volunteers.VolunteerGroup").objects.all()
    if is_hq(user):
        return groups.filter(agency__in=agencies_overseen_by(user))  # type: ignore[no-any-return]
    if _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        return groups.filter(station_id=user.station_id)  # type: ignore[no-any-return]
    return groups.none()  # type: ignore[no-any-return]


def can_manage_group(user: User, group: VolunteerGroup) -> bool:
    return groups_manageable_by(user).filter(pk=group.pk).exists()


def registry_stations_for(user: User) -> QuerySet[PoliceStation]:
    """Stations at which *user* may register a new group or partner (HQ: their agencies'; chiefs: theirs)."""
    if is_hq(user):
        return stations_visible_to(user)
    if _active(user) and user.role == Role.STATION_CHIEF and user.station_id:
        return PoliceStation.objects.filter(pk=user.station_id)
    return PoliceStation.objects.none()


def groups_certifiable_by(user: User) -> VolunteerGroupQuerySet:
    """Groups whose blue-light certificate, patrollers and vehicles *user* may record: the prefectural
    police (HQ of the group's agency) certifies."""
    groups = _model("volunteers.VolunteerGroup").objects.all()
    if not is_hq(user):
        return groups.none()  # type: ignore[no-any-return]
    return groups.filter(agency__in=agencies_overseen_by(user))  # type: ignore[no-any-return]


def can_certify_blue_light(user: User, group: VolunteerGroup) -> bool:
    return groups_certifiable_by(user).filter(pk=group.pk).exists()


def reminder_recipients(group: VolunteerGroup) -> QuerySet[User]:
    """Who is told that a group's blue-light papers expire soon: the active chiefs of its station."""
    return User.objects.filter(is_active=True, role=Role.STATION_CHIEF, station_id=group.station_id)


def group_members_visible_to(user: User) -> QuerySet[Any]:
    """Members (personal data) of the groups *user* may read."""
    return _model("volunteers.VolunteerMember").objects.filter(group__in=groups_visible_to(user))  # type: ignore[no-any-return]


# -- Volunteer activity -----------------------------------------------------------------------------------


def activities_visible_to(user: User) -> ActivityQuerySet:
    """Patrols and watches *user* may read: those of the groups they see, and joint patrols with their box."""
    activity = _model("volunteers.VolunteerActivity").objects.all()
    if not _active(user):
        return activity.none()  # type: ignore[no-any-return]
    scope = Q(group__in=groups_visible_to(user)) | Q(joint_box__in=boxes_workable_by(user))
    return activity.filter(scope)  # type: ignore[no-any-return]


def access_activity(user: User, activity_id: Any) -> VolunteerActivity:
    """The activity if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(
        user, activities_visible_to(user).select_related("group", "joint_box"), activity_id
    )


def volunteer_observations_visible_to(user: User) -> QuerySet[Any]:
    """Observations of visible activity; suspicious persons only for the police and the group itself."""
    observations = _model("volunteers.ActivityObservation").objects.filter(
        activity__in=activities_visible_to(user)
    )
    if has_police_powers(user) or is_volunteer(user):
        return observations  # type: ignore[no-any-return]
    return observations.exclude(kind="suspicious_person")  # type: ignore[no-any-return]


def groups_recordable_by(user: User) -> VolunteerGroupQuerySet:
    """Groups whose patrols *user* may record: their own (volunteers), those they manage, and for box
    officers the groups of their box (joint patrols)."""
    groups = _model("volunteers.VolunteerGroup").objects.all()
    if is_volunteer(user):
        return groups.filter(pk__in=own_group_ids(user))  # type: ignore[no-any-return]
    scope = Q(pk__in=groups_manageable_by(user).values("pk"))
    if has_police_powers(user) and user.role in BOX_ROLES:
        scope |= Q(box__in=boxes_workable_by(user))
    return groups.filter(scope)  # type: ignore[no-any-return]


def can_record_activity(user: User, group: VolunteerGroup) -> bool:
    return groups_recordable_by(user).filter(pk=group.pk).exists()


def access_group_for_activity(user: User, group_id: Any) -> VolunteerGroup:
    """The group whose patrol *user* records: ``Http404`` if they may not read it, 403 if they may not record."""
    group = access_group(user, group_id)
    if not can_record_activity(user, group):
        raise PermissionDenied(_("You may not record patrols of this group."))
    return group


def can_forward_observation(user: User, activity: VolunteerActivity) -> bool:
    """Whether *user* may send an observation of *activity* to the box as a tip: whoever may record it."""
    return can_record_activity(user, activity.group)


def can_read_volunteer_statistics(user: User) -> bool:
    """Whether *user* may open the survey report (aggregates, no personal data): the police."""
    return is_hq(user) or stations_visible_to(user).exists()


def survey_stations_for(user: User) -> QuerySet[PoliceStation]:
    """Stations whose groups the survey report of *user* may count."""
    return stations_visible_to(user)
