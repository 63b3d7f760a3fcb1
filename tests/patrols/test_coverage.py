from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import LineString

from koban.geography.models import RoadSegment
from koban.patrols import services
from koban.patrols.coverage import beat_coverage, week_of
from tests.patrols.helpers import T0

pytestmark = pytest.mark.django_db
NOW = T0 + datetime.timedelta(days=10)


def _street(name, lat, lon0=139.701, lon1=139.709):
    geom = LineString((lon0, lat), (lon1, lat), srid=4326)
    return RoadSegment.objects.create(name=name, geom=geom, length_m=725.0, kind="residential")


def _patrol(cast, coordinates, started_at=T0):
    return services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        {"type": "LineString", "coordinates": coordinates},
        officers=[cast.officer_a],
        kind="bicycle",
        started_at=started_at,
        ended_at=started_at + datetime.timedelta(hours=1),
        now=NOW,
    )


def test_coverage_of_a_beat_with_known_streets(cast):
    _street("一丁目通り", 35.602)
    _street("二丁目通り", 35.605)
    _street("三丁目通り", 35.608)
    _street("Outside street", 35.605, 139.721, 139.729)  # in beat C
    _patrol(cast, [[139.701, 35.60205], [139.709, 35.60205]])  # all of the first street, 5 m off
    _patrol(cast, [[139.700, 35.6051], [139.7065, 35.6051]])  # two thirds of the second, into beat A's edge
    _patrol(cast, [[139.705, 35.601], [139.705, 35.609]])  # crosses the third street only
    _patrol(
        cast, [[139.701, 35.608], [139.709, 35.608]], started_at=T0 - datetime.timedelta(days=7)
    )  # last week

    result = beat_coverage(cast.beat_a, T0.date())
    assert result.mode == "segments" and result.patrol_count == 3
    covered = {f["properties"]["name"]: f["properties"]["covered"] for f in result.features}
    assert covered == {"一丁目通り": True, "二丁目通り": True, "三丁目通り": False}
    assert result.uncovered_names == ["三丁目通り"]
    assert result.percent == pytest.approx(66.7, abs=0.2)
    last_week = beat_coverage(cast.beat_a, T0.date() - datetime.timedelta(days=7))
    assert last_week.uncovered_names == ["一丁目通り", "二丁目通り"]


def test_a_beat_without_streets_is_covered_by_grid_cells(cast):
    _patrol(cast, [[139.7005, 35.6005], [139.7095, 35.6005]])  # along the southern edge
    result = beat_coverage(cast.beat_a, T0.date())
    assert result.mode == "grid"
    cells = [f["properties"]["covered"] for f in result.features]
    assert 100 <= len(cells) <= 130  # ~905 m x 1110 m in 100 m cells
    assert 0 < result.percent < 20 and sum(cells) >= 9


def test_the_week_runs_from_monday_in_local_time():
    start, end = week_of(datetime.date(2026, 3, 4))
    assert start.isoformat() == "2026-03-02T00:00:00+09:00" and (end - start).days == 7
