"""The demo prefecture, generated once for the whole module inside a transaction rolled back at the end."""

from __future__ import annotations

import random
import stat
import time
from collections import Counter
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import networkx as nx
import pytest
import shapely
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from koban.accounts.models import Role, User
from koban.audit.models import AuditEvent
from koban.demo.city import make_plan
from koban.demo.context import DemoContext
from koban.demo.generator import DEMO_SOURCE, Summary, demo_agency, generate, run_app_steps
from koban.demo.people import Login, logins_path, read_logins
from koban.demo.reset import delete_demo
from koban.geography.models import AdminArea, Beat, BeatVersion, RoadSegment
from koban.geography.services import check_version
from koban.lib.geo import area_m2, distance_m
from koban.organization.models import Agency, PoliceBox, PoliceStation
from tests import clock

SEED = 2026


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # Messages are checked in English whatever the default language.
    with translation.override("en"):
        yield


@dataclass
class Demo:
    summary: Summary
    logins: list[Login]
    data_dir: Path
    output: str
    seconds: float


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("demo-data")
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir), translation.override("en"):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            started = time.monotonic()
            summary, logins = generate(SEED, out, steps=[], data_dir=data_dir)
            yield Demo(summary, logins, data_dir, out.getvalue(), time.monotonic() - started)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def agency(demo, db) -> Agency:  # type: ignore[no-untyped-def]
    found = demo_agency()
    assert found is not None
    return found


def test_the_same_seed_gives_the_same_prefecture(agency):  # type: ignore[no-untyped-def]
    again = make_plan(SEED)
    boxes = list(PoliceBox.objects.filter(station__agency=agency).order_by("station__code", "code"))
    assert len(again.boxes) == len(boxes)
    assert AdminArea.objects.filter(source=DEMO_SOURCE, level="town").count() == len(again.areas)
    assert RoadSegment.objects.filter(source=DEMO_SOURCE).count() == len(again.network.roads)
    first_saved = PoliceBox.objects.get(station__agency=agency, station__code="CHUO", code="K01")
    first_planned = next(b for b in again.boxes if b.station == 0 and b.code == "K01")
    assert first_saved.name == first_planned.name
    # Saved location = the planned metres projected to WGS84.
    from koban.demo.generator import _Projector

    expected = _Projector().point(first_planned.xy)
    assert distance_m(first_saved.location.x, first_saved.location.y, expected.x, expected.y) < 0.01


def test_another_seed_gives_another_prefecture(agency):  # type: ignore[no-untyped-def]
    from koban.demo.generator import _Projector

    other = make_plan(7)
    saved = PoliceBox.objects.get(station__agency=agency, station__code="CHUO", code="K04")
    planned = _Projector().point(next(b for b in other.boxes if b.station == 0 and b.code == "K04").xy)
    assert distance_m(saved.location.x, saved.location.y, planned.x, planned.y) > 10


def test_three_stations_with_15_to_20_koban_and_at_least_5_chuzaisho(agency):  # type: ignore[no-untyped-def]
    stations = PoliceStation.objects.filter(agency=agency)
    assert stations.count() == 3
    kinds = Counter(PoliceBox.objects.filter(station__agency=agency).values_list("kind", flat=True))
    assert 15 <= kinds["koban"] <= 20
    assert kinds["chuzaisho"] >= 5
    for station in stations:
        assert station.area is not None and station.address.startswith("デモ県")
        assert station.boxes.exists()
    assert all(name.endswith(("交番", "駐在所")) for name in PoliceBox.objects.values_list("name", flat=True))


def test_about_200000_residents_in_town_areas_that_tile_the_municipalities(demo, agency):  # type: ignore[no-untyped-def]
    towns = AdminArea.objects.filter(source=DEMO_SOURCE, level="town")
    residents = sum(towns.values_list("population", flat=True))
    assert 180_000 <= residents <= 220_000
    assert residents == demo.summary.residents
    for municipality in AdminArea.objects.filter(source=DEMO_SOURCE, level="municipality"):
        children = [shapely.from_wkb(bytes(t.geom.wkb)) for t in municipality.children.all()]
        whole = shapely.from_wkb(bytes(municipality.geom.wkb))
        assert shapely.symmetric_difference(shapely.union_all(children), whole).area < 1e-9
        assert municipality.population == sum(t.population for t in municipality.children.all())


def test_households_are_smaller_in_the_city_than_in_the_country(agency):  # type: ignore[no-untyped-def]
    sizes = {}
    for municipality in AdminArea.objects.filter(source=DEMO_SOURCE, level="municipality"):
        sizes[municipality.name] = municipality.population / municipality.households
    assert 2.0 <= sizes["桜ヶ丘市"] <= 2.4
    assert 2.6 <= sizes["山辺村"] <= 3.0


