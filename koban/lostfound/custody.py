"""Verbs of keeping a found item: where it is stored, whether it carries personal data, its sale.

Each runs in one transaction and writes the audit trail; bad input raises ``ValidationError`` naming
the field before anything is written (see ``koban.lostfound.services``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import can_dispose_property, can_handle_property
from koban.audit.services import record, snapshot
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem
from koban.lostfound.services import CLOCK_SKEW, close_stale_tasks, local_date, log_storage

# The largest sale price accepted (a typing slip of extra zeros must not reach the database).
MAX_PROCEEDS = 10**12


def _lock(actor: Any, item: FoundItem, allowed: Any, message: str) -> FoundItem:
    """The item, locked, after checking *actor* may work on it (jobs named by a string act for the system)."""
    item = FoundItem.objects.select_for_update().select_related("box__station", "category").get(pk=item.pk)
    if not isinstance(actor, str) and not allowed(actor, item.box):
        raise PermissionDenied(message)
    return item


def _still_held(errors: dict[str, Any], item: FoundItem) -> None:
    if not (item.is_open or item.state == State.VESTED):
        errors["state"] = _("Only an item the police still hold can be changed (item is: %(state)s).") % {
            "state": item.get_state_display()
        }


@transaction.atomic
def move_storage(
    actor: Any,
    item: FoundItem,
    *,
    storage_location: str,
    note: str = "",
    at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> FoundItem:
    """Record that *item* is now kept at *storage_location* (same holder); the old place stays in the
    item's storage history with who moved it and when."""
    now = now or timezone.now()
    at = at or now
    item = _lock(actor, item, can_handle_property, _("You may not work on the items of this box."))
    errors: dict[str, Any] = {}
    _still_held(errors, item)
    location = storage_location.strip()
    if not location:
        errors["storage_location"] = _("Say where the item is kept now.")
    elif len(location) > 200:
        errors["storage_location"] = _("The storage location is longer than 200 characters.")
    elif location == item.storage_location:
        errors["storage_location"] = _("The item is already kept there.")
    if at > now + CLOCK_SKEW:
        errors["at"] = _("This time is in the future.")
    elif at < item.handed_in_at:
        errors["at"] = _("The item cannot move before it was handed in.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.storage_location = location
    item.save(update_fields=["storage_location"])
    log_storage(actor, item, location, item.custody_station, at, note)
    record(actor, "lostfound.move_storage", item, before=before, after=snapshot(item), note=note.strip())
    return item


@transaction.atomic
def mark_personal_data(
    actor: Any, item: FoundItem, *, inside: bool, personal_data_note: str = ""
) -> FoundItem:
    """Flag (or unflag) that *item* carries personal data, saying what (a licence, cards, a phone).

    Those contents never pass to the finder or facility: they are kept back at the handover and sent
    on with the item when it vests (see ``shares.unclaimed_outcome``).
    """
    item = _lock(actor, item, can_handle_property, _("You may not work on the items of this box."))
    errors: dict[str, Any] = {}
    _still_held(errors, item)
    what = personal_data_note.strip()
    if inside and not what:
        errors["personal_data_note"] = _("Say what in the item holds personal data (a licence, cards …).")
    elif len(what) > 200:
        errors["personal_data_note"] = _("Keep this under 200 characters.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.personal_data_inside = inside
    item.personal_data_note = what if inside else ""
    item.save(update_fields=["personal_data_inside", "personal_data_note"])
    record(actor, "lostfound.mark_personal_data", item, before=before, after=snapshot(item))
    return item


def sale_allowed(item: FoundItem, today: datetime.date, *, perishable: bool) -> bool:
    """Whether the Act lets the police sell *item* on *today*.

    A vested item (the prefecture's to sell); a cheap bulky item after its waiting period (2 weeks); or,
    at any time while the police hold it, an item that would perish or cost too much to keep (the
    officer says so with *perishable*). Not twice, and never a personal-data item.
    """
    if item.sold_on is not None or item.all_personal_data:
        return False
    if item.state == State.VESTED:
        return True
    if item.state not in State.OPEN:
        return False
    return perishable or (item.disposable_from is not None and today >= item.disposable_from)


@transaction.atomic
def sell_item(
    actor: Any,
    item: FoundItem,
    *,
    proceeds: int,
    perishable: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> FoundItem:
    """Record the sale of *item* and its proceeds.

    The proceeds take the item's place: while the owner or finder may still claim, the item stays on the
    clocks and they collect the money (the reward is then a share of the proceeds); a vested item's sale
    ends its record (disposed of, proceeds to the prefecture).
    """
    today = today or local_date(timezone.now())
    item = _lock(actor, item, can_dispose_property, _("Only police officers of the holding box may sell it."))
    errors: dict[str, Any] = {}
    if not sale_allowed(item, today, perishable=perishable):
        errors["state"] = _(
            "This item may not be sold: only vested items, cheap bulky items after their waiting period, "
            "or items that would perish or cost too much to keep (never personal data, never twice)."
        )
    if isinstance(proceeds, bool) or not isinstance(proceeds, int) or not 1 <= proceeds <= MAX_PROCEEDS:
        errors["proceeds"] = _(
            "Enter the sale price in yen (1 or more). For an item nobody buys, record a disposal."
        )
    if perishable and not note.strip():
        errors["note"] = _("Say why the item would perish or cost too much to keep.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.sold_on = today
    item.sale_proceeds = proceeds
    fields = ["sold_on", "sale_proceeds"]
    if item.state == State.VESTED:
        item.state = State.DISPOSED
        item.state_changed_on = today
        item.disposal_note = (note.strip() or _("Sold"))[:300]
        fields += ["state", "state_changed_on", "disposal_note"]
    item.save(update_fields=fields)
    close_stale_tasks(actor, item, timezone.now())
    record(actor, "lostfound.sell_item", item, before=before, after=snapshot(item), note=note.strip())
    return item
