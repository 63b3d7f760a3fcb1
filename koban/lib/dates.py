"""The window of plausible dates: what people and files may give as the time of an event.

A found item "found in 1800" or a loss "until 9999" is a typo that would sit in every list and clock
for ever. Dates must lie no more than ``KOBAN_DATE_WINDOW_YEARS_BACK`` years before today and no more
than ``KOBAN_DATE_WINDOW_DAYS_AHEAD`` days after it (a little clock drift and time zones); plans such
as rosters may look further ahead. Every form, service and importer asks here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def _as_date(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def earliest_date(now: dt.datetime) -> dt.date:
    """The first plausible day: the same day ``KOBAN_DATE_WINDOW_YEARS_BACK`` years ago."""
    today = _as_date(now)
    years = settings.KOBAN_DATE_WINDOW_YEARS_BACK
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def latest_date(now: dt.datetime, days_ahead: int | None = None) -> dt.date:
    """The last plausible day: ``KOBAN_DATE_WINDOW_DAYS_AHEAD`` days (or *days_ahead*) after today."""
    ahead = settings.KOBAN_DATE_WINDOW_DAYS_AHEAD if days_ahead is None else days_ahead
    return _as_date(now) + dt.timedelta(days=ahead)


def date_window_problem(
    moment: dt.datetime | dt.date, now: dt.datetime, *, days_ahead: int | None = None
) -> str | None:
    """Why *moment* is not a plausible date for an event, or None when it is."""
    day = _as_date(moment)
    first = earliest_date(now)
    if day < first:
        return _("This date is before %(first)s: more than %(years)d years ago.") % {
            "first": first.isoformat(),
            "years": settings.KOBAN_DATE_WINDOW_YEARS_BACK,
        }
    last = latest_date(now, days_ahead)
    if day > last:
        return _("This date is after %(last)s: too far in the future.") % {"last": last.isoformat()}
    return None


def plausible_instants(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The window as instants ``[first, end)``: an aware moment is plausible when first <= moment < end.

    The same answer as :func:`date_window_problem` (days in the current time zone), without a time
    zone conversion per moment: importers check millions of rows with it and ask
    :func:`date_window_problem` only for the message of a row outside.
    """
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(earliest_date(now), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(latest_date(now) + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return first, end


def check_date_window(
    errors: dict[str, str],
    field: str,
    moment: dt.datetime | dt.date | None,
    now: dt.datetime,
    *,
    days_ahead: int | None = None,
) -> None:
    """Add *field*'s problem to *errors* (unless it already has one) when *moment* is implausible."""
    if moment is None or field in errors:
        return
    problem = date_window_problem(moment, now, days_ahead=days_ahead)
    if problem:
        errors[field] = problem


def check_year_window(year: int, now: dt.datetime) -> str | None:
    """Why a plan for *year* (a roster) is implausible: before the window or past the planning horizon."""
    today = _as_date(now)
    first = earliest_date(now).year
    last = today.year + settings.KOBAN_ROSTER_YEARS_AHEAD
    if not first <= year <= last:
        return _("The year must be between %(first)d and %(last)d.") % {"first": first, "last": last}
    return None
