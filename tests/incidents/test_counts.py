"""Counts by box (with the police label beside them), beat, station, area and category."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from koban.incidents.counts import count_incidents, label_key
from koban.incidents.importers.loader import import_incidents_file
from koban.incidents.models import Incident
from tests.incidents.test_import_placement import COLUMNS
from tests.personas import LAT, LON

A, B, C = (LON + 0.005, LAT + 0.005), (LON + 0.015, LAT + 0.005), (LON + 0.025, LAT + 0.005)


def labelled(cast, tmp_path):  # type: ignore[no-untyped-def]
    """Five thefts with the box the police name: A×2 (one named B), B×1, C×1 named A, one unlabelled."""
    rows = [
        (A, "Ekimae Koban"),
        (A, "Yamate Chuzaisho"),
        (B, "Yamate Chuzaisho"),
        (C, "Ekimae Koban"),
        (C, ""),
    ]
    lines = [
        f"窃盗,自転車盗,{'North' if box else ''},{box},122173,千葉県,柏市,x,2022-02-1{i},08,その他,,{x},{y}"
        for i, ((x, y), box) in enumerate(rows)
    ]
    path = tmp_path / "geocoded.csv"
    path.write_text("\n".join([COLUMNS + ",lon,lat", *lines]) + "\n", encoding="utf-8")
    report = import_incidents_file(path, "chiba", agency=cast.agency, commit=True)
    assert report.committed and report.rows_imported == 5


def test_counts_by_box_compare_the_placed_box_with_the_police_label(cast, tmp_path):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    counts = count_incidents(Incident.objects.all(), "box")
    rows = {r.name: (r.incidents, r.labelled, r.agreeing, r.named) for r in counts.rows}
    assert rows == {
        "Ekimae Koban": (2, 2, 1, 2),
        "Yamate Chuzaisho": (1, 1, 1, 2),
        "Minato Koban": (2, 1, 0, 0),
    }
    assert (counts.total, counts.labelled, counts.agreeing) == (5, 4, 2)
    assert counts.agreement == 0.5
    assert counts.as_dict()["rows"][0]["agreement"] is not None


@pytest.mark.parametrize(
    ("by", "expected"),
    [("station", {"North Station": 3, "South Station": 2}), ("beat", {"A-1": 2, "B-1": 1, "C-1": 2})],
)
def test_counts_by_station_and_beat(cast, tmp_path, by, expected):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    assert {r.name: r.incidents for r in count_incidents(Incident.objects.all(), by).rows} == expected


def test_label_keys_ignore_spelling() -> None:
    assert label_key("柏 大津ヶ丘交番") == label_key("柏警察署 大津ケ丘交番")
    assert label_key("柏") is None


def test_the_command_prints_the_agreement_and_can_fail_below_a_threshold(cast, tmp_path):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    out = StringIO()
    with translation.override("en"):
        call_command("incident_counts", "--agency", cast.agency.code, "--by", "box", stdout=out)
        assert "Agreement with the source's labels: 2 of 4 (50.0 %)" in out.getvalue()
        call_command("incident_counts", "--agency", cast.agency.code, "--min-agreement", "50", stdout=out)
        with pytest.raises(CommandError, match=r"below 60\.0"):
            call_command("incident_counts", "--agency", cast.agency.code, "--min-agreement", "60", stdout=out)
        with pytest.raises(CommandError, match="not a date"):
            call_command("incident_counts", "--agency", cast.agency.code, "--from", "yesterday", stdout=out)


def test_the_api_counts_by_box_in_one_call_within_the_readers_scope(cast, tmp_path, client):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    client.force_login(cast.planner)
    answer = client.get("/api/v1/incidents/counts/?by=box").json()
    assert (answer["total"], answer["labelled"], answer["agreeing"], answer["agreement"]) == (5, 4, 2, 0.5)
    assert {r["name"]: r["incidents"] for r in answer["rows"]} == {
        "Ekimae Koban": 2,
        "Yamate Chuzaisho": 1,
        "Minato Koban": 2,
    }
    assert client.get("/api/v1/incidents/counts/?by=planet").status_code == 400
    assert client.get("/api/v1/incidents/counts/?by=label").json()["total"] == 5
    # An officer counts only what they may read: their own box.
    client.force_login(cast.officer_a)
    mine = client.get("/api/v1/incidents/counts/?by=box").json()
    assert {r["name"] for r in mine["rows"]} <= {"Ekimae Koban"}


def test_the_page_shows_the_table_and_exports_csv(cast, tmp_path, client):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    client.force_login(cast.planner)
    page = client.get("/incidents/counts/?by=box")
    assert page.status_code == 200 and "Ekimae Koban" in page.content.decode()
    csv_text = client.get("/incidents/counts/?by=box&format=csv").content.decode()
    assert csv_text.splitlines()[0] == "key,name,incidents,labelled,agreeing,named,agreement"
    assert any(line.endswith(",2,2,1,2,0.5000") for line in csv_text.splitlines())


def test_the_page_maps_boxes_as_sized_points_and_beats_as_shaded_polygons(cast, tmp_path, client):  # type: ignore[no-untyped-def]
    import json
    import re

    labelled(cast, tmp_path)
    client.force_login(cast.planner)

    def map_data(by: str):  # type: ignore[no-untyped-def]
        page = client.get(f"/incidents/counts/?by={by}").content.decode()
        found = re.search(r'<script id="count-map-data" type="application/json">(.*?)</script>', page, re.S)
        assert found and 'id="count-map"' in page and "incidents/count_map.js" in page
        return json.loads(found.group(1))

    boxes = map_data("box")
    points = {
        f["properties"]["name"]: (f["geometry"], f["properties"]["incidents"]) for f in boxes["features"]
    }
    assert boxes["by"] == "box" and set(points) == {"Ekimae Koban", "Yamate Chuzaisho", "Minato Koban"}
    assert points["Ekimae Koban"] == ({"type": "Point", "coordinates": list(cast.box_a.location.coords)}, 2)
    beats = map_data("beat")
    shaded = {f["properties"]["name"]: f for f in beats["features"]}
    assert {name: f["properties"]["incidents"] for name, f in shaded.items()} == {
        "A-1": 2,
        "B-1": 1,
        "C-1": 2,
    }
    assert {f["geometry"]["type"] for f in beats["features"]} <= {"Polygon", "MultiPolygon"}
    station_page = client.get("/incidents/counts/?by=station").content.decode()
    assert "count-map-data" not in station_page and "count_map.js" not in station_page


def test_the_incident_shows_the_box_the_police_name(cast, tmp_path, client):  # type: ignore[no-untyped-def]
    labelled(cast, tmp_path)
    incident = Incident.objects.get(box=cast.box_c, source_box_label="North Ekimae Koban")
    assert incident.label_agrees is False
    client.force_login(cast.planner)
    detail = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "North Ekimae Koban" in detail
    api = client.get(f"/api/v1/incidents/{incident.pk}/").json()["properties"]
    assert (api["source_box_label"], api["label_agrees"]) == ("North Ekimae Koban", False)
    listing = client.get("/incidents/").content.decode()
    assert "North Ekimae Koban" in listing
