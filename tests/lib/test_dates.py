"""The window of plausible dates (koban.lib.dates), and the services that apply it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from koban.lib.dates import check_year_window, date_window_problem
from tests.lostfound.helpers import at, receive

NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def test_the_window_runs_from_thirty_years_back_to_tomorrow(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_DATE_WINDOW_YEARS_BACK = 30
    settings.KOBAN_DATE_WINDOW_DAYS_AHEAD = 1
    assert date_window_problem(dt.date(1996, 12, 1), NOW) is None
    assert "1996-12-01" in (date_window_problem(dt.date(1996, 11, 30), NOW) or "")
    assert date_window_problem(NOW + dt.timedelta(days=1), NOW) is None
    assert "future" in (date_window_problem(dt.date(9999, 12, 31), NOW) or "")
    assert date_window_problem(dt.date(1800, 1, 1), NOW) is not None


def test_the_window_is_configurable(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_DATE_WINDOW_YEARS_BACK = 2
    assert date_window_problem(dt.date(2023, 1, 1), NOW) is not None


def test_rosters_may_be_planned_a_little_ahead(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_ROSTER_YEARS_AHEAD = 2
    assert check_year_window(2028, NOW) is None
    assert check_year_window(2029, NOW) == "The year must be between 1996 and 2028."


def test_a_found_item_of_1800_is_refused_by_field(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, found_at=dt.datetime(1800, 1, 1, tzinfo=dt.UTC))
    assert "more than 30 years ago" in caught.value.message_dict["found_at"][0]


def test_a_loss_until_9999_is_refused_by_field(cast) -> None:  # type: ignore[no-untyped-def]
    from koban.lostfound.models import ItemCategory
    from koban.lostfound.services import report_loss

    with pytest.raises(ValidationError) as caught:
        report_loss(
            cast.officer_a,
            cast.box_a,
            category=ItemCategory.objects.get(code="wallet"),
            description="wallet",
            owner_name="山田花子",
            owner_contact="090",
            lost_from=at("2026-01-10", "08:00"),
            lost_to=dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
            reported_at=at("2026-01-10"),
            now=at("2026-01-10"),
        )
    assert "too far in the future" in caught.value.message_dict["lost_to"][0]
