"""Recording and correcting counter matters.

Every write checks ``can_record_counter``, validates all fields at once (errors name the field),
runs in one transaction and leaves an audit row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import can_record_counter
from koban.accounts.models import User
from koban.audit.services import record, snapshot
from koban.counter.models import Channel, CounterCategory, CounterMatter, Outcome
from koban.lib.dates import check_date_window
from koban.organization.models import PoliceBox

CLOCK_SKEW = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
EDITABLE = (
    "received_at",
    "channel",
    "category",
    "summary",
    "outcome",
    "outcome_note",
    "handled_by",
    "person_description",
    "handed_over_to",
    "handed_over_at",
)


def require_counter_access(user: User, box: PoliceBox) -> None:
    if not can_record_counter(user, box):
        raise PermissionDenied(_("You may not record counter matters at this box."))


def _check_time(errors: dict[str, str], name: str, value: dt.datetime | None, now: dt.datetime) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        errors[name] = _("Give the time with its time zone.")
    elif value > now + CLOCK_SKEW:
        errors[name] = _("This time is in the future.")
    elif value < EARLIEST:
        errors[name] = _("This time is too far in the past.")
    else:
        check_date_window(errors, name, value, now)


def validate_matter(matter: CounterMatter, *, creating: bool) -> None:
    """Raise ValidationError naming every field that is wrong; nothing is saved before this passes."""
    errors: dict[str, str] = {}
    now = timezone.now()
    if matter.received_at is None:
        errors["received_at"] = _("This field is required.")
    _check_time(errors, "received_at", matter.received_at, now)
    _check_time(errors, "handed_over_at", matter.handed_over_at, now)
    if matter.channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if matter.outcome not in Outcome.values:
        errors["outcome"] = _("Unknown outcome.")
    if not (matter.summary or "").strip():
        errors["summary"] = _("Say briefly what the matter was.")
    category = matter.category if matter.category_id else None
    if category is None:
        errors["category"] = _("This field is required.")
    elif creating and not category.active:
        errors["category"] = _("This category is no longer in use.")
    handler = matter.handled_by if matter.handled_by_id else None
    if handler is None:
        errors["handled_by"] = _("This field is required.")
    elif not can_record_counter(handler, matter.box):
        errors["handled_by"] = _("%(who)s does not work at this box.") % {"who": handler}
    if category is not None:
        _check_custody(errors, matter, category)
    if errors:
        raise ValidationError(errors)


def _check_custody(errors: dict[str, str], matter: CounterMatter, category: CounterCategory) -> None:
    if not category.custody:
        for name in ("person_description", "handed_over_to", "handed_over_at"):
            if getattr(matter, name):
                errors[name] = _("Only protective custody matters record a person handed over.")
        if matter.outcome == Outcome.HANDED_OVER:
            errors["outcome"] = _("Only protective custody matters end with a person handed over.")
        return
    if not matter.person_description.strip():
        errors["person_description"] = _("Describe the person taken into custody.")
    if matter.handed_over_at and not matter.handed_over_to.strip():
        errors["handed_over_to"] = _("Say to whom the person was handed over.")
    if matter.handed_over_to.strip() and not matter.handed_over_at:
        errors["handed_over_at"] = _("Give the time of the handover.")
    if matter.outcome == Outcome.HANDED_OVER and not matter.handed_over_at:
        errors.setdefault("handed_over_at", _("Give the time of the handover."))
    if (
        matter.handed_over_at
        and matter.received_at
        and "handed_over_at" not in errors
        and "received_at" not in errors
        and matter.handed_over_at < matter.received_at
    ):
        errors["handed_over_at"] = _("The handover cannot be before the person was received.")


@transaction.atomic
def record_matter(
    actor: User,
    box: PoliceBox,
    *,
    client_token: uuid.UUID | None = None,
    **fields: Any,
) -> tuple[CounterMatter, bool]:
    """Record a counter matter at *box*; return it and whether it is new.

    ``handled_by`` defaults to *actor*. A repeated *client_token* returns the matter recorded with
    it the first time (a double-tapped submit button), without writing anything.
    """
    require_counter_access(actor, box)
    if client_token is not None:
        existing = CounterMatter.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.box_id != box.pk or existing.recorded_by_id != actor.pk:
                raise ValidationError(
                    {"client_token": _("This submission token was used for another record.")}
                )
            return existing, False
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    fields.setdefault("handled_by", actor)
    matter = CounterMatter(box=box, recorded_by=actor, client_token=client_token, **fields)
    for name in ("summary", "outcome_note", "person_description", "handed_over_to"):
        setattr(matter, name, (getattr(matter, name) or "").strip())
    validate_matter(matter, creating=True)
    try:
        with transaction.atomic():
            matter.save()
    except IntegrityError:
        # Two identical submissions raced past the token check: the first one won.
        if client_token is not None:
            existing = CounterMatter.objects.filter(client_token=client_token, box=box).first()
            if existing is not None:
                return existing, False
        raise
    record(actor, "counter.matter.create", matter, after=snapshot(matter))
    return matter, True


@transaction.atomic
def update_matter(actor: User, matter: CounterMatter, **changes: Any) -> CounterMatter:
    """Correct or complete a counter matter (outcome, handover); the box cannot change."""
    matter = CounterMatter.objects.select_for_update().select_related("box", "category").get(pk=matter.pk)
    require_counter_access(actor, matter.box)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    before = snapshot(matter)
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(matter, name, value)
    validate_matter(matter, creating=False)
    matter.save()
    record(actor, "counter.matter.update", matter, before=before, after=snapshot(matter))
    return matter
