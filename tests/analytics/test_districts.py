from __future__ import annotations

import numpy as np
import pytest
import shapely

from koban.analytics.algorithms.districts import UNASSIGNED, drop_small_holes, nearest_box_per_area


def test_each_area_goes_to_the_nearest_box_without_groups():
    areas = [[0, 0], [4, 0], [6, 0], [100, 100]]
    boxes = [[0, 1], [10, 0], [90, 90]]
    assert nearest_box_per_area(areas, boxes).tolist() == [0, 0, 1, 2]


def test_an_area_never_goes_to_a_box_of_another_group():
    # The area at x=6 is nearer box 1, but box 1 belongs to the other station.
    areas = [[0, 0], [6, 0], [12, 0]]
    boxes = [[0, 0], [7, 0], [20, 0]]
    result = nearest_box_per_area(areas, boxes, area_group=[0, 0, 1], box_group=[0, 1, 0])
    assert result.tolist() == [0, 0, 1]


def test_areas_without_a_group_or_whose_group_has_no_box_are_unassigned():
    areas = [[0, 0], [1, 1], [2, 2]]
    boxes = [[0, 0]]
    result = nearest_box_per_area(areas, boxes, area_group=[0, -1, 5], box_group=[0])
    assert result.tolist() == [0, UNASSIGNED, UNASSIGNED]


def test_it_matches_a_brute_force_search_on_random_points():
    rng = np.random.default_rng(7)
    areas = rng.uniform(0, 10_000, size=(500, 2))
    boxes = rng.uniform(0, 10_000, size=(30, 2))
    area_group = rng.integers(0, 3, size=500)
    box_group = np.arange(30) % 3
    result = nearest_box_per_area(areas, boxes, area_group, box_group)
    for i, (point, group) in enumerate(zip(areas, area_group, strict=True)):
        candidates = np.flatnonzero(box_group == group)
        distances = np.hypot(*(boxes[candidates] - point).T)
        assert result[i] == candidates[np.argmin(distances)]


def test_empty_inputs_give_an_empty_or_unassigned_answer():
    assert nearest_box_per_area(np.empty((0, 2)), [[0, 0]]).tolist() == []
    assert nearest_box_per_area([[0, 0]], np.empty((0, 2))).tolist() == [UNASSIGNED]


@pytest.mark.parametrize(
    ("areas", "boxes", "kwargs", "message"),
    [
        ([[0, 0, 0]], [[0, 0]], {}, "area_xy must have shape"),
        ([[0, float("nan")]], [[0, 0]], {}, "not a finite number"),
        ([[0, 0]], [[0, float("inf")]], {}, "box_xy has a coordinate"),
        ([[0, 0]], [[0, 0]], {"area_group": [0]}, "given together"),
        ([[0, 0]], [[0, 0]], {"area_group": [0, 1], "box_group": [0]}, "area_group must have shape"),
        ([[0, 0]], [[0, 0]], {"area_group": [0.5], "box_group": [0]}, "whole numbers"),
    ],
)
def test_it_rejects_malformed_input_naming_the_argument(areas, boxes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearest_box_per_area(areas, boxes, **kwargs)


def test_cracks_between_areas_are_filled_but_real_holes_are_kept():
    outer = [(0, 0), (100, 0), (100, 100), (0, 100)]
    crack = [(10, 10), (60, 10), (60, 10.000000001)]  # a zero-width sliver where borders missed
    lake = [(70, 70), (90, 70), (90, 90), (70, 90)]  # 400 m²: a real hole
    district = shapely.Polygon(outer, [crack, lake])
    cleaned = drop_small_holes(district, min_area=1.0)
    assert cleaned.is_valid
    assert len(cleaned.interiors) == 1
    assert cleaned.area == pytest.approx(100 * 100 - 400)


def test_drop_small_holes_keeps_only_polygon_parts():
    mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(5, 5), (6, 6)])])
    assert drop_small_holes(mixed, 1.0).equals(shapely.box(0, 0, 1, 1))
    assert drop_small_holes(shapely.LineString([(0, 0), (1, 1)]), 1.0).is_empty
