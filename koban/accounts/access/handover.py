"""Who reads and writes a box's handover log (引継簿), and who acknowledges its entries.

The log is the box's own shift-to-shift talk: what is pending, who to call back, what to watch. It is
read and written by the police officers posted to the box and by the chief of its station (who may
leave instructions); nobody else (counsellors, other boxes, HQ, administrators) sees it, and their
requests get the same 404 as an unknown id. Entries are acknowledged by the box's officers, each for
themself: the chief reads but does not take over a shift, so does not acknowledge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps

from koban.accounts.access.network import _active
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.rosters.models import HandoverEntry, HandoverEntryQuerySet


def handover_boxes_for(user: User) -> PoliceBoxQuerySet:
    """Boxes whose handover log *user* reads and writes: an officer's own box, a chief's station's boxes."""
    if not _active(user):
        return PoliceBox.objects.none()
    if user.role == Role.BOX_OFFICER and user.box_id:
        return PoliceBox.objects.filter(pk=user.box_id)
    if user.role == Role.STATION_CHIEF and user.station_id:
        return PoliceBox.objects.filter(station_id=user.station_id)
    return PoliceBox.objects.none()


def access_handover_box(user: User, box_id: Any) -> PoliceBox:
    """The box whose handover log *user* opens or writes to; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, handover_boxes_for(user).with_station(), box_id)


def handover_entries_visible_to(user: User) -> HandoverEntryQuerySet:
    """Handover entries *user* may read: those of the boxes of ``handover_boxes_for``."""
    model = apps.get_model("rosters", "HandoverEntry")
    return model.objects.filter(box__in=handover_boxes_for(user))  # type: ignore[no-any-return]


def access_handover_entry(user: User, entry_id: Any) -> HandoverEntry:
    """The handover entry if *user* may read it; ``Http404`` otherwise (audited)."""
    scope = handover_entries_visible_to(user).select_related("box", "written_by")
    return fetch_or_refuse(user, scope, entry_id)


def can_read_handover(user: User, box: PoliceBox) -> bool:
    """Whether *user* sees the handover log of *box* (the dashboard section asks this on every poll).

    The same rule as ``handover_boxes_for``, answered from the posting without a query.
    """
    if not _active(user):
        return False
    if user.role == Role.BOX_OFFICER:
        return bool(user.box_id) and user.box_id == box.pk
    if user.role == Role.STATION_CHIEF:
        return bool(user.station_id) and user.station_id == box.station_id
    return False


def can_write_handover(user: User, box: PoliceBox) -> bool:
    """Whether *user* may add an entry to the handover log of *box*: everyone who reads it."""
    return can_read_handover(user, box)


def can_acknowledge_handover(user: User, entry: Any) -> bool:
    """Whether *user* may acknowledge *entry*: an officer posted to its box, not its writer."""
    if not _active(user) or user.role != Role.BOX_OFFICER:
        return False
    return user.box_id == entry.box_id and entry.written_by_id != user.pk


def acknowledges_handover_at(user: User, box: PoliceBox) -> bool:
    """Whether *user* is one of those who acknowledge the entries of *box* (its posted officers)."""
    return _active(user) and user.role == Role.BOX_OFFICER and user.box_id == box.pk
