from __future__ import annotations

import datetime

import pytest

from koban.patrols.routes import RouteError, parse_drawn, parse_gpx
from tests.patrols.helpers import T0, gpx, walk

LIMIT = 5 * 1024 * 1024
NOW = T0 + datetime.timedelta(days=1)


def test_a_good_gpx_track_is_read_with_its_times():
    route = parse_gpx(gpx(walk()), max_bytes=LIMIT, now=NOW)
    assert len(route.lines) == 1 and route.point_count == 35
    assert route.times is not None and route.times[0][0] == T0


def test_a_malformed_gpx_names_the_line():
    broken = (
        gpx(walk()).replace(b"</trkpt>\n<trkpt", b"</trkpt>\n<trkpt", 1).replace(b"</trkseg>", b"</trksg>")
    )
    with pytest.raises(RouteError, match=r"not well-formed XML: .*line \d+"):
        parse_gpx(broken, max_bytes=LIMIT, now=NOW)


def test_a_huge_gpx_is_refused_before_parsing():
    with pytest.raises(RouteError, match=r"is 6\.0 MB; the limit is 5\.0 MB"):
        parse_gpx(b" " * (6 * 1024 * 1024), max_bytes=LIMIT)


def test_a_gpx_with_entity_declarations_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>'
    with pytest.raises(RouteError, match="DOCTYPE"):
        parse_gpx(bomb, max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("lon", "lat", "fragment"),
    [(139.7, 1e300, "latitude"), (500.0, 35.6, "longitude"), (139.7, float("nan"), "not a finite number")],
)
def test_absurd_coordinates_are_refused_with_the_point_named(lon, lat, fragment):
    points = walk(steps=5, pause_at=None)
    points[3] = (lon, lat, points[3][2])
    with pytest.raises(RouteError, match=f"track 1, segment 1, point 4: .*{fragment}"):
        parse_gpx(gpx(points), max_bytes=LIMIT, now=NOW)


def test_times_running_backwards_or_in_the_future_are_refused():
    points = walk(steps=5, pause_at=None)
    points[2], points[3] = points[3], points[2]
    with pytest.raises(RouteError, match=r"point 4: .*earlier than the point before"):
        parse_gpx(gpx(points), max_bytes=LIMIT, now=NOW)
    with pytest.raises(RouteError, match="impossible"):
        parse_gpx(gpx(walk(steps=5)), max_bytes=LIMIT, now=T0 - datetime.timedelta(days=1))


def test_a_gpx_without_points_is_refused():
    with pytest.raises(RouteError, match="no track or route points"):
        parse_gpx(b'<gpx version="1.1" creator="x"></gpx>', max_bytes=LIMIT)


def test_a_drawn_route_is_read_from_geojson():
    route = parse_drawn('{"type": "MultiLineString", "coordinates": [[[139.70, 35.60], [139.71, 35.60]]]}')
    assert route.lines == [[(139.70, 35.60), (139.71, 35.60)]] and route.times is None
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[139.7, 35.6], [139.7, 35.61]]},
    }
    assert len(parse_drawn({"type": "FeatureCollection", "features": [feature, feature]}).lines) == 2


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "Point", "coordinates": [139.7, 35.6]}', "Unexpected GeoJSON type 'Point'"),
        ('{"type": "LineString", "coordinates": [[139.7, 35.6]]}', "at least two points"),
        ('{"type": "LineString", "coordinates": [[139.7, 35.6], [139.7, 1e300]]}', "point 2: latitude"),
        ('{"type": "LineString", "coordinates": [[139.7, 35.6], [139.7, NaN]]}', "not a finite number"),
        ('{"type": "LineString", "coordinates": [[139.7, 35.6], ["a", 35.6]]}', "must be numbers"),
    ],
)
def test_a_bad_drawn_route_gets_a_clear_error(value, fragment):
    with pytest.raises(RouteError, match=fragment):
        parse_drawn(value)
