"""Verbs that change lost-property records. Each runs in one transaction and writes the audit trail.

Bad input raises ``django.core.exceptions.ValidationError`` with a message per field, before anything
is written; pages and the API show those messages next to the fields.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import can_dispose, can_hand_over, can_handle_property
from koban.audit.services import record, snapshot
from koban.lib.dates import check_date_window
from koban.lib.geo import point_from_lonlat
from koban.lostfound import shares
from koban.lostfound.clocks import State, compute_clock, due_state, hand_in_deadline, is_cheap_bulky
from koban.lostfound.models import FoundItem, Handover, ItemCategory, ItemTask, LossReport, StorageMove
from koban.lostfound.rules import LostFoundRules, get_rules
from koban.organization.jurisdiction import check_in_country, check_place
from koban.organization.models import PoliceBox

# A clock a few minutes fast on a tablet must not reject a receipt written "now".
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _require(actor: Any, check: Any, item: FoundItem, message: str) -> None:
    """Refuse a person who may not do this (jobs and the demo, named by a string, act for the system)."""
    if getattr(actor, "is_authenticated", False) and not check(actor, item):
        raise PermissionDenied(message)


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def make_point(lon: float | None, lat: float | None, field: str) -> Point | None:
    """A WGS84 point from optional coordinates, validated before GEOS sees them."""
    return point_from_lonlat(lon, lat, field)


def _check_not_future(
    errors: dict[str, Any], field: str, moment: datetime.datetime, now: datetime.datetime
) -> None:
    if moment > now + CLOCK_SKEW:
        errors[field] = _("This time is in the future.")


def check_contact_email(
    errors: dict[str, Any], field: str, address: str, language: str, language_field: str
) -> None:
    """An optional e-mail address for notices, and the language to write to it in (ja, en or none)."""
    if address.strip():
        try:
            validate_email(address.strip())
        except ValidationError:
            errors[field] = _("Enter a valid e-mail address.")
        if len(address.strip()) > 254:
            errors[field] = _("The e-mail address is too long.")
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        errors[language_field] = _("Choose Japanese or English.")


def log_storage(
    actor: Any, item: FoundItem, location: str, station: Any, at: datetime.datetime, note: str = ""
) -> StorageMove:
    """Add a row to the item's storage history (the caller's transaction writes the item itself)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return StorageMove.objects.create(
        item=item,
        location=location,
        station=station,
        moved_at=at,
        moved_by=user,
        moved_by_label=(user.get_username() if user else str(actor))[:150],
        note=note.strip()[:300],
    )


def receipt_number(station_code: str, box_code: str, year: int, seq: int) -> str:
    """The receipt number, unique in the agency and easy to read out on the phone: station, box,
    year and sequence (``N-K01-2026-00034``). Box codes repeat across stations, station codes do not."""
    return f"{station_code}-{box_code}-{year}-{seq:05d}"


def _next_receipt_seq(box: PoliceBox, year: int) -> int:
    # Lock the box row so two receipts written at once cannot take the same number.
    PoliceBox.objects.select_for_update().filter(pk=box.pk).first()
    last = FoundItem.objects.filter(box=box, receipt_year=year).aggregate(m=Max("receipt_seq"))["m"]
    return (last or 0) + 1