def test_the_centre_is_far_denser_than_the_edges(agency):  # type: ignore[no-untyped-def]
    centre = PoliceStation.objects.get(agency=agency, code="CHUO").location
    inner, outer = [0, 0.0], [0, 0.0]
    for town in AdminArea.objects.filter(source=DEMO_SOURCE, level="town"):
        spot = town.geom.point_on_surface
        distance = distance_m(centre.x, centre.y, spot.x, spot.y)
        bucket = inner if distance < 2_000 else outer if distance > 10_000 else None
        if bucket is not None:
            bucket[0] += town.population
            bucket[1] += area_m2(shapely.from_wkb(bytes(town.geom.wkb))) / 1e6
    assert inner[1] > 0 and outer[1] > 0
    assert inner[0] / inner[1] > 20 * outer[0] / outer[1]
    # Chome are small in the centre and large at the edges.
    assert AdminArea.objects.filter(source=DEMO_SOURCE, level="town").count() > 300


def test_every_box_has_a_beat_in_the_active_version_and_beats_neither_overlap_nor_leave_gaps(agency):  # type: ignore[no-untyped-def]
    version = BeatVersion.objects.active().get(agency=agency)
    boxes = set(PoliceBox.objects.filter(station__agency=agency).values_list("pk", flat=True))
    assert set(version.beats.values_list("box_id", flat=True)) == boxes
    report = check_version(version)
    assert report.overlaps == []
    assert report.gaps == []
    beats = list(Beat.objects.filter(version=version))
    assert sum(b.population for b in beats) == sum(
        AdminArea.objects.filter(source=DEMO_SOURCE, level="town").values_list("population", flat=True)
    )


def test_the_road_graph_is_connected(demo, agency):  # type: ignore[no-untyped-def]
    graph = nx.Graph()
    kinds = Counter()
    for segment in RoadSegment.objects.filter(source=DEMO_SOURCE):
        coords = segment.geom.coords
        start = (round(coords[0][0], 7), round(coords[0][1], 7))
        end = (round(coords[-1][0], 7), round(coords[-1][1], 7))
        graph.add_edge(start, end)
        kinds[segment.kind] += 1
        assert segment.length_m > 0 and segment.name
    assert nx.is_connected(graph)
    assert set(kinds) >= {"major", "minor", "residential"}
    assert demo.summary.road_km > 300


def test_every_officer_is_posted_according_to_the_role(agency):  # type: ignore[no-untyped-def]
    users = list(User.objects.filter(agency=agency).select_related("box"))
    by_role = Counter(u.role for u in users)
    assert by_role[Role.STATION_CHIEF] == 3
    assert by_role[Role.HQ_PLANNER] == 1 and by_role[Role.ADMINISTRATOR] == 1
    assert by_role[Role.BOX_COUNSELLOR] >= 3
    for user in users:
        assert user.display_name
        if user.role in (Role.BOX_OFFICER, Role.BOX_COUNSELLOR):
            assert user.box is not None and user.station_id == user.box.station_id
        elif user.role in (Role.STATION_CHIEF, Role.VOLUNTEER, Role.PARTNER):
            # A community login's station only says where its group or organization works; it opens nothing.
            assert user.station is not None and user.box is None
        else:
            assert user.station is None and user.box is None
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for box in PoliceBox.objects.filter(station__agency=agency):
        officers = box.staff.filter(role=Role.BOX_OFFICER).count()
        assert (officers == 1) if box.kind == "chuzaisho" else (3 <= officers <= 5)


