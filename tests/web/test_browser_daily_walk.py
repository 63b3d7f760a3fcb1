"""The daily walk of a box officer, in a real browser, across the daily-operations apps.

officer_a logs in and lands on the dashboard of box A with live data, records a counter matter, a
found item, a patrol from a GPX track and an incident with its arrival time, sees the dashboard and
the response-time figures follow, and downloads the daily briefing PDF in Japanese.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from tests import clock
from tests.factories import PASSWORD
from tests.personas import LAT, LON
from tests.web import dashboard_data as data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def local_input(moment: dt.datetime) -> str:
    """A moment as a datetime-local input wants it (the server's zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def gpx_track(start: dt.datetime, points: list[tuple[float, float]], step_s: int = 60) -> str:
    """A small GPX 1.1 file: one track, one point a minute."""
    rows = "\n".join(
        f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><time>'
        f"{(start + dt.timedelta(seconds=i * step_s)).astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i, (lon, lat) in enumerate(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="koban-tests" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"<trk><name>walk</name><trkseg>\n{rows}\n</trkseg></trk>\n</gpx>\n"
    )


def section_text(page, key: str) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text(f"#dash-{key}")


def open_dashboard(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("#dashboard-map.map-loaded", timeout=TIMEOUT)


def test_an_officer_walks_through_the_day(live_server, page, cast, tmp_path: Path):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=3))
    data.incident(
        cast.box_a,
        now - dt.timedelta(minutes=40),
        lon=LON + 0.002,
        lat=LAT + 0.003,
        address="駅前一丁目の自転車",
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Log in: the officer lands on the dashboard of their box, with live data.
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/boxes/{cast.box_a.id}/dashboard/", timeout=TIMEOUT)
    page.wait_for_selector("#dashboard-map.map-loaded", timeout=TIMEOUT)
    dashboard_url = page.url
    assert "駅前一丁目の自転車" in section_text(page, "open_incidents")
    assert "officer_a" in section_text(page, "on_duty")
    assert page.locator("[data-testid=box-empty]").count() == 0
    assert page.get_attribute("#dashboard-map", "data-points") == "1"
    assert page.locator("path.beat-shape").count() == 1
    assert page.inner_text("[data-testid=counter-total]") == "0"
    # On a phone the sections stack in one column, the map as wide as the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    columns = page.evaluate("getComputedStyle(document.querySelector('.dash-grid')).gridTemplateColumns")
    assert len(columns.split()) == 1, columns
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})

    # A counter matter (directions), from the dashboard's "record" links.
    page.click("[data-action=counter]")
    page.wait_for_selector("#id_summary", timeout=TIMEOUT)
    page.select_option("#id_category", index=1)
    page.fill("#id_summary", "駅への道案内")
    page.click(".counter-form button[type=submit]")
    page.wait_for_selector("text=駅への道案内", timeout=TIMEOUT)
    open_dashboard(page, dashboard_url)
    assert page.inner_text("[data-testid=counter-total]") == "1"

    # A found item handed in an hour ago.
    page.click("[data-action=found-item]")
    page.wait_for_selector("#receipt-form", timeout=TIMEOUT)
    page.select_option("#id_box", str(cast.box_a.id))
    page.select_option("#id_category", index=1)
    page.fill("#id_description", "黒い革の財布")
    page.fill("#id_found_at", local_input(now - dt.timedelta(hours=1)))
    page.fill("#id_found_place", "駅前広場のベンチ")
    page.fill("#id_handed_in_at", local_input(now - dt.timedelta(minutes=30)))
    page.click("#receipt-form button[type=submit]")
    page.wait_for_url("**/lost-found/items/*/receipt/", timeout=TIMEOUT)
    open_dashboard(page, dashboard_url)
    assert "1" in page.inner_text("#dash-lost_found .figures li:first-child")

    # A foot patrol from a GPX track across the beat.
    coverage_before = float(page.inner_text("[data-testid=coverage-percent]").split()[0])
    gpx = tmp_path / "patrol.gpx"
    points = [(LON + 0.0005 + 0.0009 * i, LAT + 0.005) for i in range(11)]
    gpx.write_text(gpx_track(now - dt.timedelta(minutes=50), points))
    page.click("[data-action=patrol]")
    page.wait_for_selector("#patrol-form", timeout=TIMEOUT)
    page.select_option("#id_box", str(cast.box_a.id))
    page.check(f"#id_officers input[value='{cast.officer_a.id}']")  # officers are chips (check boxes)
    page.set_input_files("#id_gpx", str(gpx))
    page.click("#patrol-form button[type=submit]")
    page.wait_for_url("**/patrols/*/", timeout=TIMEOUT)
    open_dashboard(page, dashboard_url)
    coverage_after = float(page.inner_text("[data-testid=coverage-percent]").split()[0])
    assert coverage_after > coverage_before
    page.wait_for_selector("#dashboard-map[data-uncovered]", timeout=TIMEOUT)
    assert page.locator("path.uncovered-cell").count() == int(
        page.get_attribute("#dashboard-map", "data-uncovered")
    )

    # A 110 call received seven minutes ago; the unit reports on scene now.
    assert page.inner_text("[data-testid=response-count]") == "0"
    page.click("[data-action=incident]")
    page.wait_for_selector("#id_category", timeout=TIMEOUT)
    page.select_option("#id_category", "theft")
    page.fill("#id_received_at", timezone.localtime(now - dt.timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M"))
    page.fill("#id_lat", f"{LAT + 0.006:.6f}")
    page.fill("#id_lon", f"{LON + 0.004:.6f}")
    page.fill("#id_address", "駅前二丁目のコンビニ")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/incidents/*/", timeout=TIMEOUT)
    page.click("form[action$='/arrive/'] button[type=submit]")
    page.wait_for_selector(".badge.status-on_scene", timeout=TIMEOUT)
    open_dashboard(page, dashboard_url)
    assert "駅前二丁目のコンビニ" in section_text(page, "open_incidents")
    assert page.inner_text("[data-testid=response-count]") == "1"
    median = page.inner_text("[data-testid=response-median]")
    minutes = int(median.split(":")[0])
    assert 6 <= minutes <= 9, median
    assert page.get_attribute("#dashboard-map", "data-points") == "2"

    # The response-time figures of the incidents app show the new response too.
    page.click("#dash-response_times .more a")
    page.wait_for_url("**/incidents/response-times/**", timeout=TIMEOUT)
    figures = page.inner_text("main")
    assert median in figures

    # The daily briefing, in Japanese, with today's records in it.
    response = page.request.get(f"{live_server.url}/boxes/{cast.box_a.id}/briefing.pdf?lang=ja")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(body)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert (
        "交番" in text and "窃盗" in text and "駅前一丁目の自転車" in text and "駅前二丁目のコンビニ" in text
    )
    assert median in text
    assert errors == []
