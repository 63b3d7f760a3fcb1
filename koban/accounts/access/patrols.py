"""Who may see and record patrols, their stops, observations and patrol cards.

Patrol logs show when and where a box watches, observations name suspicious persons and patrol cards
hold residents' addresses: they are read by the staff of the patrolling box, its station chief and HQ
of its agency, not by the other boxes of the station. Counsellors, who have no police powers, read
their box's patrols but never the observations of suspicious persons, and record no patrols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.network import access_box, boxes_workable_by, has_police_powers
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolQuerySet, PatrolStop

SUSPICIOUS_PERSON = "suspicious_person"


def _patrols(model: str) -> Any:
    # Looked up by label: patrols sit above accounts in the dependency order.
    return apps.get_model("patrols", model)


def patrols_visible_to(user: User) -> PatrolQuerySet:
    """Patrols *user* may read: those of the boxes they work on."""
    return _patrols("Patrol").objects.of_boxes(boxes_workable_by(user))  # type: ignore[no-any-return]


def access_patrol(user: User, patrol_id: Any) -> Patrol:
    """The patrol if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, patrols_visible_to(user).select_related("box", "box__station"), patrol_id)


def boxes_patrollable_by(user: User) -> PoliceBoxQuerySet:
    """Boxes whose patrols *user* may record: officers (not counsellors) of the box, its chief, HQ."""
    if not has_police_powers(user):
        return PoliceBox.objects.none()
    return boxes_workable_by(user)


def can_record_patrol(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record patrols of *box* (and their stops, observations and cards)."""
    return boxes_patrollable_by(user).filter(pk=box.pk).exists()


def access_patrol_for_work(user: User, patrol_id: Any) -> Patrol:
    """The patrol if *user* may add to it: ``Http404`` (audited) if they may not read it,
    ``PermissionDenied`` if they read it without police powers (a counsellor)."""
    patrol = access_patrol(user, patrol_id)
    if not can_record_patrol(user, patrol.box):
        raise PermissionDenied(_("Only police officers may record patrols."))
    return patrol


def access_box_for_patrols(user: User, box_id: Any) -> PoliceBox:
    """The box whose patrol *user* records: ``Http404`` if they may not see it, 403 if they may not patrol."""
    box = access_box(user, box_id)
    if not can_record_patrol(user, box):
        raise PermissionDenied(_("Only police officers may record patrols."))
    return box


def stops_visible_to(user: User) -> QuerySet[PatrolStop]:
    return _patrols("PatrolStop").objects.filter(patrol__in=patrols_visible_to(user))  # type: ignore[no-any-return]


def observations_visible_to(user: User) -> QuerySet[Observation]:
    """Observations *user* may read: suspicious persons only for those with police powers."""
    observations = _patrols("Observation").objects.filter(patrol__in=patrols_visible_to(user))
    if has_police_powers(user):
        return observations  # type: ignore[no-any-return]
    return observations.exclude(kind=SUSPICIOUS_PERSON)  # type: ignore[no-any-return]


def cards_visible_to(user: User) -> QuerySet[PatrolCard]:
    """Patrol cards (residents' addresses) *user* may read."""
    return _patrols("PatrolCard").objects.filter(patrol__in=patrols_visible_to(user))  # type: ignore[no-any-return]


def patrol_officers(boxes: PoliceBoxQuerySet) -> QuerySet[User]:
    """Who may be named as having walked a patrol of *boxes*: officers and chiefs of their stations."""
    return User.objects.filter(
        is_active=True,
        role__in=[Role.BOX_OFFICER, Role.STATION_CHIEF],
        station__in=boxes.values("station"),
    )
