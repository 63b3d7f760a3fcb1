"""Places outside an agency's jurisdiction: refused at once with the nearest box named, unless confirmed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from koban.geography.importers import BoxImportOptions, import_boxes
from koban.incidents.models import IncidentCategory
from koban.incidents.services import intake_incident
from koban.organization import services
from koban.organization.jurisdiction import jurisdiction_of
from koban.organization.models import PoliceBox
from koban.patrols.routes import Route
from koban.patrols.services import record_patrol
from tests.factories import square
from tests.geography.test_import_support import write_csv
from tests.lostfound.helpers import receive
from tests.personas import LAT, LON

SYDNEY = Point(151.21, -33.86, srid=4326)
RECEIVED = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def theft(db):  # type: ignore[no-untyped-def]
    return IncidentCategory.objects.get_or_create(code="theft", defaults={"name": "Theft"})[0]


def test_without_areas_or_extent_the_fallback_country_box_is_used_and_said(cast):  # type: ignore[no-untyped-def]
    jurisdiction = jurisdiction_of(cast.agency)
    assert jurisdiction.is_fallback and jurisdiction.contains(LON, LAT)
    with pytest.raises(ValidationError) as caught:
        services.create_box(cast.planner, cast.north, code="X", name="Sydney Koban", location=SYDNEY)
    text = caught.value.message_dict["location"][0]
    assert "default extent" in text
    assert "The nearest is Ekimae Koban" in text or "The nearest is Yamate" in text or "Minato" in text
    assert "km away" in text
    assert not PoliceBox.objects.filter(code="X").exists()


def test_the_union_of_station_areas_is_the_jurisdiction(cast):  # type: ignore[no-untyped-def]
    cast.north.area = square(LON, LAT, 0.02)
    cast.north.save()
    cast.south.area = square(LON + 0.02, LAT, 0.01)
    cast.south.save()
    jurisdiction = jurisdiction_of(cast.agency, fresh=True)
    assert jurisdiction.source == "stations"
    assert jurisdiction.contains(LON + 0.025, LAT + 0.005)
    assert not jurisdiction.contains(LON + 0.5, LAT)  # still Japan, but another prefecture
    with pytest.raises(ValidationError) as caught:
        services.create_box(
            cast.planner, cast.north, code="X", name="Far", location=Point(LON + 0.5, LAT, srid=4326)
        )
    assert "outside the jurisdiction of Test Prefectural Police" in caught.value.message_dict["location"][0]


def test_a_configured_extent_wins_and_a_box_outside_can_be_confirmed(cast):  # type: ignore[no-untyped-def]
    services.update_agency(cast.planner, cast.agency, extent=square(LON, LAT, 0.03))
    outside = Point(LON + 0.05, LAT, srid=4326)
    with pytest.raises(ValidationError):
        services.create_box(cast.planner, cast.north, code="X", name="Border Koban", location=outside)
    box = services.create_box(
        cast.planner, cast.north, code="X", name="Border Koban", location=outside, outside_confirmed=True
    )
    assert box.pk
    # Moving a box is checked too; other edits of a box outside are not.
    assert services.update_box(cast.planner, box, phone="110") == ["phone"]
    with pytest.raises(ValidationError):
        services.update_box(cast.planner, cast.box_a, location=SYDNEY)


def test_the_sydney_box_and_the_zero_zero_box_are_import_errors_at_once(cast, tmp_path):  # type: ignore[no-untyped-def]
    rows = [
        ["code", "name", "station_code", "lat", "lon"],
        ["D", "Sydney Koban", "N", "-33.86", "151.21"],
        ["E", "Null Island Koban", "N", "0", "0"],
        ["F", "Shinmachi Koban", "N", f"{LAT + 0.002}", f"{LON + 0.002}"],
    ]
    path = write_csv(tmp_path / "boxes.csv", rows)
    report = import_boxes(path, BoxImportOptions(agency_code=cast.agency.code), commit=True)
    assert not report.committed
    assert [(e.line_or_feature, e.field) for e in report.errors] == [(2, "location"), (3, "location")]
    assert "km away" in report.errors[0].message
    assert not PoliceBox.objects.filter(code__in=["D", "E", "F"]).exists()
    confirmed = BoxImportOptions(agency_code=cast.agency.code, outside_confirmed=True)
    report = import_boxes(path, confirmed, commit=True)
    assert report.committed and len(report.warnings) >= 2
    assert PoliceBox.objects.filter(code__in=["D", "E", "F"]).count() == 3


def test_an_incident_in_sydney_is_refused_naming_the_nearest_box(cast, theft):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        intake_incident(cast.officer_a, category=theft, received_at=RECEIVED, lon=SYDNEY.x, lat=SYDNEY.y)
    assert "km away" in caught.value.message_dict["outside_confirmed"][0]


def test_an_officer_confirms_a_place_outside_and_it_stays_flagged(cast, theft):  # type: ignore[no-untyped-def]
    cast.north.area = square(LON, LAT, 0.03)
    cast.north.save()
    across = {"lon": LON + 0.031, "lat": LAT + 0.005}  # just across the border
    with pytest.raises(ValidationError):
        intake_incident(cast.officer_a, category=theft, received_at=RECEIVED, **across)
    result = intake_incident(
        cast.officer_a, category=theft, received_at=RECEIVED, outside_confirmed=True, **across
    )
    assert result.incident.outside_jurisdiction and result.incident.box is None


def test_a_counsellor_may_not_confirm_a_place_outside(cast, theft):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        intake_incident(
            cast.counsellor_a,
            category=theft,
            received_at=RECEIVED,
            lon=SYDNEY.x,
            lat=SYDNEY.y,
            outside_confirmed=True,
        )
    assert "may not confirm" in caught.value.message_dict["outside_confirmed"][0]


def test_a_found_item_in_sydney_is_refused(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, found_lon=SYDNEY.x, found_lat=SYDNEY.y)
    assert "km away" in caught.value.message_dict["found_outside_confirmed"][0]
    item = receive(
        cast.officer_a, cast.box_a, found_lon=SYDNEY.x, found_lat=SYDNEY.y, found_outside_confirmed=True
    )
    assert item.found_point is not None


def test_a_patrol_track_in_sydney_is_refused_but_a_border_street_is_not(cast):  # type: ignore[no-untyped-def]
    cast.north.area = square(LON, LAT, 0.02)
    cast.north.save()
    start, end = RECEIVED, RECEIVED + datetime.timedelta(hours=1)
    sydney = Route(lines=[[(SYDNEY.x, SYDNEY.y), (SYDNEY.x + 0.01, SYDNEY.y)]], times=None)
    with pytest.raises(ValidationError) as caught:
        record_patrol(
            cast.officer_a,
            cast.box_a,
            sydney,
            source="drawn",
            officers=[cast.officer_a],
            started_at=start,
            ended_at=end,
            now=end,
        )
    assert "outside_confirmed" in caught.value.message_dict
    # 100 m beyond the station's edge: within the tolerance for a track.
    border = Route(lines=[[(LON + 0.01, LAT + 0.019), (LON + 0.01, LAT + 0.021)]], times=None)
    patrol = record_patrol(
        cast.officer_a,
        cast.box_a,
        border,
        source="drawn",
        officers=[cast.officer_a],
        started_at=start,
        ended_at=end,
        now=end,
    )
    assert patrol.pk


def test_a_loss_anywhere_in_the_country_is_plausible_but_not_in_sydney(cast):  # type: ignore[no-untyped-def]
    from koban.lostfound.models import ItemCategory
    from koban.lostfound.services import report_loss

    fields = {
        "category": ItemCategory.objects.get(code="wallet"),
        "description": "black wallet",
        "owner_name": "山田花子",
        "owner_contact": "090-0000-0000",
        "lost_from": RECEIVED - datetime.timedelta(hours=3),
        "lost_to": RECEIVED - datetime.timedelta(hours=1),
        "reported_at": RECEIVED,
        "now": RECEIVED,
    }
    osaka = report_loss(cast.officer_a, cast.box_a, lost_lon=135.50, lost_lat=34.69, **fields)
    assert osaka.lost_point is not None
    with pytest.raises(ValidationError) as caught:
        report_loss(cast.officer_a, cast.box_a, lost_lon=SYDNEY.x, lost_lat=SYDNEY.y, **fields)
    assert "outside the country" in caught.value.message_dict["lost_point"][0]


def test_moving_an_incident_to_sydney_needs_a_confirmation(cast, theft):  # type: ignore[no-untyped-def]
    from koban.incidents.services import correct_incident

    incident = intake_incident(
        cast.officer_a, category=theft, received_at=RECEIVED, lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    with pytest.raises(ValidationError) as caught:
        correct_incident(cast.officer_a, incident, reason="typo", lon=SYDNEY.x, lat=SYDNEY.y)
    assert "km away" in caught.value.message_dict["outside_confirmed"][0]
    changed = correct_incident(
        cast.officer_a, incident, reason="really there", lon=SYDNEY.x, lat=SYDNEY.y, outside_confirmed=True
    )
    assert "location" in changed
