"""The patrol list: paged (no silent stop at 300), filters shared with the API, searchable notes, export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from koban.patrols import services
from tests.factories import sign_in
from tests.patrols.helpers import T0

pytestmark = pytest.mark.django_db
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}


def _patrol(cast, hours_before: int, note: str = ""):  # type: ignore[no-untyped-def]
    start = T0 - datetime.timedelta(hours=hours_before)
    return services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=30),
        note=note,
    )


def test_patrols_are_paged_and_searchable_alike_on_page_and_api(client, cast):
    for i in range(52):
        _patrol(cast, 2 * i + 2, note="公園の見回り" if i == 0 else "")
    sign_in(client, "officer_a")
    first = client.get("/patrols/")
    assert len(first.context["patrols"]) == 50 and first.context["page"].paginator.count == 52
    assert len(client.get("/patrols/", {"page": 2}).context["patrols"]) == 2
    page = {p.pk for p in client.get("/patrols/", {"q": "公園"}).context["patrols"]}
    api = {f["id"] for f in client.get("/api/v1/patrols/", {"q": "公園"}).json()["features"]}
    assert len(page) == 1 and page == api
    assert client.get("/api/v1/patrols/", {"kind": "rocket"}).status_code == 400
    rows = list(
        csv.reader(io.StringIO(client.get("/patrols/export/", {"q": "公園"}).content.decode("utf-8-sig")))
    )
    assert len(rows) == 2 and "公園の見回り" in rows[1]
