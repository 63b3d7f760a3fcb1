"""Who may see and keep the records of liaison councils, and what the public may see of a box.

Members' names and contacts are personal data: a council, its members, meetings and minutes are read by
the staff of its box (officers and counsellors), the chief of its station and HQ of its agency. Meetings,
minutes and opinions are recorded by the police of the box, its chief and HQ (not counsellors). Members
are appointed and renewed by the station chief and HQ only (the chief appoints them, see the domain
notes). The station summary of opinions by category holds no personal data: whoever sees the station.

The public box page shows only what ``public_boxes`` and ``public_officers`` return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.network import (
    BOX_ROLES,
    access_box,
    boxes_workable_by,
    has_police_powers,
    stations_visible_to,
)
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet, PoliceStation

if TYPE_CHECKING:
    from koban.councils.models import (
        Council,
        CouncilMember,
        CouncilQuerySet,
        Meeting,
        MeetingQuerySet,
        MemberQuerySet,
        OpinionQuerySet,
    )


def _councils(model: str) -> Any:
    # Looked up by label: councils sit above accounts in the dependency order.
    return apps.get_model("councils", model)


def council_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose council *user* may read: the boxes they work on."""
    return boxes_workable_by(user)


def councils_visible_to(user: User) -> CouncilQuerySet:
    """Councils *user* may read, members and minutes included."""
    return _councils("Council").objects.of_boxes(council_boxes_visible_to(user))  # type: ignore[no-any-return]


def access_council(user: User, council_id: Any) -> Council:
    """The council if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, councils_visible_to(user).with_box(), council_id)


def members_visible_to(user: User) -> MemberQuerySet:
    """Council members (names and contacts) *user* may read."""
    return _councils("CouncilMember").objects.filter(council__in=councils_visible_to(user))  # type: ignore[no-any-return]


def access_member(user: User, member_id: Any) -> CouncilMember:
    """The member if *user* may read them; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, members_visible_to(user).with_council(), member_id)


def meetings_visible_to(user: User) -> MeetingQuerySet:
    """Council meetings (agenda, attendance, minutes) *user* may read."""
    return _councils("Meeting").objects.filter(council__in=councils_visible_to(user))  # type: ignore[no-any-return]


def access_meeting(user: User, meeting_id: Any) -> Meeting:
    """The meeting if *user* may read it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, meetings_visible_to(user).with_council(), meeting_id)


def opinions_visible_to(user: User) -> OpinionQuerySet:
    """Opinions raised at the meetings *user* may read."""
    return _councils("Opinion").objects.filter(meeting__in=meetings_visible_to(user))  # type: ignore[no-any-return]


def can_record_meetings(user: User, council: Council) -> bool:
    """Whether *user* may plan and record meetings of *council* and its opinions: police of its box,
    its chief, HQ (counsellors read the council but do not act for the police towards it)."""
    return has_police_powers(user) and council_boxes_visible_to(user).filter(pk=council.box_id).exists()


def can_appoint_members(user: User, council: Council) -> bool:
    """Whether *user* may appoint, renew and end council members: the station chief and HQ."""
    return user.role not in BOX_ROLES and can_record_meetings(user, council)


def can_open_council(user: User, box: PoliceBox) -> bool:
    """Whether *user* may open the council of *box*: its station chief and HQ."""
    return (
        has_police_powers(user)
        and user.role not in BOX_ROLES
        and council_boxes_visible_to(user).filter(pk=box.pk).exists()
    )


def access_box_for_council(user: User, box_id: Any) -> PoliceBox:
    """The box whose council *user* opens: ``Http404`` if they may not see it, 403 if they may not open one."""
    box = access_box(user, box_id)
    if not can_open_council(user, box):
        raise PermissionDenied(_("Only the station chief and HQ open a liaison council."))
    return box


def access_meeting_for_work(user: User, meeting_id: Any) -> Meeting:
    """The meeting if *user* may record it: ``Http404`` (audited) if they may not read it, 403 if they
    read it without police powers."""
    meeting = access_meeting(user, meeting_id)
    if not can_record_meetings(user, meeting.council):
        raise PermissionDenied(_("Only the police of the box record council meetings."))
    return meeting


def access_council_for_meetings(user: User, council_id: Any) -> Council:
    """The council whose meeting *user* records (404 if unreadable, 403 without police powers)."""
    council = access_council(user, council_id)
    if not can_record_meetings(user, council):
        raise PermissionDenied(_("Only the police of the box record council meetings."))
    return council


def access_member_for_work(user: User, member_id: Any) -> CouncilMember:
    """The member whose term *user* renews or ends (404 if unreadable, 403 unless chief or HQ)."""
    member = access_member(user, member_id)
    if not can_appoint_members(user, member.council):
        raise PermissionDenied(_("Only the station chief and HQ appoint council members."))
    return member


def access_council_for_members(user: User, council_id: Any) -> Council:
    """The council to which *user* appoints a member (404 if unreadable, 403 unless chief or HQ)."""
    council = access_council(user, council_id)
    if not can_appoint_members(user, council):
        raise PermissionDenied(_("Only the station chief and HQ appoint council members."))
    return council


def summary_stations_visible_to(user: User) -> QuerySet[PoliceStation]:
    """Stations whose summary of council opinions by category *user* may read (no personal data)."""
    return stations_visible_to(user)


def access_summary_station(user: User, station_id: Any) -> PoliceStation:
    """The station whose opinion summary *user* opens; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, summary_stations_visible_to(user), station_id)


# -- The public (no login) ----------------------------------------------------------------------------


def public_boxes() -> PoliceBoxQuerySet:
    """Boxes that have a public page: those that exist for the public (not closed or merged away)."""
    return PoliceBox.objects.operating().with_station()


def access_public_box(user: Any, box_id: Any) -> PoliceBox:
    """A box of the public pages; ``Http404`` for unknown and closed boxes (audited like any refusal)."""
    return fetch_or_refuse(user, public_boxes(), box_id)


def public_officers(box: PoliceBox) -> QuerySet[User]:
    """The officers on the beat of *box* whom the public page may list (police officers only)."""
    return User.objects.filter(box=box, is_active=True, role=Role.BOX_OFFICER).order_by("display_name", "pk")


def public_officer_names_shown() -> bool:
    """Whether the public page names the officers (``KOBAN_PUBLIC_OFFICER_NAMES``) or only counts them."""
    return bool(settings.KOBAN_PUBLIC_OFFICER_NAMES)