@transaction.atomic
def receive_item(
    actor: Any,
    box: PoliceBox,
    *,
    category: ItemCategory,
    description: str,
    found_at: datetime.datetime,
    found_place: str,
    handed_in_at: datetime.datetime,
    found_lon: float | None = None,
    found_lat: float | None = None,
    finder_name: str = "",
    finder_contact: str = "",
    finder_email: str = "",
    finder_language: str = "",
    found_in_facility: bool = False,
    facility_name: str = "",
    facility_claims_reward: bool = False,
    facility_claims_item: bool = False,
    finder_claims_reward: bool = False,
    finder_claims_item: bool = False,
    value_estimate: int | None = None,
    cash_amount: int | None = None,
    personal_data_inside: bool = False,
    personal_data_note: str = "",
    storage_location: str = "",
    now: datetime.datetime | None = None,
    rules: LostFoundRules | None = None,
    found_outside_confirmed: bool = False,
) -> FoundItem:
    """Record an item handed in at *box* and give it the next receipt number (預り書) of the year.

    A finder who hands in after the deadline (7 days, 24 h in a facility) loses the rights to a reward
    and to the item (Lost Property Act §34), so those choices are cleared and the item is flagged.
    A find point outside the agency's jurisdiction needs *found_outside_confirmed*. A find in a
    facility names the facility, which shares the reward with the finder (see ``shares``).
    """
    rules = rules or get_rules()
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    if not description.strip():
        errors["description"] = _("Describe the item.")
    check_contact_email(errors, "finder_email", finder_email, finder_language, "finder_language")
    if (facility_claims_reward or facility_claims_item or facility_name.strip()) and not found_in_facility:
        errors["facility_name"] = _("A facility shares the rights only for an item found in a facility.")
    elif found_in_facility and (facility_claims_reward or facility_claims_item) and not facility_name.strip():
        errors["facility_name"] = _("Name the facility that claims its rights.")
    if personal_data_inside and not personal_data_note.strip():
        errors["personal_data_note"] = _("Say what in the item holds personal data (a licence, cards …).")
    if not found_place.strip():
        errors["found_place"] = _("Say where the item was found.")
    _check_not_future(errors, "found_at", found_at, now)
    _check_not_future(errors, "handed_in_at", handed_in_at, now)
    check_date_window(errors, "found_at", found_at, now)
    check_date_window(errors, "handed_in_at", handed_in_at, now)
    if handed_in_at < found_at:
        errors["handed_in_at"] = _("The item cannot be handed in before it was found.")
    for name, amount in (("value_estimate", value_estimate), ("cash_amount", cash_amount)):
        if amount is not None and amount < 0:
            errors[name] = _("Amounts cannot be negative.")
    try:
        point = make_point(found_lon, found_lat, "found_point")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        point = None
    if errors:
        raise ValidationError(errors)
    if point is not None:
        check_place(
            actor,
            box.station.agency,
            point,
            field="found_outside_confirmed",
            confirmed=found_outside_confirmed,
        )

    late = handed_in_at > hand_in_deadline(found_at, in_facility=found_in_facility, rules=rules)
    if late:
        finder_claims_reward = finder_claims_item = False
        facility_claims_reward = facility_claims_item = False
    received_on = local_date(handed_in_at)
    clock = compute_clock(
        received_on,
        holds_personal_data=category.holds_personal_data,
        finder_claims_item=finder_claims_item or facility_claims_item,
        cheap_bulky=is_cheap_bulky(category.bulky, value_estimate, rules),
        rules=rules,
    )
    year = received_on.year
    seq = _next_receipt_seq(box, year)
    item = FoundItem.objects.create(
        box=box,
        receipt_year=year,
        receipt_seq=seq,
        receipt_number=receipt_number(box.station.code, box.code, year, seq),
        finder_name=finder_name.strip(),
        finder_contact=finder_contact.strip(),
        finder_email=finder_email.strip(),
        finder_language=finder_language,
        found_in_facility=found_in_facility,
        facility_name=facility_name.strip(),
        facility_claims_reward=facility_claims_reward,
        facility_claims_item=facility_claims_item,
        finder_claims_reward=finder_claims_reward,
        finder_claims_item=finder_claims_item,
        found_at=found_at,
        found_place=found_place.strip(),
        found_point=point,
        handed_in_at=handed_in_at,
        late_hand_in=late,
        category=category,
        description=description.strip(),
        value_estimate=value_estimate,
        cash_amount=cash_amount,
        personal_data_inside=personal_data_inside,
        personal_data_note=personal_data_note.strip() if personal_data_inside else "",
        storage_location=storage_location.strip(),
        state=State.RECEIVED,
        state_changed_on=received_on,
        notice_ends_on=clock.notice_ends_on,
        finder_claim_ends_on=clock.finder_claim_ends_on,
        disposable_from=clock.disposable_from,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor, "lostfound.receive_item", item, after=snapshot(item))
    if item.storage_location:
        log_storage(actor, item, item.storage_location, None, handed_in_at)
    return item


