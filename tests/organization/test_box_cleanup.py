"""Cleaning up many boxes at once: duplicates merged, boxes outside the area closed, moves between stations."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from koban.organization import services
from koban.organization.models import PoliceBox
from tests.geography.test_derive import give_station_areas
from tests.personas import LAT, LON


def duplicate_of(box: PoliceBox, code: str) -> PoliceBox:
    return services.create_box(
        "import_boxes",
        box.station,
        code=code,
        name=f"{box.name} (copy)",
        kind=box.kind,
        location=box.location,
    )


def test_duplicates_are_merged_into_the_box_kept_with_an_audit_row_each(cast):  # type: ignore[no-untyped-def]
    copy = duplicate_of(cast.box_a, "A2")
    assert services.merge_boxes(cast.planner, [cast.box_a, copy], cast.box_a) == 1
    copy.refresh_from_db()
    assert (copy.status, copy.merged_into) == (PoliceBox.Status.MERGED, cast.box_a)
    assert not PoliceBox.objects.operating().filter(pk=copy.pk).exists()
    assert AuditEvent.objects.filter(action="box.update", object_id=str(copy.pk)).count() == 1


def test_a_box_that_still_owns_a_current_beat_is_not_merged(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="still own current beats"):
        services.merge_boxes(cast.planner, [cast.box_a, cast.box_b], cast.box_b)
    cast.box_a.refresh_from_db()
    assert cast.box_a.status == PoliceBox.Status.OPEN
    BeatVersion.objects.filter(pk=cast.version.pk).update(status=BeatVersion.Status.RETIRED)
    assert services.merge_boxes(cast.planner, [cast.box_a, cast.box_b], cast.box_b) == 1


def test_only_the_boxes_outside_the_agency_area_are_closed(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    stray = services.create_box(
        "import_boxes",
        cast.north,
        code="FAR",
        name="Far Koban",
        kind="koban",
        location=Point(LON + 1.0, LAT + 1.0, srid=4326),
        outside_confirmed=True,
    )
    closed = services.close_boxes_outside(cast.planner, [cast.box_a, stray])
    assert closed == [stray]
    stray.refresh_from_db()
    cast.box_a.refresh_from_db()
    assert (stray.status, cast.box_a.status) == (PoliceBox.Status.CLOSED, PoliceBox.Status.OPEN)


def test_boxes_move_to_another_station_and_outsiders_may_not(cast):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    assert services.reassign_station(cast.planner, [cast.box_a, cast.box_c], cast.south) == 1
    cast.box_a.refresh_from_db()
    assert cast.box_a.station == cast.south
    with pytest.raises(PermissionDenied):
        services.reassign_station(cast.officer_a, [cast.box_a], cast.north)


def test_the_admin_actions_go_through_the_services(cast, client):  # type: ignore[no-untyped-def]
    copy = duplicate_of(cast.box_c, "C2")
    client.force_login(cast.planner)
    url = "/admin/organization/policebox/"
    page = client.get(url).content.decode()
    assert "merge_duplicates" in page and "move_to_station" in page and "close_outside_the_area" in page
    answer = client.post(
        url, {"action": "merge_duplicates", "_selected_action": [copy.pk], "into": cast.box_c.pk}, follow=True
    )
    assert "1 boxes merged into" in answer.content.decode()
    copy.refresh_from_db()
    assert copy.merged_into == cast.box_c
    refused = client.post(
        url,
        {"action": "merge_duplicates", "_selected_action": [cast.box_a.pk, cast.box_b.pk], "into": ""},
        follow=True,
    )
    assert "still own current beats" in refused.content.decode()
    moved = client.post(
        url,
        {"action": "move_to_station", "_selected_action": [cast.box_a.pk], "station": cast.south.pk},
        follow=True,
    )
    assert "1 boxes moved to" in moved.content.decode()
    assert PoliceBox.objects.get(pk=cast.box_a.pk).station == cast.south
