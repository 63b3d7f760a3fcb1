from __future__ import annotations

from io import StringIO

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from koban.audit.models import AuditEvent
from koban.geography.derive import derive_beats
from koban.geography.models import AdminArea, BeatVersion
from koban.geography.services import check_version
from koban.lib.geo import area_m2
from tests.factories import make_box
from tests.personas import LAT, LON

STEP = 0.005


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # Messages are checked in English whatever the default language.
    with translation.override("en"):
        yield


def rect(west: float, south: float, east: float, north: float) -> MultiPolygon:
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return MultiPolygon(Polygon(ring), srid=4326)


def add_area(code: str, geom: MultiPolygon, population: int | None = 100, level: str = "town") -> AdminArea:
    households = None if population is None else population // 2
    return AdminArea.objects.create(
        level=level, code=code, name=f"Area {code}", geom=geom, population=population, households=households
    )


def grid_areas(columns: int = 6, rows: int = 2) -> list[AdminArea]:
    """Town areas of 0.005° tiling lon 139.70–139.73, lat 35.60–35.61, populations 100, 101, …"""
    areas = []
    for col in range(columns):
        for row in range(rows):
            west, south = LON + col * STEP, LAT + row * STEP
            n = col * rows + row
            areas.append(add_area(f"T{n:02d}", rect(west, south, west + STEP, south + STEP), 100 + n))
    return areas


def give_station_areas(cast) -> None:  # type: ignore[no-untyped-def]
    cast.north.area = rect(LON, LAT, LON + 0.02, LAT + 0.01)
    cast.north.save()
    cast.south.area = rect(LON + 0.02, LAT, LON + 0.03, LAT + 0.01)
    cast.south.save()


