from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, box

from koban.analytics.algorithms.tracks import (
    cells_visited,
    covered_fraction,
    detect_stops,
    grid_cells,
    max_speed,
    path_length,
)


def test_a_stay_of_five_minutes_is_one_stop_with_its_dwell_time():
    # Walk 20 points east at 1.5 m/s (15 m apart), stay 5 minutes within 3 m, walk on.
    walk_before = [(i * 15.0, 0.0) for i in range(10)]
    stay = [(135.0 + (i % 2) * 3.0, 1.0) for i in range(6)]
    walk_after = [(150.0 + i * 15.0, 0.0) for i in range(10)]
    xy = np.array(walk_before + stay + walk_after)
    t = np.concatenate([np.arange(10) * 10.0, 90 + np.arange(1, 7) * 60.0, 450 + np.arange(1, 11) * 10.0])
    stops = detect_stops(xy, t, radius_m=30, min_dwell_s=180)
    assert len(stops) == 1
    stop = stops[0]
    assert stop.first == 8 and stop.last == 16
    assert stop.dwell_s == pytest.approx(t[16] - t[8])
    assert 120 < stop.x < 150


def test_walking_without_stopping_has_no_stops():
    xy = np.array([(i * 15.0, 0.0) for i in range(50)])
    assert detect_stops(xy, np.arange(50) * 10.0) == []


def test_length_and_speed_of_a_track():
    xy = np.array([(0.0, 0.0), (3.0, 4.0), (3.0, 14.0)])
    assert path_length(xy) == 15.0
    assert max_speed(xy, np.array([0.0, 5.0, 6.0])) == 10.0


def test_a_street_is_covered_by_a_route_along_it_not_across_it():
    streets = [
        LineString([(0, 0), (200, 0)]),
        LineString([(0, 100), (200, 100)]),
        LineString([(0, 300), (200, 300)]),
    ]
    along_first = LineString([(0, 10), (200, 10)])
    half_second = LineString([(100, 105), (200, 105)])
    across_third = LineString([(100, 250), (100, 350)])
    fraction = covered_fraction(streets, [along_first, half_second, across_third], buffer_m=25)
    assert fraction[0] == pytest.approx(1.0)
    assert fraction[1] == pytest.approx(0.5)
    assert fraction[2] == pytest.approx(50 / 200)  # a 50 m crossing corridor of a 200 m street
    assert covered_fraction(streets, []).tolist() == [0, 0, 0]


def test_a_grid_covers_the_area_and_cells_are_visited_by_routes():
    area = box(0, 0, 250, 100)
    cells = grid_cells(area, 100)
    assert len(cells) == 3 and sum(c.area for c in cells) == pytest.approx(area.area)
    visited = cells_visited(cells, [LineString([(10, 50), (60, 50)])], buffer_m=5)
    assert visited.tolist() == [True, False, False]
