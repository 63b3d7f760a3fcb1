"""Limits every input meets before it reaches the database: characters, integer ranges, representable times.

PostgreSQL refuses a NUL byte in text, integers beyond the column type and time-zone offsets beyond ±15:59,
and RFC 3339 (what the API emits) cannot carry a year outside 0001–9999 or an offset with seconds (the local
mean time of zones before about 1890). These are limits of the storage and the formats, not of the domain:
plausibility (a date window, a place inside the jurisdiction) is checked by each app's services.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL and C1 controls; tab, line feed and carriage return are allowed in multi-line text only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")

# Free text (notes, descriptions) is stored unbounded; inputs still stop at a length no report needs.
TEXT_MAX_LENGTH = 10_000

INT_RANGE = (-(2**31), 2**31 - 1)  # PostgreSQL integer
BIGINT_RANGE = (-(2**63), 2**63 - 1)  # PostgreSQL bigint (ids, counts, money)

# Times are stored as PostgreSQL timestamptz and emitted as RFC 3339. Years before 1900 fall into local mean
# time in many zones (Asia/Tokyo was +09:18:59 until 1888), which RFC 3339 cannot express.
EARLIEST_YEAR = 1900
LATEST_YEAR = 9998  # one year of margin, so that converting 9999-12-31 to any zone stays representable
MAX_OFFSET = dt.timedelta(hours=14)  # the largest offset in use anywhere (Kiribati, UTC+14)

# A phone number as people write it: digits with spaces, hyphens, dots or brackets, an optional leading +
# (international), 4 to 15 digits (E.164 allows at most 15; 4 covers short internal numbers).
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
PHONE_DIGITS = (4, 15)
PHONE_MESSAGE = _(
    "Give a phone number: 4 to 15 digits, with spaces, hyphens or brackets and an optional leading +."
)

CONTROL_MESSAGE = _("Control characters (such as NUL) are not allowed.")
LINE_BREAK_MESSAGE = _("Line breaks and tabs are not allowed here.")


def control_character_problem(value: Any, multiline: bool = True) -> str | None:
    """The reason ``value`` (a string, or a list/dict of strings) cannot be stored as text, or None."""
    for text in _strings(value):
        if _CONTROL.search(text):
            return str(CONTROL_MESSAGE)
        if not multiline and _LINE_BREAKS.search(text):
            return str(LINE_BREAK_MESSAGE)
    return None


def control_character_index(values: Sequence[str]) -> int | None:
    """Index of the first of *values* holding a control character (tab and line breaks allowed), or None.

    Made for file rows: one search over the joined row, then a look at each value only when it fails.
    """
    if not _CONTROL.search("".join(values)):
        return None
    return next(i for i, value in enumerate(values) if _CONTROL.search(value))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def refuse_control_characters(value: Any) -> None:
    """Validator: multi-line text (tab, line feed and carriage return allowed, other controls not)."""
    problem = control_character_problem(value, multiline=True)
    if problem:
        raise ValidationError(problem, code="control_characters")


def refuse_line_breaks(value: Any) -> None:
    """Validator: single-line text (no control character at all)."""
    problem = control_character_problem(value, multiline=False)
    if problem:
        raise ValidationError(problem, code="control_characters")


def datetime_problem(value: dt.datetime) -> str | None:
    """The reason ``value`` cannot be stored and emitted faithfully, or None."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        return str(_("The time-zone offset must be between -14:00 and +14:00."))
    if offset is not None and offset.seconds % 60:
        return str(_("The time-zone offset must be whole minutes."))
    return date_problem(value)


def date_problem(value: dt.date) -> str | None:
    """The reason a day cannot be used (date arithmetic near year 9999 overflows), or None."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return str(
            _("Give a year between %(first)d and %(last)d.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return None


def check_date(value: dt.date) -> None:
    """Validator for days."""
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="unrepresentable")


def check_datetime(value: dt.datetime) -> None:
    """Validator for date-times (aware or naive)."""
    problem = datetime_problem(value)
    if problem:
        raise ValidationError(problem, code="unrepresentable")


def phone_problem(value: str) -> str | None:
    """Why *value* is not a phone number (``PHONE_MESSAGE``), or None; an empty value is no problem."""
    value = (value or "").strip()
    if not value:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return str(PHONE_MESSAGE)
    return None