def same_cover(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """Whether two shapes cover the same ground, to well under a square metre (1e-10 deg² ≈ 1 m²).

    Planar in degrees on purpose: a geodesic area would count the bulge between a long edge and the
    same edge split at a midpoint as ground.
    """
    return bool(shapely.symmetric_difference(a, b).area < 1e-11)


def shape(geom) -> shapely.Geometry:  # type: ignore[no-untyped-def]
    return shapely.from_wkb(bytes(geom.wkb))


def beats_by_box(version: BeatVersion) -> dict[str, shapely.Geometry]:
    return {b.box.code: shape(b.geom) for b in version.beats.select_related("box")}


def test_derived_beats_tile_the_areas_without_overlaps_or_gaps(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    areas = grid_areas()
    version, report = derive_beats(cast.planner, cast.agency)
    beats = beats_by_box(version)
    assert set(beats) == {"A", "B", "C"}
    covered = shapely.union_all(list(beats.values()))
    expected = shapely.union_all([shape(a.geom) for a in areas])
    assert same_cover(covered, expected)
    assert report.check is not None and report.check.problems == []
    assert report.beats == 3 and report.areas_used == len(areas)
    assert report.boxes_without_area == [] and report.areas_outside == []
    # Each box keeps the areas nearest to it: A the western 0.01°, B the next, C the last.
    assert shapely.bounds(beats["A"]) == pytest.approx((LON, LAT, LON + 0.01, LAT + 0.01), abs=1e-9)
    assert shapely.bounds(beats["C"]) == pytest.approx((LON + 0.02, LAT, LON + 0.03, LAT + 0.01), abs=1e-9)


def test_the_new_version_is_a_draft_with_an_audit_row_and_the_active_one_stays(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    version, _ = derive_beats(cast.planner, cast.agency, name="Derived 2026")
    assert version.status == BeatVersion.Status.DRAFT
    assert version.name == "Derived 2026" and version.created_by == cast.planner
    cast.version.refresh_from_db()
    assert cast.version.status == BeatVersion.Status.ACTIVE
    event = AuditEvent.objects.for_object(version).get()
    assert event.action == "beat_version.derive" and event.actor == cast.planner
    assert "3 beats" in event.note


def test_population_and_households_are_summed_per_beat(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    areas = grid_areas()
    version, _ = derive_beats(cast.planner, cast.agency)
    beat_a = version.beats.get(box=cast.box_a)
    # Box A gets the first two columns: areas T00–T03.
    assert beat_a.population == sum(a.population for a in areas[:4])
    assert beat_a.households == sum(a.households for a in areas[:4])
    assert sum(b.population for b in version.beats.all()) == sum(a.population for a in areas)
    assert beat_a.area_m2 == pytest.approx(area_m2(shape(beat_a.geom)))
    assert beat_a.area_m2 == pytest.approx(906 * 1109, rel=0.02)  # 0.01° x 0.01°


def test_an_area_goes_to_its_own_station_even_when_another_stations_box_is_nearer(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    # C moves east: the South column at 139.720–139.725 is now nearer to North's box B.
    cast.box_c.location = Point(LON + 0.0345, LAT + 0.005, srid=4326)
    cast.box_c.save()
    version, report = derive_beats(cast.planner, cast.agency)
    beats = beats_by_box(version)
    assert shapely.bounds(beats["B"])[2] == pytest.approx(LON + 0.02, abs=1e-9)
    assert shapely.bounds(beats["C"])[0] == pytest.approx(LON + 0.02, abs=1e-9)
    assert report.check is not None and report.check.problems == []


def test_beats_are_clipped_to_the_station_area(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    add_area("W", rect(LON, LAT, LON + 0.014, LAT + 0.01))
    # Straddles the border at 139.72; its representative point (139.718) lies in North.
    add_area("X", rect(LON + 0.014, LAT, LON + 0.022, LAT + 0.01))
    add_area("E", rect(LON + 0.022, LAT, LON + 0.03, LAT + 0.01))
    version, report = derive_beats(cast.planner, cast.agency)
    beats = beats_by_box(version)
    assert shapely.bounds(beats["B"])[2] == pytest.approx(LON + 0.02, abs=1e-9)
    assert report.check is not None
    assert report.check.overlaps == []
    # The strip 139.720–139.722 belongs to South but went with X to North: a gap in South.
    assert [g.station for g in report.check.gaps] == ["South Station"]
    assert report.check.gaps[0].area_m2 == pytest.approx(0.002 / 0.01 * 906 * 1109, rel=0.03)


def test_boxes_without_areas_and_areas_outside_every_station_are_reported(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    far = make_box(cast.north, code="D", name="Far Koban", location=Point(LON + 0.5, LAT, srid=4326))
    # Overlaps North's western edge but its representative point lies west of it.
    add_area("OUT", rect(LON - 0.01, LAT, LON + 0.002, LAT + 0.01))
    # Only touches the territory: a neighbour, not reported.
    add_area("NEXT", rect(LON - 0.01, LAT + 0.01, LON, LAT + 0.02))
    version, report = derive_beats(cast.planner, cast.agency)
    assert report.boxes_without_area == [far.name]
    assert report.areas_outside == ["Area OUT"]
    assert not version.beats.filter(box=far).exists()
    lines = "\n".join(report.lines())
    assert "Far Koban" in lines and "Area OUT" in lines


def test_without_station_areas_the_municipalities_of_the_boxes_are_used(cast):  # type: ignore[no-untyped-def]
    grid_areas()
    municipality = add_area("M1", rect(LON, LAT, LON + 0.025, LAT + 0.01), level="municipality")
    version, report = derive_beats(cast.planner, cast.agency)
    beats = beats_by_box(version)
    assert set(beats) == {"A", "B", "C"}
    covered = shapely.union_all(list(beats.values()))
    # Clipped to the municipality: the last column (139.725–139.730) is left out.
    assert same_cover(covered, shape(municipality.geom))
    assert report.check is not None and report.check.overlaps == []


def test_one_station_is_derived_and_the_others_are_copied_from_the_active_version(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    version, report = derive_beats(cast.planner, cast.agency, station=cast.north)
    codes = dict(version.beats.values_list("box__code", "code"))
    assert codes == {"A": "N-A", "B": "N-B", "C": "C-1"}
    copied = version.beats.get(box=cast.box_c)
    assert copied.geom.equals_exact(cast.beat_c.geom, 1e-12)
    assert report.copied_beats == 1 and report.beats == 2
    # Only North's areas were used.
    assert report.areas_used == 8


def test_only_network_managers_may_derive(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    with pytest.raises(PermissionDenied):
        derive_beats(cast.chief_north, cast.agency)
    assert BeatVersion.objects.count() == 1


def test_it_refuses_a_level_without_areas_and_writes_nothing(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    with pytest.raises(ValidationError, match="block"):
        derive_beats(cast.planner, cast.agency, area_level="block")
    with pytest.raises(ValidationError, match="municipality"):
        derive_beats(cast.planner, cast.agency, area_level="municipality")
    assert BeatVersion.objects.count() == 1


def test_the_command_derives_and_activates(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    out = StringIO()
    call_command("derive_beats", "--agency", "T1", "--user", "planner", "--activate", stdout=out)
    active = BeatVersion.objects.active().get(agency=cast.agency)
    assert active != cast.version and active.beats.count() == 3
    assert check_version(active).problems == []
    assert "3 beats" in out.getvalue() and "Activated" in out.getvalue()


def test_the_command_names_a_wrong_option(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--station"):
        call_command("derive_beats", "--agency", "T1", "--user", "planner", "--station", "ZZ")
    with pytest.raises(CommandError, match="--user"):
        call_command("derive_beats", "--agency", "T1", "--user", "officer_a")
    with pytest.raises(CommandError, match="--agency"):
        call_command("derive_beats", "--agency", "NOPE", "--user", "planner")


def test_long_station_and_box_codes_give_beat_codes_within_the_column(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    cast.north.code = "osm-139.96980-35.87291"
    cast.north.save()
    for box in (cast.box_a, cast.box_b):
        box.code = f"osm-{box.location.x:.5f}-{box.location.y:.5f}-tail"
        box.save()
    version, _report = derive_beats(cast.planner, cast.agency)
    codes = sorted(version.beats.values_list("code", flat=True))
    assert len(codes) == 3 and all(len(code) <= 40 for code in codes)
    assert len(set(codes)) == 3
    # The same boxes get the same codes in the next derivation.
    again, _ = derive_beats(cast.planner, cast.agency)
    assert sorted(again.beats.values_list("code", flat=True)) == codes


def test_beat_codes_are_shortened_deterministically_and_stay_unique() -> None:
    from koban.geography.derive import beat_code

    taken: set[str] = set()
    first = beat_code("S" * 30, "B" * 30, taken)
    second = beat_code("S" * 30, "B" * 30, taken)
    assert len(first) == len(second) == 40 and first != second
    assert beat_code("S" * 30, "B" * 30, set()) == first
    assert beat_code("N", "K01", taken) == "N-K01"


def test_a_dissolve_that_gives_a_geometry_collection_keeps_every_polygon() -> None:
    from koban.geography.derive import polygonal_parts

    square = shapely.box(0, 0, 1, 1)
    other = shapely.box(2, 0, 3, 1)
    collection = shapely.GeometryCollection(
        [shapely.MultiPolygon([square, other]), shapely.LineString([(1, 0), (2, 0)]), shapely.Point(5, 5)]
    )
    parts = polygonal_parts(collection)
    assert sorted(p.bounds for p in parts) == [square.bounds, other.bounds]
    # What make_valid returns for a bow-tie ring is kept whole too.
    bow_tie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    assert shapely.area(shapely.MultiPolygon(polygonal_parts(shapely.make_valid(bow_tie)))) == 2.0


def test_without_station_areas_the_check_reports_the_residents_left_in_no_beat(cast):  # type: ignore[no-untyped-def]
    grid_areas()
    add_area("M1", rect(LON, LAT, LON + 0.03, LAT + 0.01), level="municipality")
    version, report = derive_beats(cast.planner, cast.agency)
    assert report.check is not None and report.check.gaps == []
    # A beat lost on the way (as a dropped GeometryCollection once did) leaves its residents out.
    lost = version.beats.get(box=cast.box_c)
    lost.delete()
    check = check_version(version)
    assert len(check.gaps) == 1
    # Box C's areas: the last two columns (T08–T11) with 108–111 residents each.
    assert check.uncovered_population == 108 + 109 + 110 + 111
    assert check.territory == "municipalities"
    assert any("no beat" in line for line in (p.describe() for p in check.problems))
