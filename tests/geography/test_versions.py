from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from koban.geography.services import activate_version, check_version
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


def test_gaps_in_the_station_area_are_reported(cast):  # type: ignore[no-untyped-def]
    cast.north.area = square(LON, LAT, 0.03)
    cast.north.save()
    report = check_version(cast.version)
    assert len(report.gaps) == 1
    # 0.03² minus the two 0.01² beats of North: 7 of 9 cells.
    cell = 906 * 1109
    assert report.gaps[0].area_m2 == pytest.approx(7 * cell, rel=0.03)


def test_activation_retires_the_previous_version_and_is_audited(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT, 0.02), code="A")
    activate_version(cast.planner, draft)
    cast.version.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.ACTIVE and draft.activated_at
    assert cast.version.status == BeatVersion.Status.RETIRED and cast.version.retired_at
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"beat_version.activate", "beat_version.retire"} <= actions


def test_only_hq_may_activate(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency)
    make_beat(draft, cast.box_a, square(LON, LAT), code="A")
    with pytest.raises(PermissionDenied):
        activate_version(cast.chief_north, draft)


def test_an_empty_version_cannot_be_activated(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        activate_version(cast.planner, make_version(cast.agency))
