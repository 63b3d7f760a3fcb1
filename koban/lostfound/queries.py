"""Read-side helpers: matching suggestions, masking of personal data, the timeline and today's list."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import (
    boxes_workable_by,
    can_see_finder_details,
    items_matchable_by,
    items_visible_to,
    reports_matchable_by,
    reports_visible_to,
)
from koban.analytics.algorithms.matching import Description, Match, rank, tokens
from koban.audit.models import AuditEvent
from koban.audit.reads import note_read
from koban.lib.masking import mask
from koban.lib.search import with_search_text
from koban.lostfound.clocks import State
from koban.lostfound.models import FOUND_ITEM_SEARCH_FIELDS, FoundItem, ItemTask, LossReport

# Reports and items further apart in time than this are not compared at all.
MATCH_WINDOW = datetime.timedelta(days=120)


def item_description(item: FoundItem) -> Description:
    point = item.found_point
    return Description(
        key=item.pk,
        category=item.category.code,
        text=item.description,
        lon=point.x if point else None,
        lat=point.y if point else None,
        time_from=item.found_at,
        time_to=item.found_at,
    )


def report_description(report: LossReport) -> Description:
    point = report.lost_point
    return Description(
        key=report.pk,
        category=report.category.code,
        text=report.description,
        lon=point.x if point else None,
        lat=point.y if point else None,
        time_from=report.lost_from,
        time_to=report.lost_to,
    )


@dataclass
class Suggestion:
    """A ranked candidate; pages add the owner's details as the viewer may see them and the explanation."""

    match: Match
    obj: Any
    owner: dict[str, Any] | None = None
    explained: Sequence[tuple[str, float, float]] = ()
    # False for a match of another station: shown with its public facts, not openable.
    readable: bool = True


# A loss report is scored against at most this many found items of each kind picked by the database
# (a large force receives thousands of items a day; scoring them all would take seconds).
CANDIDATES_SAME_KIND = 1500
CANDIDATES_BY_WORDS = 500


def _candidate_ids(window: Any, report: LossReport) -> set[int]:
    """The found items worth scoring for *report*: of its kind, the first found from the start of the
    loss window on (inside the window the time part of the score is highest), and of any kind, the
    first that share a word of two characters with its description (index of grams, as in search).

    An item of another kind with no shared word scores at most place + time (0.3) and is not looked at.
    """
    same_kind = window.filter(category_id=report.category_id).order_by("found_at")
    ids = set(same_kind.values_list("pk", flat=True)[:CANDIDATES_SAME_KIND])
    pairs = sorted({g for g in tokens(report.description) if len(g) == 2 and not g.isascii()})
    if pairs:
        worded = with_search_text(window, FOUND_ITEM_SEARCH_FIELDS).filter(search_grams__overlap=pairs)
        ids |= set(worded.order_by("found_at").values_list("pk", flat=True)[:CANDIDATES_BY_WORDS])
    return ids


def items_for_report(user: Any, report: LossReport, limit: int = 10) -> list[Suggestion]:
    """Found items the owner may be looking for, best first, across the whole agency.

    ``Suggestion.readable`` says whether *user* may open the item (else only its public facts show).
    """
    window = (
        items_matchable_by(user)
        .filter(state__in=State.WITH_OWNER_RIGHTS)
        .filter(
            found_at__gte=report.lost_from - datetime.timedelta(days=1),
            found_at__lte=report.lost_to + MATCH_WINDOW,
        )
    )
    candidates = FoundItem.objects.filter(pk__in=_candidate_ids(window, report)).select_related(
        "category", "box", "box__station"
    )
    by_id = {item.pk: item for item in candidates}
    ranked = rank(report_description(report), [item_description(i) for i in by_id.values()], limit=limit)
    readable = set(items_visible_to(user).filter(pk__in=[m.key for m in ranked]).values_list("pk", flat=True))
    return [Suggestion(m, by_id[m.key], readable=m.key in readable) for m in ranked]


def reports_for_item(user: Any, item: FoundItem, limit: int = 10) -> list[Suggestion]:
    """Open loss reports that may describe *item*, best first, across the whole agency."""
    candidates = (
        reports_matchable_by(user)
        .open()
        .filter(
            lost_from__lte=item.found_at + datetime.timedelta(days=1),
            lost_to__gte=item.found_at - MATCH_WINDOW,
        )
        .select_related("category", "box", "box__station")
    )
    by_id = {report.pk: report for report in candidates}
    ranked = rank(
        item_description(item),
        [report_description(r) for r in by_id.values()],
        query_is_report=False,
        limit=limit,
    )
    readable = set(
        reports_visible_to(user).filter(pk__in=[m.key for m in ranked]).values_list("pk", flat=True)
    )
    return [Suggestion(m, by_id[m.key], readable=m.key in readable) for m in ranked]


def person_details(
    user: Any, box: Any, name: str, contact: str, shown: Any = None, email: str = ""
) -> dict[str, Any]:
    """Name, contact and e-mail as *user* may see them (masked unless they work on *box*).

    Unmasked details of the record *shown* (a found item or a loss report) are noted for the
    request's read row in the audit trail.
    """
    if can_see_finder_details(user, box):
        if shown is not None:
            note_read([shown], shown.PERSONAL_FIELDS)
        return {"name": name, "contact": contact, "email": email, "masked": False}
    return {
        "name": mask(name),
        "contact": mask(contact, keep_start=0, keep_end=2),
        "email": mask(email),
        "masked": True,
    }


ACTION_LABELS = {
    "lostfound.receive_item": _("Received, receipt issued"),
    "lostfound.item_state": _("State changed"),
    "lostfound.dispose_item": _("Disposed of"),
    "lostfound.transfer_to_station": _("Moved to the station's custody"),
    "lostfound.move_storage": _("Storage place changed"),
    "lostfound.mark_personal_data": _("Personal-data flag changed"),
    "lostfound.sell_item": _("Sold, proceeds recorded"),
    "lostfound.mail_finder": _("Finder e-mailed: claim period open"),
}


def timeline(item: FoundItem) -> list[dict[str, Any]]:
    """What happened to the item, from the audit trail (states shown by name, no personal data)."""
    states = dict(FoundItem.Status.choices)
    events = AuditEvent.objects.filter(object_type="lostfound.founditem", object_id=str(item.pk)).order_by(
        "at"
    )
    return [
        {
            "when": e.at,
            "what": ACTION_LABELS.get(e.action, e.action),
            "who": e.actor_name,
            "note": e.note,
            "state": states.get((e.after or {}).get("state", ""), ""),
            # The legal day of a state change can precede the recording (a job catching up).
            "day": (e.after or {}).get("state_changed_on", ""),
        }
        for e in events
    ]


def open_tasks(boxes: QuerySet[Any]) -> QuerySet[ItemTask]:
    return (
        ItemTask.objects.filter(done_at__isnull=True, item__box__in=boxes)
        .select_related("item", "item__box", "item__category")
        .order_by("item__box__code", "due_on", "id")
    )


def tasks_by_box(user: Any) -> dict[Any, list[ItemTask]]:
    """Open tasks of the boxes *user* works on, grouped by box."""
    grouped: dict[Any, list[ItemTask]] = {}
    for task in open_tasks(boxes_workable_by(user)):
        grouped.setdefault(task.item.box, []).append(task)
    return grouped
