"""The cast every test can use, in one small prefecture.

Station North has boxes A (a koban) and B (a chuzaisho); station South has box C.
- ``officer_a``: box officer at A;      ``officer_b``: box officer at B;
- ``counsellor_a``: box counsellor at A; ``chief_north``: station chief of North;
- ``planner``: HQ planner of the agency; ``outsider``: HQ planner of another agency.
Beats: A, B and C tile three 0.01° squares side by side, in an active version.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point

from koban.accounts.models import Role, User
from koban.geography.models import Beat, BeatVersion
from koban.organization.models import Agency, PoliceBox, PoliceStation
from tests.factories import make_agency, make_beat, make_box, make_station, make_user, make_version, square

LON, LAT = 139.70, 35.60


@dataclass
class Cast:
    agency: Agency
    north: PoliceStation
    south: PoliceStation
    box_a: PoliceBox
    box_b: PoliceBox
    box_c: PoliceBox
    version: BeatVersion
    beat_a: Beat
    beat_b: Beat
    beat_c: Beat
    officer_a: User
    officer_b: User
    counsellor_a: User
    chief_north: User
    planner: User
    outsider: User


@pytest.fixture
def cast(db) -> Cast:  # type: ignore[no-untyped-def]
    agency = make_agency()
    other = make_agency(code="X9", name="Other Prefectural Police")
    north = make_station(
        agency, code="N", name="North Station", location=Point(LON + 0.005, LAT + 0.012, srid=4326)
    )
    south = make_station(
        agency, code="S", name="South Station", location=Point(LON + 0.025, LAT + 0.012, srid=4326)
    )
    box_a = make_box(
        north, code="A", name="Ekimae Koban", location=Point(LON + 0.005, LAT + 0.005, srid=4326)
    )
    box_b = make_box(
        north,
        code="B",
        name="Yamate Chuzaisho",
        kind="chuzaisho",
        location=Point(LON + 0.015, LAT + 0.005, srid=4326),
    )
    box_c = make_box(
        south, code="C", name="Minato Koban", location=Point(LON + 0.025, LAT + 0.005, srid=4326)
    )
    version = make_version(agency, status=BeatVersion.Status.ACTIVE, name="Initial beats")
    beat_a = make_beat(version, box_a, square(LON, LAT), code="A-1")
    beat_b = make_beat(version, box_b, square(LON + 0.01, LAT), code="B-1")
    beat_c = make_beat(version, box_c, square(LON + 0.02, LAT), code="C-1")
    return Cast(
        agency=agency,
        north=north,
        south=south,
        box_a=box_a,
        box_b=box_b,
        box_c=box_c,
        version=version,
        beat_a=beat_a,
        beat_b=beat_b,
        beat_c=beat_c,
        officer_a=make_user(Role.BOX_OFFICER, "officer_a", agency=agency, station=north, box=box_a),
        officer_b=make_user(Role.BOX_OFFICER, "officer_b", agency=agency, station=north, box=box_b),
        counsellor_a=make_user(Role.BOX_COUNSELLOR, "counsellor_a", agency=agency, station=north, box=box_a),
        chief_north=make_user(Role.STATION_CHIEF, "chief_north", agency=agency, station=north),
        planner=make_user(Role.HQ_PLANNER, "planner", agency=agency, is_staff=True),
        outsider=make_user(Role.HQ_PLANNER, "outsider", agency=other),
    )
