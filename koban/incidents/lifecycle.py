"""The rules of an incident's life: which status may follow which, and timestamps that never run backwards.

No database access here, so the rules can be read and tested on their own; the services apply them.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from koban.incidents.models import Status
from koban.lib.dates import check_date_window

# A clock a little ahead of the server's (a tablet, a command-room console) is not an error; an
# hour ahead is.
CLOCK_SKEW = datetime.timedelta(minutes=5)

TRANSITIONS: dict[str, frozenset[str]] = {
    # Received: send units, or an officer is already there (found on patrol), or it is settled at
    # once (advice by phone, a report taken at the counter), or it was a mistake.
    Status.RECEIVED: frozenset({Status.DISPATCHED, Status.ON_SCENE, Status.CLEARED, Status.CANCELLED}),
    Status.DISPATCHED: frozenset({Status.ON_SCENE, Status.CANCELLED}),
    Status.ON_SCENE: frozenset({Status.CLEARED}),
    Status.CLEARED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def transition_error(from_status: str, to_status: str) -> str:
    return _("An incident that is %(from)s cannot become %(to)s.") % {
        "from": Status(from_status).label,
        "to": Status(to_status).label,
    }


def status_for_timeline(
    dispatched_at: datetime.datetime | None,
    arrived_at: datetime.datetime | None,
    cleared_at: datetime.datetime | None,
) -> str:
    """The status an incident recorded after the fact has reached, from the times it was given."""
    if cleared_at is not None:
        return Status.CLEARED
    if arrived_at is not None:
        return Status.ON_SCENE
    if dispatched_at is not None:
        return Status.DISPATCHED
    return Status.RECEIVED


def timeline_errors(
    *,
    received_at: datetime.datetime,
    dispatched_at: datetime.datetime | None = None,
    arrived_at: datetime.datetime | None = None,
    cleared_at: datetime.datetime | None = None,
    now: datetime.datetime,
) -> dict[str, str]:
    """Return ``{field: message}`` for every timestamp that is in the future or before an earlier step."""
    errors: dict[str, str] = {}
    latest = now + CLOCK_SKEW
    named = {
        "received_at": received_at,
        "dispatched_at": dispatched_at,
        "arrived_at": arrived_at,
        "cleared_at": cleared_at,
    }
    for field, value in named.items():
        if value is not None and value > latest:
            errors[field] = _("This time is in the future.")
        else:
            check_date_window(errors, field, value, now)
    if dispatched_at is not None and dispatched_at < received_at:
        errors.setdefault("dispatched_at", _("Units cannot be dispatched before the call was received."))
    if arrived_at is not None:
        if arrived_at < received_at:
            errors.setdefault("arrived_at", _("Arrival cannot be before the call was received."))
        elif dispatched_at is not None and arrived_at < dispatched_at:
            errors.setdefault("arrived_at", _("Arrival cannot be before the units were dispatched."))
    if cleared_at is not None:
        if cleared_at < received_at:
            errors.setdefault("cleared_at", _("An incident cannot be cleared before it was received."))
        elif arrived_at is not None and cleared_at < arrived_at:
            errors.setdefault("cleared_at", _("An incident cannot be cleared before the units arrived."))
    return errors


# Closed incidents may be reopened (a mistaken clearance, a cancelled call that turns out to be real):
# the incident goes back to the step its recorded times say it had reached.
REOPENABLE = frozenset({Status.CLEARED, Status.CANCELLED})


def reopened_status(dispatched_at: datetime.datetime | None, arrived_at: datetime.datetime | None) -> str:
    """The status of a reopened incident: on scene if units had arrived, dispatched if sent, else received."""
    return status_for_timeline(dispatched_at, arrived_at, None)
