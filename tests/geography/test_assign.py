"""Bulk assignment of points to the beats stored in the database."""

from __future__ import annotations

import numpy as np
import pytest

from koban.analytics.algorithms import point_in_polygon
from koban.geography import assign
from koban.geography.assign import assign_points_to_beats
from koban.geography.models import BeatVersion
from tests.factories import make_beat, make_version, square
from tests.personas import LAT, LON


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    assign.clear_cache()
    yield
    assign.clear_cache()


@pytest.fixture
def builds(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts how often an index is built."""
    calls = []
    original = point_in_polygon.PolygonIndex.from_polygons.__func__  # type: ignore[attr-defined]

    def counting(cls, polygons, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(polygons))
        return original(cls, polygons, *args, **kwargs)

    monkeypatch.setattr(point_in_polygon.PolygonIndex, "from_polygons", classmethod(counting))
    return calls


def test_points_get_the_id_of_their_active_beat(cast):  # type: ignore[no-untyped-def]
    lons = [LON + 0.005, LON + 0.015, LON + 0.025, LON + 0.5, np.nan]
    lats = [LAT + 0.005, LAT + 0.005, LAT + 0.005, LAT + 0.005, LAT]
    got = assign_points_to_beats(lons, lats)
    assert got.tolist() == [cast.beat_a.pk, cast.beat_b.pk, cast.beat_c.pk, -1, -1]


def test_a_point_on_a_shared_edge_goes_to_the_beat_with_the_lower_id(cast):  # type: ignore[no-untyped-def]
    # The exact coordinates of the shared edges, as stored (LON + 0.02 differs from them in the last bit).
    edge_ab, edge_bc = cast.beat_a.geom.extent[2], cast.beat_b.geom.extent[2]
    got = assign_points_to_beats([edge_ab, edge_bc], [LAT + 0.005, LAT + 0.005])
    assert got.tolist() == [min(cast.beat_a.pk, cast.beat_b.pk), min(cast.beat_b.pk, cast.beat_c.pk)]


def test_a_given_version_is_used_instead_of_the_active_one(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    wide = make_beat(draft, cast.box_a, square(LON, LAT, 0.03), code="ALL")
    assert assign_points_to_beats([LON + 0.025], [LAT + 0.005], version=draft).tolist() == [wide.pk]
    assert assign_points_to_beats([LON + 0.025], [LAT + 0.005]).tolist() == [cast.beat_c.pk]


def test_retired_beats_are_not_used(cast):  # type: ignore[no-untyped-def]
    BeatVersion.objects.filter(pk=cast.version.pk).update(status=BeatVersion.Status.RETIRED)
    assert assign_points_to_beats([LON + 0.005], [LAT + 0.005]).tolist() == [-1]


def test_the_index_is_built_once_and_rebuilt_when_a_beat_changes(cast, builds):  # type: ignore[no-untyped-def]
    assign_points_to_beats([LON + 0.005], [LAT + 0.005])
    assign_points_to_beats([LON + 0.015], [LAT + 0.005])
    assert builds == [3]
    cast.beat_c.geom = square(LON + 0.02, LAT, 0.02)
    cast.beat_c.save()
    assert assign_points_to_beats([LON + 0.035], [LAT + 0.005]).tolist() == [cast.beat_c.pk]
    assert builds == [3, 3]


def test_mismatched_coordinate_columns_are_rejected(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="differ in length"):
        assign_points_to_beats([LON, LON], [LAT])


def test_a_fresh_process_loads_the_kept_index_instead_of_building_it(cast, builds, settings):  # type: ignore[no-untyped-def]
    first = assign_points_to_beats([LON + 0.005, LON + 0.025], [LAT + 0.005, LAT + 0.005])
    assert builds == [3] and list(settings.KOBAN_BEAT_INDEX_DIR.glob("beats-3-*.npz"))
    assign.clear_cache()  # what a new worker process starts with
    again = assign_points_to_beats([LON + 0.005, LON + 0.025], [LAT + 0.005, LAT + 0.005])
    assert builds == [3] and again.tolist() == first.tolist() == [cast.beat_a.pk, cast.beat_c.pk]


def test_a_damaged_index_file_is_built_again(cast, builds, settings):  # type: ignore[no-untyped-def]
    assign_points_to_beats([LON + 0.005], [LAT + 0.005])
    for path in settings.KOBAN_BEAT_INDEX_DIR.glob("beats-3-*.npz"):
        path.write_bytes(b"not an index")
    assign.clear_cache()
    assert assign_points_to_beats([LON + 0.015], [LAT + 0.005]).tolist() == [cast.beat_b.pk]
    assert builds == [3, 3]


def test_an_agency_gets_only_its_own_current_beats(cast):  # type: ignore[no-untyped-def]
    from tests.factories import make_agency

    other = make_agency("OTHER")
    assert assign_points_to_beats([LON + 0.005], [LAT + 0.005], agency=other).tolist() == [-1]
    assert assign_points_to_beats([LON + 0.005], [LAT + 0.005], agency=cast.agency).tolist() == [
        cast.beat_a.pk
    ]
