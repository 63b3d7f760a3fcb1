from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.geography.models import AdminArea, Beat, BeatVersion
from koban.geography.services import BeatCheckFailedError, activate_version, check_version
from tests.factories import make_beat, make_version, square
from tests.personas import LAT, LON


def test_a_clean_version_has_no_problems(cast):  # type: ignore[no-untyped-def]
    assert check_version(cast.version).problems == []


def test_overlaps_within_a_station_are_reported_with_area_and_place(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT), code="A")
    make_beat(draft, cast.box_b, square(LON + 0.005, LAT), code="B")  # half of A's square
    report = check_version(draft)
    assert len(report.overlaps) == 1
    overlap = report.overlaps[0]
    assert overlap.beats == ("A", "B")
    # 0.005° x 0.01° at 35.6°N is about 453 m x 1,109 m.
    assert overlap.area_m2 == pytest.approx(453 * 1109, rel=0.02)
    assert LON + 0.005 < overlap.lon < LON + 0.01
    assert "overlap" in overlap.describe()


def test_beats_of_different_stations_may_touch_without_an_overlap(cast):  # type: ignore[no-untyped-def]
    assert check_version(cast.version).overlaps == []


def test_gaps_inside_the_jurisdiction_are_reported(cast):  # type: ignore[no-untyped-def]
    cast.north.area = square(LON, LAT, 0.03)
    cast.north.save()
    report = check_version(cast.version)
    assert len(report.gaps) == 1 and report.territory == "stations"
    # The jurisdiction is North's 0.03° square; the beats A, B and C cover 3 of its 9 cells.
    cell = 906 * 1109
    assert report.gaps[0].area_m2 == pytest.approx(6 * cell, rel=0.03)
    assert report.gaps[0].station == "North Station"
    assert not report.passed


def test_gaps_are_looked_for_in_a_configured_extent_beyond_the_station_areas(cast):  # type: ignore[no-untyped-def]
    cast.agency.extent = rectangle(LON, LAT - 0.01, LON + 0.03, LAT + 0.01)  # the beats and a row south
    cast.agency.save()
    report = check_version(cast.version)
    assert report.territory == "extent"
    assert [round(g.area_m2 / (2718 * 1109), 1) for g in report.gaps] == [1.0]


def test_gaps_report_the_residents_living_there_from_area_statistics(cast):  # type: ignore[no-untyped-def]
    cast.agency.extent = rectangle(LON, LAT - 0.01, LON + 0.03, LAT + 0.01)
    cast.agency.save()
    # A town half inside the gap (the southern row) and half under beat A.
    town = rectangle(LON, LAT - 0.01, LON + 0.01, LAT + 0.01)
    AdminArea.objects.create(level="town", code="T", name="Town", population=1000, households=400, geom=town)
    AdminArea.objects.create(
        level="municipality", code="M", name="City", population=99999, geom=square(LON, LAT - 0.01, 0.03)
    )
    gap = check_version(cast.version).gaps[0]
    assert (gap.population, gap.households) == (pytest.approx(500, abs=5), pytest.approx(200, abs=3))
    assert "residents" in gap.describe()


def test_an_agency_without_areas_or_extent_gets_no_gap_check_and_is_told(cast):  # type: ignore[no-untyped-def]
    report = check_version(cast.version)
    assert report.gaps == [] and report.territory == "fallback"
    assert "not checked" in report.notes[0]


def test_overlaps_across_stations_are_reported(cast):  # type: ignore[no-untyped-def]
    draft = full_draft(cast)
    Beat.objects.filter(version=draft, code="C-1").update(geom=square(LON + 0.015, LAT))
    report = check_version(draft)
    assert [p.beats for p in report.overlaps] == [("B-1", "C-1")]
    assert report.overlaps[0].station == "North Station / South Station"


def test_an_operating_box_without_a_beat_or_with_two_fails(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT), code="A-1")
    make_beat(draft, cast.box_a, square(LON + 0.01, LAT), code="A-2")
    make_beat(draft, cast.box_c, square(LON + 0.02, LAT), code="C-1")
    report = check_version(draft)
    assert [(p.box, p.beats) for p in report.of_kind("several_beats")] == [("Ekimae Koban", ("A-1", "A-2"))]
    assert [p.box for p in report.of_kind("no_beat")] == ["Yamate Chuzaisho"]
    assert "no beat" in report.of_kind("no_beat")[0].describe()