def test_the_logins_file_is_private_and_its_passwords_work(demo, agency, settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    path = logins_path(demo.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = read_logins(path)
    assert {login.username for login in logins} == set(
        User.objects.filter(agency=agency).values_list("username", flat=True)
    )
    assert len({login.password for login in logins}) == len(logins)
    for login in [*random.Random(1).sample(logins, 5), next(x for x in logins if x.username == "admin")]:
        assert check_password(login.password, User.objects.get(username=login.username).password)


def test_a_second_load_is_a_no_op_that_prints_the_logins(demo, agency):  # type: ignore[no-untyped-def]
    before = (
        User.objects.count(),
        PoliceBox.objects.count(),
        AdminArea.objects.count(),
        RoadSegment.objects.count(),
    )
    out = StringIO()
    with override_settings(DATA_DIR=demo.data_dir):
        call_command("load_demo", stdout=out)
    after = (
        User.objects.count(),
        PoliceBox.objects.count(),
        AdminArea.objects.count(),
        RoadSegment.objects.count(),
    )
    assert after == before
    text = out.getvalue()
    assert "already loaded" in text
    admin = next(x for x in demo.logins if x.username == "admin")
    assert admin.password in text and "planner" in text and "chief." in text and "counsellor." in text
    assert str(logins_path(demo.data_dir)) in text


def test_a_lost_logins_file_gets_new_passwords(demo, agency, tmp_path):  # type: ignore[no-untyped-def]
    out = StringIO()
    with override_settings(DATA_DIR=tmp_path):
        call_command("load_demo", stdout=out)
    logins = read_logins(logins_path(tmp_path))
    assert len(logins) == User.objects.filter(agency=agency).count()
    assert "missing" in out.getvalue()


def test_generation_reports_progress_and_a_summary(demo, agency):  # type: ignore[no-untyped-def]
    assert "[network]" in demo.output and "beats derived and activated" in demo.output
    lines = "\n".join(demo.summary.lines())
    assert "residents" in lines and "koban" in lines and "km of roads" in lines
    assert demo.seconds < 60


def test_a_reset_deletes_the_demo_and_builds_it_again_with_the_same_logins(demo, agency):  # type: ignore[no-untyped-def]
    old_boxes = set(PoliceBox.objects.filter(station__agency=agency).values_list("pk", flat=True))
    counts = (
        AdminArea.objects.filter(source=DEMO_SOURCE).count(),
        RoadSegment.objects.filter(source=DEMO_SOURCE).count(),
    )
    out = StringIO()
    summary, logins = generate(SEED, out, reset=True, steps=[], data_dir=demo.data_dir)
    assert "deleted the old demo" in out.getvalue()
    new = demo_agency()
    assert new is not None and new.pk != agency.pk
    assert not Agency.objects.filter(pk=agency.pk).exists()
    assert not PoliceBox.objects.filter(pk__in=old_boxes).exists()
    assert counts == (
        AdminArea.objects.filter(source=DEMO_SOURCE).count(),
        RoadSegment.objects.filter(source=DEMO_SOURCE).count(),
    )
    assert summary.residents == demo.summary.residents
    assert {x.username: x.password for x in logins} == {x.username: x.password for x in demo.logins}


def test_deleting_the_demo_leaves_no_demo_rows(agency):  # type: ignore[no-untyped-def]
    trail = AuditEvent.objects.count()
    assert trail > 0
    delete_demo(agency, DEMO_SOURCE)
    # The append-only trail outlives the demo's users, boxes and records, untouched.
    assert AuditEvent.objects.count() == trail
    assert not Agency.objects.filter(pk=agency.pk).exists()
    assert not AdminArea.objects.filter(source=DEMO_SOURCE).exists()
    assert not RoadSegment.objects.filter(source=DEMO_SOURCE).exists()
    assert not User.objects.filter(username__in=["admin", "planner", "chief.chuo"]).exists()
    assert not BeatVersion.objects.filter(agency_id=agency.pk).exists()


def test_deleting_the_demo_deletes_apartment_units_before_their_building(agency):  # type: ignore[no-untyped-def]
    from koban.households.models import Household, Kind

    box = PoliceBox.objects.filter(station__agency=agency).first()
    building = Household.objects.create(
        agency=agency, box=box, point=box.location, address="1-1 Demo", kind=Kind.APARTMENT_BUILDING
    )
    Household.objects.create(
        agency=agency,
        box=box,
        point=box.location,
        address="1-1 Demo 101",
        kind=Kind.APARTMENT_UNIT,
        building=building,
    )
    delete_demo(agency, DEMO_SOURCE)  # the unit PROTECTs its building: units have to go first
    assert not Household.objects.filter(agency_id=agency.pk).exists()


def test_app_steps_run_in_order_and_missing_demo_modules_are_skipped(agency):  # type: ignore[no-untyped-def]

    out = StringIO()
    context = DemoContext(seed=SEED, agency=agency, now=clock.now(), stdout=out)
    done = run_app_steps(context, ["tests.demo.sample_app", "koban.web", "tests.demo.no_such_app"])
    boxes = PoliceBox.objects.filter(station__agency=agency).count()
    expected_draw = random.Random(f"{SEED}:sample_app").random()
    assert done == [("sample_app", f"step sample_app saw {boxes} boxes, first draw {expected_draw:.6f}")]
    assert "[sample_app]" in out.getvalue()


def test_an_import_error_inside_a_demo_step_is_not_hidden(agency):  # type: ignore[no-untyped-def]

    context = DemoContext(seed=SEED, agency=agency, now=clock.now(), stdout=StringIO())
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        run_app_steps(context, ["tests.demo.sample_broken"])
