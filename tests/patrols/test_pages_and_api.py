from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from koban.audit.models import AuditEvent
from koban.patrols import services
from koban.patrols.models import Patrol
from tests import clock
from tests.factories import PASSWORD
from tests.patrols.helpers import T0, gpx, walk

pytestmark = pytest.mark.django_db
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def patrol(cast):
    return services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
    )


def test_an_officer_records_a_drawn_patrol_from_the_page(client, cast):
    _login(client, "officer_a")
    assert client.get("/patrols/new/").status_code == 200
    end = clock.local_now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
    response = client.post(
        "/patrols/new/",
        {
            "box": cast.box_a.pk,
            "kind": "foot",
            "officers": [cast.officer_a.pk],
            "started_at": (end - datetime.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": end.strftime("%Y-%m-%dT%H:%M"),
            "route": json.dumps(LINE),
        },
    )
    patrol = Patrol.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patrols/{patrol.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_an_uploaded_malformed_gpx_shows_the_parsers_line(client, cast):
    _login(client, "officer_a")
    upload = SimpleUploadedFile("track.gpx", b"<gpx>\n<trk>\n</gpx>", content_type="application/gpx+xml")
    response = client.post(
        "/patrols/new/",
        {"box": cast.box_a.pk, "kind": "foot", "officers": [cast.officer_a.pk], "gpx": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        response.status_code == 200 and "not well-formed XML" in response.text and "line 3" in response.text
    )
    assert not Patrol.objects.exists()


def test_a_counsellor_cannot_record_patrols(client, cast):
    _login(client, "counsellor_a")
    assert client.get("/patrols/new/").status_code == 403
    response = client.post(
        "/api/v1/patrols/",
        {
            "box": cast.box_a.pk,
            "officers": [cast.officer_a.pk],
            "route": LINE,
            "started_at": T0.isoformat(),
            "ended_at": (T0 + datetime.timedelta(hours=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_patrols_of_another_station_are_not_visible(client, cast, patrol):
    officer_c = cast.officer_a.__class__.objects.create_user(
        "officer_c",
        password=PASSWORD,
        role="box_officer",
        agency=cast.agency,
        station=cast.south,
        box=cast.box_c,
    )
    _login(client, officer_c.username)
    assert client.get(f"/patrols/{patrol.pk}/").status_code == 404
    assert client.get("/api/v1/patrols/").json()["features"] == []
    _login(client, "officer_b")  # same station, another box: patrol logs stay with the box
    assert client.get(f"/patrols/{patrol.pk}/").status_code == 404
    response = client.post(
        f"/patrols/{patrol.pk}/add/card/", {"card-address": "x", "card-left_at": "2026-03-02T10:20"}
    )
    assert response.status_code == 404


def test_a_patrol_card_is_added_from_the_detail_page(client, cast, patrol):
    _login(client, "officer_a")
    response = client.post(
        f"/patrols/{patrol.pk}/add/card/",
        {
            "card-address": "中央区1-2-3",
            "card-left_at": "2026-03-02T10:20",
            "card-lon": "139.702",
            "card-lat": "35.6016",
        },
    )
    assert response.status_code == 302
    assert patrol.cards.get().address == "中央区1-2-3"
    assert AuditEvent.objects.filter(action="patrols.add_card", actor=cast.officer_a).exists()
    page = client.get(f"/patrols/{patrol.pk}/")
    assert "中央区1-2-3" in page.text


def test_the_api_records_a_gpx_upload_and_rejects_a_huge_one(client, cast, settings):
    _login(client, "officer_a")
    upload = SimpleUploadedFile("t.gpx", gpx(walk()))
    response = client.post(
        "/api/v1/patrols/", {"box": cast.box_a.pk, "officers": [cast.officer_a.pk], "gpx": upload}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["properties"]["source"] == "gpx" and len(body["properties"]["stops"]) == 1
    settings.KOBAN_GPX_MAX_BYTES = 100
    upload = SimpleUploadedFile("t.gpx", gpx(walk()))
    response = client.post(
        "/api/v1/patrols/", {"box": cast.box_a.pk, "officers": [cast.officer_a.pk], "gpx": upload}
    )
    assert response.status_code == 400 and "limit" in response.json()["gpx"][0]


def test_the_coverage_page_and_api(client, cast, patrol):
    _login(client, "officer_a")
    page = client.get(f"/patrols/coverage/?beat={cast.beat_a.pk}&date=2026-03-04", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Area visited (grid)" in page.text
    data = client.get(f"/api/v1/patrols/coverage?beat={cast.beat_a.pk}&date=2026-03-04").json()
    assert data["mode"] == "grid" and data["patrols"] == 1 and data["percent"] > 0
    assert client.get(f"/api/v1/patrols/coverage?beat={cast.beat_a.pk}&date=soon").status_code == 400
    assert client.get(f"/api/v1/patrols/coverage?beat={cast.beat_c.pk}").status_code == 404