def test_a_renamed_beat_of_the_same_box_is_not_dropped(cast):  # type: ignore[no-untyped-def]
    draft = full_draft(cast, skip="B-1")
    make_beat(draft, cast.box_b, square(LON + 0.01, LAT), code="N-B")
    assert check_version(draft).passed


def test_the_beat_of_a_closed_box_needs_no_successor_box_but_its_drop_is_reported(cast):  # type: ignore[no-untyped-def]
    draft = full_draft(cast, skip="B-1")
    make_beat(draft, cast.box_a, square(LON + 0.01, LAT), code="A-2")  # A also takes B's ground
    cast.box_b.status = "closed"
    cast.box_b.save()
    report = check_version(draft)
    assert [p.kind for p in report.problems] == ["several_beats", "dropped"]
    assert report.of_kind("dropped")[0].beats == ("B-1",)
    assert "dropped" in report.of_kind("dropped")[0].describe()


def test_a_box_left_without_a_beat_is_reported_once_not_also_as_a_drop(cast):  # type: ignore[no-untyped-def]
    report = check_version(full_draft(cast, skip="B-1"))
    assert [(p.kind, p.box) for p in report.problems] == [("no_beat", "Yamate Chuzaisho")]


def rectangle(west: float, south: float, east: float, north: float) -> MultiPolygon:
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return MultiPolygon(Polygon(ring), srid=4326)


def full_draft(cast, skip: str = "") -> BeatVersion:  # type: ignore[no-untyped-def]
    """A draft copying the active beats of the cast (except *skip*)."""
    draft = make_version(cast.agency)
    for beat in (cast.beat_a, cast.beat_b, cast.beat_c):
        if beat.code != skip:
            make_beat(draft, beat.box, beat.geom, code=beat.code)
    return draft


def test_activation_of_a_clean_version_retires_the_previous_one_and_is_audited(cast):  # type: ignore[no-untyped-def]
    draft = full_draft(cast)
    result = activate_version(cast.planner, draft)
    assert not result.already_active and result.override_reason == "" and result.report.passed
    cast.version.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.ACTIVE and draft.activated_at
    assert cast.version.status == BeatVersion.Status.RETIRED and cast.version.retired_at
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"beat_version.activate", "beat_version.retire"} <= actions
    assert "beat_version.override_check" not in actions


def test_a_failing_version_is_refused_without_a_reason_and_nothing_changes(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT, 0.02), code="A")
    with pytest.raises(BeatCheckFailedError) as caught:
        activate_version(cast.planner, draft, override_reason="   ")
    assert "reason" in caught.value.message_dict["override_reason"][0]
    assert not caught.value.report.passed
    draft.refresh_from_db()
    cast.version.refresh_from_db()
    assert draft.status == BeatVersion.Status.DRAFT
    assert cast.version.status == BeatVersion.Status.ACTIVE


def test_a_failing_version_goes_live_with_a_reason_and_the_override_is_audited(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT, 0.02), code="A")
    result = activate_version(cast.planner, draft, override_reason="Box B and C beats follow next week")
    assert result.override_reason == "Box B and C beats follow next week"
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.ACTIVE
    event = AuditEvent.objects.get(action="beat_version.override_check")
    assert event.note == "Box B and C beats follow next week"
    assert any("no beat" in line for line in event.after["problems"])


def test_activating_the_active_version_says_so_and_changes_nothing(cast):  # type: ignore[no-untyped-def]
    result = activate_version(cast.planner, cast.version)
    assert result.already_active
    assert not AuditEvent.objects.filter(action__startswith="beat_version.").exists()


def test_only_hq_may_activate(cast):  # type: ignore[no-untyped-def]
    draft = full_draft(cast)
    with pytest.raises(PermissionDenied):
        activate_version(cast.chief_north, draft)
    with pytest.raises(PermissionDenied):
        activate_version(cast.chief_north, draft, override_reason="I say so")


def test_an_empty_version_cannot_be_activated(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        activate_version(cast.planner, make_version(cast.agency), override_reason="anyway")
