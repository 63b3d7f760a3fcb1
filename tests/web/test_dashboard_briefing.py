"""The daily briefing PDF: produced in Japanese and English, with the dashboard's content."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tests import clock
from tests.factories import sign_in
from tests.personas import LAT, LON
from tests.web import dashboard_data as data


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def busy_box(cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    data.incident(
        cast.box_a, now - dt.timedelta(hours=3), lon=LON + 0.002, lat=LAT + 0.002, address="駅前1丁目"
    )
    data.incident(
        cast.box_a,
        now - dt.timedelta(days=2),
        lon=LON + 0.006,
        lat=LAT + 0.003,
        code="burglary",
        response_s=420,
    )
    data.counter_matter(cast.box_a, cast.officer_a, clock.earlier_today(dt.timedelta(minutes=20)))
    data.found_item_with_task(
        cast.box_a,
        cast.officer_a,
        now,
        clock.local_today(),
        handed_in_at=clock.earlier_today(dt.timedelta(hours=1)),
    )
    return cast


def test_the_briefing_is_a_pdf_in_japanese(client, busy_box, tmp_path):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/boxes/{busy_box.box_a.id}/briefing.pdf", {"lang": "ja"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "-ja.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    # Category labels, the box kind and the address come out in Japanese (CJK font embedded).
    assert "窃盗" in text and "侵入盗" in text and "交番" in text and "駅前1丁目" in text
    assert "Theft" not in text
    # The headings are translated too (English ones would mean a missing catalogue).
    assert "Daily briefing" not in text and "Open incidents" not in text
    assert "Ekimae Koban" in text and "North Station" in text
    handover = clock.local_today().isoformat()
    assert f"{handover} 08:30" in text or "08:30" in text
    assert "officer_a" in text  # on duty


@pytest.mark.dates
def test_the_briefing_in_english_has_the_english_headings(client, busy_box, tmp_path):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/boxes/{busy_box.box_a.id}/briefing.pdf", {"lang": "en"})
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    for heading in (
        "Daily briefing",
        "Shift handover",
        "On duty",
        "Open incidents",
        "Incidents in the beat",
        "Counter matters today",
        "Lost and found today",
        "110 response times",
        "Unpatrolled this week",
    ):
        assert heading in text, heading
    assert "Theft" in text and "Burglary" in text
    assert "7:00" in text  # the one measured response, 7 minutes


def test_the_briefing_defaults_to_the_users_language(client, busy_box, tmp_path):  # type: ignore[no-untyped-def]
    busy_box.officer_a.language = "en"
    busy_box.officer_a.save(update_fields=["language"])
    sign_in(client, "officer_a")
    response = client.get(f"/boxes/{busy_box.box_a.id}/briefing.pdf", HTTP_ACCEPT_LANGUAGE="ja")
    assert "-en.pdf" in response["Content-Disposition"]
    assert "Theft" in pdf_text(response.content, tmp_path)


def test_an_unknown_briefing_language_is_refused(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/boxes/{cast.box_a.id}/briefing.pdf", {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert b"lang" in response.content


def test_the_beat_map_image_is_drawn_without_tiles() -> None:
    from koban.lib.mapimage import beat_map_png

    square = {
        "type": "Polygon",
        "coordinates": [
            [[139.70, 35.60], [139.71, 35.60], [139.71, 35.61], [139.70, 35.61], [139.70, 35.60]]
        ],
    }
    png = beat_map_png(
        [square], [(139.705, 35.605, "#e15759")], [("窃盗", "#e15759")], legend_title="過去7日間"
    )
    assert png.startswith(b"\x89PNG")
    empty = beat_map_png([], [], [])
    assert empty.startswith(b"\x89PNG")
