"""Who may read residents' requests and the boxes' action items, and who may act on them.

- Officers and counsellors of a box read and work on its requests and action items; the chief of the
  station those of every box of the station.
- HQ planners and administrators read the requests of their agency for figures and oversight, but never
  the reporters' contact details, and they change nothing: a request is the box's business.
- The reporter's name, e-mail and phone are shown only to the box's own staff and its station chief.
- Moving a request between states, moderating its public text and planning or closing action items are
  acts of the police: counsellors read and record requests, they do not decide on them.
- Requests from the public (the form, Open311) need no account: their access is the public view, which
  never carries contact details and blurs sensitive places (``koban.voice.public``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.network import boxes_workable_by, has_police_powers, is_hq
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.voice.models import Action, ActionQuerySet, Request, RequestQuerySet


def _voice(model: str) -> Any:
    # Looked up by label: voice sits above accounts in the dependency order.
    return apps.get_model("voice", model)


def voice_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose requests and action items *user* may read: own box, the chief's station, HQ's agency."""
    return boxes_workable_by(user)


def voice_boxes_workable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose requests *user* may record and decide on: those they work at, HQ excluded."""
    if is_hq(user):
        return PoliceBox.objects.none()
    return boxes_workable_by(user)


def requests_visible_to(user: User) -> RequestQuerySet:
    """Requests *user* may read (contact details only where ``can_see_reporter``)."""
    return _voice("Request").objects.filter(box__in=voice_boxes_visible_to(user))  # type: ignore[no-any-return]


def access_request(user: User, request_id: Any) -> Request:
    """The request if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, requests_visible_to(user).with_related(), request_id)


def access_request_for_work(user: User, request_id: Any) -> Request:
    """The request if *user* may decide on it: ``Http404`` (audited) if they may not read it,
    ``PermissionDenied`` if they read it but may not change it (HQ, counsellors)."""
    found = access_request(user, request_id)
    if not can_change_request(user, found):
        raise PermissionDenied(_("You may not change the requests of this box."))
    return found


def can_see_reporter(user: User, request: Request) -> bool:
    """Whether *user* may see the reporter's name, e-mail and phone: the box's staff and its chief."""
    return voice_boxes_workable_by(user).filter(pk=request.box_id).exists()


def can_record_request(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record a request for *box* on a resident's behalf (at the counter, on a visit)."""
    return voice_boxes_workable_by(user).filter(pk=box.pk).exists()


def can_change_request(user: User, request: Request) -> bool:
    """Whether *user* may move *request* between states, moderate it and make actions of it."""
    return has_police_powers(user) and can_record_request(user, request.box)


def actions_visible_to(user: User) -> ActionQuerySet:
    """Action items *user* may read: those of the boxes whose requests they read."""
    return _voice("Action").objects.filter(box__in=voice_boxes_visible_to(user))  # type: ignore[no-any-return]


def access_action(user: User, action_id: Any) -> Action:
    """The action item if *user* may read it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, actions_visible_to(user).with_related(), action_id)


def can_work_on_action(user: User, action: Action) -> bool:
    """Whether *user* may change, finish or record the result of *action*: police of its box, its chief."""
    return has_police_powers(user) and voice_boxes_workable_by(user).filter(pk=action.box_id).exists()


def action_owners(box: PoliceBox) -> QuerySet[User]:
    """Who may own an action item of *box*: active officers of the box and the chief of its station."""
    posted = User.objects.filter(is_active=True, box=box, role=Role.BOX_OFFICER)
    chiefs = User.objects.filter(is_active=True, station_id=box.station_id, role=Role.STATION_CHIEF)
    return (posted | chiefs).distinct()
