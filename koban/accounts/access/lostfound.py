"""Who may see lost property and loss reports, and who may receive, hand over and dispose of it.

Found items and loss reports are read station-wide, because an owner asking at one box must be
matched with what was handed in at the others; finders' and owners' names and contacts are masked
for everyone but the holding box, its station chief and HQ. Receipts, handovers, tasks and disposal
belong to the holding box; disposal (and its legal consequences) needs police powers, so counsellors
hand items back but never dispose of them.

Matching reaches further than reading: owners lose things anywhere in the prefecture, so a loss report
taken at any box is matched against the found items of the whole agency (``items_matchable_by``). A
match from another station shows only what the public notice shows (category, description, date,
receiving box and its receipt number), never the finder, and opens no record of that station.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from koban.accounts.access.network import boxes_visible_to, boxes_workable_by, has_police_powers
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.lostfound.models import FoundItem, FoundItemQuerySet, ItemTask, LossReport, LossReportQuerySet


def _lostfound(model: str) -> Any:
    # Looked up by label: lostfound sits above accounts in the dependency order.
    return apps.get_model("lostfound", model)


def items_visible_to(user: User) -> FoundItemQuerySet:
    """Found items *user* may read (names masked unless ``can_see_finder_details``)."""
    return _lostfound("FoundItem").objects.filter(box__in=boxes_visible_to(user))  # type: ignore[no-any-return]


def items_matchable_by(user: User) -> FoundItemQuerySet:
    """Found items a loss report taken by *user* is matched against: every box of the user's agency.

    Box staff and chiefs match across their agency; HQ across the agencies it sees; anyone else not at all.
    """
    model = _lostfound("FoundItem")
    if not boxes_workable_by(user).exists():
        return model.objects.none()  # type: ignore[no-any-return]
    if user.is_superuser or not user.agency_id:
        return model.objects.filter(box__in=boxes_visible_to(user))  # type: ignore[no-any-return]
    return model.objects.filter(box__station__agency_id=user.agency_id)  # type: ignore[no-any-return]


def reports_matchable_by(user: User) -> LossReportQuerySet:
    """Loss reports a found item received by *user* is matched against: the same reach as items."""
    model = _lostfound("LossReport")
    if not boxes_workable_by(user).exists():
        return model.objects.none()  # type: ignore[no-any-return]
    if user.is_superuser or not user.agency_id:
        return model.objects.filter(box__in=boxes_visible_to(user))  # type: ignore[no-any-return]
    return model.objects.filter(box__station__agency_id=user.agency_id)  # type: ignore[no-any-return]


def items_workable_by(user: User) -> FoundItemQuerySet:
    """Found items whose receipt, handover and tasks *user* may deal with: those of their boxes."""
    return _lostfound("FoundItem").objects.filter(box__in=boxes_workable_by(user))  # type: ignore[no-any-return]


def access_item(user: User, item_id: Any) -> FoundItem:
    """The found item if *user* may read it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, items_visible_to(user).with_related(), item_id)


def access_item_for_work(user: User, item_id: Any) -> FoundItem:
    """The found item if *user* works at its box: ``Http404`` (audited) if they may not read it,
    ``PermissionDenied`` if they read it (station-wide, masked) but work at another box."""
    item = access_item(user, item_id)
    if not can_handle_property(user, item.box):
        raise PermissionDenied(_("You may not hand over items of this box."))
    return item


def can_hand_over(user: User, item: FoundItem) -> bool:
    """Whether *user* may record the handover of *item* to its owner or finder."""
    return can_handle_property(user, item.box)


def can_dispose(user: User, item: FoundItem) -> bool:
    """Whether *user* may record the disposal of *item* (police of its box, its chief, HQ)."""
    return can_dispose_property(user, item.box)


def reports_visible_to(user: User) -> LossReportQuerySet:
    """Loss reports *user* may read (owners masked unless ``can_see_finder_details``)."""
    return _lostfound("LossReport").objects.filter(box__in=boxes_visible_to(user))  # type: ignore[no-any-return]


def access_report(user: User, report_id: Any) -> LossReport:
    """The loss report if *user* may read it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, reports_visible_to(user).select_related("box", "category"), report_id)


def tasks_workable_by(user: User) -> QuerySet[ItemTask]:
    """Clock tasks (notices, forwarding, disposal) of the items of the boxes *user* works on."""
    return _lostfound("ItemTask").objects.filter(item__box__in=boxes_workable_by(user))  # type: ignore[no-any-return]


def access_task(user: User, task_id: Any) -> ItemTask:
    """The task if *user* works at its item's box; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, tasks_workable_by(user).select_related("item"), task_id)


def boxes_with_names_shown_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose finders' and owners' names and contacts *user* may see, search by and export."""
    return boxes_workable_by(user)


def can_see_finder_details(user: User, box: PoliceBox) -> bool:
    """Whether *user* may see the names and contacts of finders and owners recorded at *box*."""
    return boxes_with_names_shown_to(user).filter(pk=box.pk).exists()


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


def items_on_public_notice() -> FoundItemQuerySet:
    """Found items anyone may see on the public notice (公告), without signing in.

    The Lost Property Act has the police publish found items while the owner may still claim them
    (received or in notice). The page shows public-safe facts only (see ``lostfound.notices``).
    """
    model = _lostfound("FoundItem")
    return model.objects.filter(state__in=("received", "in_notice"))  # type: ignore[no-any-return]
