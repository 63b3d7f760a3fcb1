"""The public form and outcome pages (no login) and the box's queue, request and action pages."""

from __future__ import annotations

import pytest

from koban.voice.models import Moderation, Request, Status
from koban.voice.services import Reporter
from tests.factories import sign_in
from tests.voice.helpers import IN_A, OUTSIDE, category, file_request

pytestmark = pytest.mark.django_db


def _form(point=IN_A, **fields):  # type: ignore[no-untyped-def]
    data = {
        "category": category().pk,
        "description": "Dark corner by the shrine",
        "lon": f"{point.x}",
        "lat": f"{point.y}",
        "hide_name": "on",
    }
    data.update(fields)
    return data


def test_a_resident_files_a_request_without_an_account(client, cast):  # type: ignore[no-untyped-def]
    assert client.get("/voice/new/").status_code == 200
    response = client.post("/voice/new/", _form(reporter_name="Tanaka", reporter_email="t@example.jp"))
    request = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voice/r/{request.token}/"
    assert request.box == cast.box_a and request.reporter_email == "t@example.jp" and request.hide_name
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Ekimae Koban" in page.text
    # Before moderation the resident's words are not public, and the hidden name never is.
    assert "Dark corner" not in page.text and "Tanaka" not in page.text


def test_a_place_outside_every_beat_is_answered_with_the_nearest_box(client, cast):  # type: ignore[no-untyped-def]
    response = client.post("/voice/new/", _form(OUTSIDE))
    assert response.status_code == 400 and "Minato Koban" in response.text
    assert not Request.objects.exists()


def test_the_honeypot_drops_the_post_silently(client, cast):  # type: ignore[no-untyped-def]
    response = client.post("/voice/new/", _form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/voice/thanks/"
    assert not Request.objects.exists()


def test_script_in_public_text_is_escaped_once_approved(client, cast):  # type: ignore[no-untyped-def]
    request = file_request(description='<script>alert("x")</script> & <b>bold</b>')
    Request.objects.filter(pk=request.pk).update(moderation=Moderation.APPROVED, status=Status.DONE)
    for url in (f"/voice/r/{request.token}/", "/voice/outcomes/"):
        text = client.get(url).text
        assert "<script>alert" not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_the_form_is_rate_limited_per_address_and_per_email(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_VOICE_RATE_PER_IP = "3/hour"
    settings.KOBAN_VOICE_RATE_PER_EMAIL = "1/hour"
    assert client.post("/voice/new/", _form(reporter_email="a@example.jp")).status_code == 302
    refused = client.post("/voice/new/", _form(reporter_email="A@example.jp"))
    assert refused.status_code == 429 and "e-mail address" in refused.text
    assert client.post("/voice/new/", _form()).status_code == 302
    blocked = client.post("/voice/new/", _form())
    assert blocked.status_code == 429 and "your connection" in blocked.text
    assert Request.objects.count() == 2


def test_oversized_text_is_a_field_error(client, cast):  # type: ignore[no-untyped-def]
    response = client.post("/voice/new/", _form(description="x" * 4001))
    assert response.status_code == 400 and 'id="error-description"' in response.text


def test_similar_requests_are_suggested_without_contact_details(client, cast):  # type: ignore[no-untyped-def]
    file_request(reporter=Reporter(name="Secret Name"))
    answer = client.get("/voice/similar/", {"category": category().pk, "lon": IN_A.x, "lat": IN_A.y}).json()
    assert len(answer["results"]) == 1 and "Secret Name" not in str(answer)
    bad = client.get("/voice/similar/", {"category": "x" * 50, "lon": "1e400", "lat": "nan"})
    assert bad.status_code == 200 and bad.json() == {"results": []}


def test_an_officer_moves_a_request_to_done_and_makes_an_action(client, cast):  # type: ignore[no-untyped-def]
    request = file_request()
    sign_in(client, "officer_a")
    assert "street lamp" in client.get("/voice/").text
    made = client.post(
        f"/voice/requests/{request.pk}/action/",
        {"kind": "patrol_focus", "title": "Evening patrols", "due_on": "2026-07-01", "weeks": "3"},
    )
    assert made.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACTION_PLANNED
    done = client.post(f"/voice/requests/{request.pk}/status/", {"status": "done", "note": "Lamp fixed"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.DONE
    bad = client.post(f"/voice/requests/{request.pk}/status/", {"status": "nonsense"})
    assert bad.status_code == 400


def test_the_public_form_speaks_japanese(client, cast):  # type: ignore[no-untyped-def]
    page = client.get("/voice/new/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "交番へのご要望・情報提供" in page.text and "名前を公開しない" in page.text
    refused = client.post("/voice/new/", _form(OUTSIDE), HTTP_ACCEPT_LANGUAGE="ja")
    assert "どの交番の受持区にも含まれません" in refused.text and "Minato Koban" in refused.text
