"""One rule for coordinates given by people and files: koban.lib.geo.point_from_lonlat."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from koban.lib.geo import lonlat_problem, point_from_lonlat


def test_a_good_pair_becomes_a_wgs84_point() -> None:
    point = point_from_lonlat("139.7", 35.6, "place")
    assert point is not None and point.srid == 4326 and point.coords == (139.7, 35.6)


def test_both_missing_is_no_point_unless_required() -> None:
    assert point_from_lonlat(None, "", "place") is None
    with pytest.raises(ValidationError) as caught:
        point_from_lonlat(None, None, "place", required=True)
    assert caught.value.message_dict == {"place": ["Give the longitude and latitude."]}


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [
        (None, 35.6, "lon"),
        (139.7, None, "lat"),
        (999, 35.6, "lon"),
        (139.7, 91, "lat"),
        (float("nan"), 35.6, "lon"),
        (139.7, float("inf"), "lat"),
        ("east", 35.6, "lon"),
    ],
)
def test_each_bad_value_is_named_on_its_own_field(lon, lat, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        point_from_lonlat(lon, lat, ("lon", "lat"))
    assert list(caught.value.message_dict) == [field]


def test_the_problem_is_translated_text() -> None:
    assert lonlat_problem(139.7, 91) == ("lat", "The latitude must be a number between -90 and 90.")
    assert lonlat_problem(139.7, 35.6) is None
