"""The printed patrol record: route map, stops, observations, cards; same reader scope as the page."""

from __future__ import annotations

import datetime

import pytest

from koban.audit.models import AuditEvent
from koban.patrols import services
from tests.factories import sign_in
from tests.patrols.helpers import T0
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}
NOW = T0 + datetime.timedelta(days=1)


@pytest.fixture
def patrol(cast):  # type: ignore[no-untyped-def]
    patrol = services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
        note="駅前を重点",
        now=NOW,
    )
    inside = T0 + datetime.timedelta(minutes=20)
    services.add_card(cast.officer_a, patrol, address="港区1-2-3", left_at=inside, lon=139.702, lat=35.6016)
    services.add_observation(
        cast.officer_a, patrol, kind="suspicious_person", observed_at=inside, note="黒い服の男性が徘徊"
    )
    services.add_stop(
        cast.officer_a,
        patrol,
        lon=139.703,
        lat=35.6015,
        arrived_at=inside,
        left_at=inside + datetime.timedelta(minutes=10),
        note="公園のトイレ確認",
    )
    return patrol


def test_patrol_record_prints_route_stops_and_cards(client, cast, patrol):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/patrols/{patrol.pk}/print/", {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="patrol-A-20260302-1000-{patrol.pk}-en.pdf"'
    text = pdf_text(response.content)
    assert "Patrol record" in text and "Ekimae Koban" in text and "officer_a" in text
    assert "10:20–10:30" in text and "10 min" in text and "公園のトイレ確認" in text
    assert "港区1-2-3" in text and "黒い服の男性が徘徊" in text and "駅前を重点" in text
    assert b"/Subtype /Image" in response.content or b"/Subtype/Image" in response.content  # the map
    actions = set(AuditEvent.objects.filter(action__endswith=".read").values_list("action", flat=True))
    assert actions == {"patrols.patrolcard.read", "patrols.observation.read"}


def test_counsellor_gets_no_suspicious_person_observation(client, cast, patrol):  # type: ignore[no-untyped-def]
    sign_in(client, "counsellor_a")
    response = client.get(f"/patrols/{patrol.pk}/print/", {"lang": "ja"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "黒い服の男性が徘徊" not in text and "公園のトイレ確認" in text and "巡回記録" in text


def test_another_boxs_patrol_is_404(client, cast, patrol):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    assert client.get(f"/patrols/{patrol.pk}/print/").status_code == 404
    assert client.get("/patrols/999999/print/").status_code == 404


def test_bad_language_is_400_and_the_page_links_the_printout(client, cast, patrol):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    assert client.get(f"/patrols/{patrol.pk}/print/", {"lang": "fr"}).status_code == 400
    assert f"/patrols/{patrol.pk}/print/" in client.get(f"/patrols/{patrol.pk}/").text