@transaction.atomic
def report_loss(
    actor: Any,
    box: PoliceBox,
    *,
    category: ItemCategory,
    description: str,
    owner_name: str,
    owner_contact: str,
    lost_from: datetime.datetime,
    lost_to: datetime.datetime,
    owner_email: str = "",
    owner_language: str = "",
    lost_place: str = "",
    lost_lon: float | None = None,
    lost_lat: float | None = None,
    reported_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> LossReport:
    """Record an owner's loss report (遺失届) at *box*."""
    now = now or timezone.now()
    reported_at = reported_at or now
    errors: dict[str, Any] = {}
    if not description.strip():
        errors["description"] = _("Describe the item.")
    if not owner_name.strip():
        errors["owner_name"] = _("The owner's name is needed to return the item.")
    if not owner_contact.strip():
        errors["owner_contact"] = _("A phone number or address is needed to reach the owner.")
    check_contact_email(errors, "owner_email", owner_email, owner_language, "owner_language")
    if lost_to < lost_from:
        errors["lost_to"] = _("The end of the loss window is before its start.")
    _check_not_future(errors, "lost_from", lost_from, now)
    _check_not_future(errors, "reported_at", reported_at, now)
    for name, moment in (("lost_from", lost_from), ("lost_to", lost_to), ("reported_at", reported_at)):
        check_date_window(errors, name, moment, now)
    if lost_from > reported_at + CLOCK_SKEW:
        errors["lost_from"] = _("An item cannot be reported lost before it was lost.")
    try:
        point = make_point(lost_lon, lost_lat, "lost_point")
        if point is not None:
            # Owners lose things on trains and trips: any place in the country is plausible.
            check_in_country(point, field="lost_point")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        point = None
    if errors:
        raise ValidationError(errors)
    report = LossReport.objects.create(
        box=box,
        reported_at=reported_at,
        owner_name=owner_name.strip(),
        owner_contact=owner_contact.strip(),
        owner_email=owner_email.strip(),
        owner_language=owner_language,
        lost_from=lost_from,
        lost_to=min(lost_to, reported_at),
        lost_place=lost_place.strip(),
        lost_point=point,
        category=category,
        description=description.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor, "lostfound.report_loss", report, after=snapshot(report))
    return report


@transaction.atomic
def hand_over(
    actor: Any,
    item: FoundItem,
    *,
    recipient: str,
    recipient_name: str,
    id_document: str,
    id_number_last_digits: str,
    recipient_contact: str = "",
    reward_percent: Decimal | None = None,
    loss_report: LossReport | None = None,
    handed_over_at: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
    rules: LostFoundRules | None = None,
) -> Handover:
    """Give *item* to its owner or to the finder after checking the recipient's identity document.

    The owner may collect while the public notice runs; the finder only in the claim window after it,
    and never an item holding personal data. When the finder claimed a reward, the owner's agreed
    reward must lie in the legal range (5–20 % by default).
    """
    rules = rules or get_rules()
    now = now or timezone.now()
    handed_over_at = handed_over_at or now
    _require(actor, can_hand_over, item, _("You may not hand over items of this box."))
    item = FoundItem.objects.select_for_update().select_related("category").get(pk=item.pk)
    before = snapshot(item)
    errors: dict[str, Any] = {}
    if recipient == Handover.Recipient.OWNER:
        _check_owner_handover(errors, item, reward_percent, rules)
    elif recipient in (Handover.Recipient.FINDER, Handover.Recipient.FACILITY):
        _check_acquirer_handover(errors, item, recipient)
        if reward_percent:
            errors["reward_percent"] = _("A reward is paid by the owner only.")
        if loss_report is not None:
            errors["loss_report"] = _("A loss report belongs to a handover to the owner.")
    else:
        errors["recipient"] = _("Choose owner, finder or facility.")
    if not recipient_name.strip():
        errors["recipient_name"] = _("Name the person who collects the item.")
    if id_document not in Handover.Document.values:
        errors["id_document"] = _("Choose the identity document that was checked.")
    digits = id_number_last_digits.strip()
    if not (1 <= len(digits) <= 4 and digits.isalnum()):
        errors["id_number_last_digits"] = _("Record the last 1–4 characters of the document number.")
    _check_not_future(errors, "handed_over_at", handed_over_at, now)
    if handed_over_at < item.handed_in_at:
        errors["handed_over_at"] = _("The handover cannot be before the item was handed in.")
    if loss_report is not None and loss_report.status != LossReport.Status.OPEN:
        errors["loss_report"] = _("This loss report is already closed.")
    if errors:
        raise ValidationError(errors)

    to_owner = recipient == Handover.Recipient.OWNER
    owed = _reward(item, reward_percent) if to_owner and reward_percent else None
    handover = Handover.objects.create(
        item=item,
        recipient=recipient,
        finder_reward=owed.finder if owed else None,
        facility_reward=owed.facility if owed else None,
        withheld=_withheld(item) if not to_owner else "",
        loss_report=loss_report,
        recipient_name=recipient_name.strip(),
        recipient_contact=recipient_contact.strip(),
        id_document=id_document,
        id_number_last_digits=digits,
        checked_by=actor,
        handed_over_at=handed_over_at,
        reward_percent=reward_percent if recipient == Handover.Recipient.OWNER else None,
        note=note.strip(),
    )
    item.state = State.RETURNED if to_owner else State.HANDED_TO_FINDER
    item.state_changed_on = local_date(handed_over_at)
    item.save(update_fields=["state", "state_changed_on"])
    close_stale_tasks(actor, item, now)
    record(actor, "lostfound.hand_over", handover, after=snapshot(handover))
    record(actor, "lostfound.item_state", item, before=before, after=snapshot(item))
    if loss_report is not None:
        report_before = snapshot(loss_report)
        loss_report.status = LossReport.Status.FOUND
        loss_report.save(update_fields=["status"])
        record(
            actor, "lostfound.close_report", loss_report, before=report_before, after=snapshot(loss_report)
        )
    return handover


def _check_owner_handover(
    errors: dict[str, Any], item: FoundItem, reward_percent: Decimal | None, rules: LostFoundRules
) -> None:
    """The owner collects while the notice runs and agrees a reward in the legal range if one is claimed."""
    if item.state not in State.WITH_OWNER_RIGHTS:
        errors["recipient"] = _(
            "The owner can collect only while the public notice runs (item is: %(state)s)."
        ) % {"state": item.get_state_display()}
    claimed = item.finder_claims_reward or (item.found_in_facility and item.facility_claims_reward)
    if claimed:
        if reward_percent is None:
            errors["reward_percent"] = _("The finder claims a reward: record the agreed percentage.")
        elif not rules.reward_min_percent <= reward_percent <= rules.reward_max_percent:
            errors["reward_percent"] = _(
                "The reward must be between %(low)s %% and %(high)s %% of the value."
            ) % {
                "low": rules.reward_min_percent,
                "high": rules.reward_max_percent,
            }
    elif reward_percent:
        errors["reward_percent"] = _("The finder waived the reward.")


def _check_acquirer_handover(errors: dict[str, Any], item: FoundItem, recipient: str) -> None:
    """After the notice, only the one who acquired the item collects it, and never personal data."""
    acquirer = shares.unclaimed_acquirer(
        finder_claims=item.finder_claims_item,
        facility_claims=item.facility_claims_item,
        via_facility=item.found_in_facility,
    )
    if item.all_personal_data:
        errors["recipient"] = _("Items holding personal data are never released to the finder.")
    elif item.state != State.FINDER_MAY_CLAIM:
        errors["recipient"] = _(
            "The finder can collect only after the notice period, within the claim window."
        )
    elif recipient != acquirer:
        errors["recipient"] = (
            _("The finder waived the item: it goes to the facility.")
            if acquirer == shares.FACILITY
            else _("The finder claimed the item: it does not go to the facility.")
        )


def _reward(item: FoundItem, percent: Decimal) -> shares.RewardShares:
    return shares.reward_shares(
        shares.reward_price(item.value_estimate, item.cash_amount, item.sale_proceeds),
        percent,
        via_facility=item.found_in_facility,
        finder_claims=item.finder_claims_reward,
        facility_claims=item.facility_claims_reward,
    )


def _withheld(item: FoundItem) -> str:
    """What is kept back from a finder or facility: the contents holding personal data."""
    if item.personal_data_inside:
        return (item.personal_data_note or _("personal data"))[:200]
    return ""


@transaction.atomic
def dispose_item(
    actor: Any,
    item: FoundItem,
    *,
    note: str,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> FoundItem:
    """Record that *item* was sold or destroyed: a cheap bulky item after its 2 weeks, or a vested item."""
    now = now or timezone.now()
    today = today or local_date(now)
    _require(actor, can_dispose, item, _("Only police officers of the holding box may dispose of it."))
    item = FoundItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item)
    bulky_due = (
        item.sold_on is None
        and item.disposable_from is not None
        and today >= item.disposable_from
        and item.state in State.WITH_OWNER_RIGHTS
    )
    if not (bulky_due or item.state == State.VESTED):
        raise ValidationError(
            {
                "state": _(
                    "Only vested items, or cheap bulky items after their waiting period, may be disposed of."
                )
            }
        )
    if not note.strip():
        raise ValidationError({"note": _("Say how the item was disposed of (sold, destroyed, data erased).")})
    item.state = State.DISPOSED
    item.state_changed_on = today
    item.disposal_note = note.strip()[:300]
    item.save(update_fields=["state", "state_changed_on", "disposal_note"])
    close_stale_tasks(actor, item, now)
    record(actor, "lostfound.dispose_item", item, before=before, after=snapshot(item))
    return item


@transaction.atomic
def complete_task(
    actor: Any, task: ItemTask, *, note: str = "", now: datetime.datetime | None = None
) -> ItemTask:
    """Tick off a task on a box's list."""
    task = ItemTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError({"task": _("This task is already done.")})
    before = snapshot(task)
    task.done_at = now or timezone.now()
    task.done_by = actor if getattr(actor, "is_authenticated", False) else None
    task.done_note = note.strip()[:300]
    task.save(update_fields=["done_at", "done_by", "done_note"])
    record(actor, "lostfound.complete_task", task, before=before, after=snapshot(task))
    return task


@transaction.atomic
def close_loss_report(actor: Any, report: LossReport, *, note: str = "") -> LossReport:
    """Close a report that will not be matched (the owner found it elsewhere, withdrew it)."""
    report = LossReport.objects.select_for_update().get(pk=report.pk)
    if report.status != LossReport.Status.OPEN:
        raise ValidationError({"status": _("This loss report is already closed.")})
    before = snapshot(report)
    report.status = LossReport.Status.CLOSED
    report.save(update_fields=["status"])
    record(actor, "lostfound.close_report", report, before=before, after=snapshot(report), note=note)
    return report


@transaction.atomic
def transfer_to_station(
    actor: Any,
    item: FoundItem,
    *,
    storage_location: str,
    note: str = "",
    at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> FoundItem:
    """Hand *item* to the custody of its box's station (a safe for cash, a store room for bulky items).

    The station becomes the holder and *storage_location* says where it is kept there; the item stays on
    the box's list and its clocks run on. Items already handed over or disposed of cannot move.
    """
    now = now or timezone.now()
    at = at or now
    item = FoundItem.objects.select_for_update().select_related("box__station").get(pk=item.pk)
    if not isinstance(actor, str) and not can_handle_property(actor, item.box):
        raise PermissionDenied(_("You may not work on the items of this box."))
    errors: dict[str, Any] = {}
    if not (item.is_open or item.state == State.VESTED):
        errors["state"] = _("Only an item the police still hold can be moved (item is: %(state)s).") % {
            "state": item.get_state_display()
        }
    elif item.custody_station_id is not None:
        errors["state"] = _("The item is already held by the station.")
    if not storage_location.strip():
        errors["storage_location"] = _("Say where the station keeps the item.")
    elif len(storage_location.strip()) > 200:
        errors["storage_location"] = _("The storage location is longer than 200 characters.")
    _check_not_future(errors, "at", at, now)
    if at < item.handed_in_at:
        errors["at"] = _("The item cannot move before it was handed in.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.custody_station = item.box.station
    item.custody_since = at
    item.storage_location = storage_location.strip()
    item.save(update_fields=["custody_station", "custody_since", "storage_location"])
    log_storage(actor, item, item.storage_location, item.custody_station, at, note)
    record(
        actor, "lostfound.transfer_to_station", item, before=before, after=snapshot(item), note=note.strip()
    )
    return item


# -- The daily clock ------------------------------------------------------------------------------


def wanted_tasks(item: FoundItem, today: datetime.date, rules: LostFoundRules) -> dict[str, datetime.date]:
    """The tasks *item* needs on *today*, as {kind: due date}."""
    wanted: dict[str, datetime.date] = {}
    unsold = item.sold_on is None
    if (
        unsold
        and item.state in State.WITH_OWNER_RIGHTS
        and item.disposable_from
        and today >= item.disposable_from
    ):
        wanted[ItemTask.Kind.DISPOSE_BULKY] = item.disposable_from
    if item.state == State.FINDER_MAY_CLAIM and item.finder_claim_ends_on:
        wanted[ItemTask.Kind.NOTIFY_FINDER] = item.state_changed_on
        if (item.finder_claim_ends_on - today).days <= rules.claim_reminder_days:
            wanted[ItemTask.Kind.CLAIM_LAPSING] = item.finder_claim_ends_on
    if item.state == State.VESTED:
        kind = (
            ItemTask.Kind.SEND_PERSONAL_DATA if item.holds_personal_data else ItemTask.Kind.SEND_TO_PREFECTURE
        )
        wanted[kind] = item.state_changed_on
    return wanted


def close_stale_tasks(actor: Any, item: FoundItem, now: datetime.datetime) -> None:
    """Tick off tasks the item's new state has made pointless (e.g. a reminder after a handover)."""
    keep = (
        set(wanted_tasks(item, local_date(now), get_rules()))
        if item.is_open or item.state == State.VESTED
        else set()
    )
    for task in item.tasks.filter(done_at__isnull=True).exclude(kind__in=keep):
        before = snapshot(task)
        task.done_at = now
        task.done_note = (
            _("No longer needed: the item is now %(state)s.") % {"state": item.get_state_display()}
        )[:300]
        task.save(update_fields=["done_at", "done_note"])
        record(actor, "lostfound.complete_task", task, before=before, after=snapshot(task))


@transaction.atomic
def advance_clocks(today: datetime.date, *, actor: Any = "system:lostfound_daily") -> dict[str, int]:
    """Move every open item to the state its clock says for *today* and list the tasks it needs.

    Safe to run twice on the same day (or to catch up after missed days): states are computed from
    the stored deadlines, not from the previous run, and a task of one kind exists once per item.
    Returns counts: items moved per new state and tasks listed.
    """
    rules = get_rules()
    now = timezone.now()
    counts: dict[str, int] = {"tasks_listed": 0}
    items = list(FoundItem.objects.open().select_related("category").select_for_update(of=("self",)))
    existing: dict[int, set[str]] = {}
    for item_id, kind in ItemTask.objects.filter(item__in=items).values_list("item_id", "kind"):
        existing.setdefault(item_id, set()).add(kind)
    for item in items:
        target = due_state(item.state, item.clock, today)
        if target != item.state:
            before = snapshot(item)
            item.state = target
            item.state_changed_on = _transition_day(item, target)
            item.save(update_fields=["state", "state_changed_on"])
            record(
                actor,
                "lostfound.item_state",
                item,
                before=before,
                after=snapshot(item),
                note=f"clock {today}",
            )
            counts[target] = counts.get(target, 0) + 1
            if existing.get(item.pk):  # an item without tasks has none to close
                close_stale_tasks(actor, item, now)
        counts["tasks_listed"] += _list_tasks(actor, item, today, rules, existing.get(item.pk, set()))
    return counts


def _transition_day(item: FoundItem, target: str) -> datetime.date:
    """The legal day of a transition, even when the job catches up late."""
    if target == State.FINDER_MAY_CLAIM:
        return item.notice_ends_on + datetime.timedelta(days=1)
    if target == State.VESTED and item.finder_claim_ends_on:
        return item.finder_claim_ends_on + datetime.timedelta(days=1)
    if target == State.VESTED:
        return item.notice_ends_on + datetime.timedelta(days=1)
    return item.state_changed_on  # received -> in notice: the notice starts on the day of receipt


def _list_tasks(
    actor: Any, item: FoundItem, today: datetime.date, rules: LostFoundRules, existing: set[str]
) -> int:
    created = 0
    for kind, due in wanted_tasks(item, today, rules).items():
        if kind in existing:
            continue
        task = ItemTask.objects.create(item=item, kind=kind, due_on=due, created_on=today)
        record(actor, "lostfound.list_task", task, after=snapshot(task))
        created += 1
    return created
