"""The alert pages: drafting with the structured form, approval, public page, CAP XML, GeoJSON, Atom feeds,
sign-up with double opt-in, confirmation and one-click unsubscribe with signed links."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client
from lxml import etree

from koban.alerts.models import Alert, Subscription
from koban.alerts.tokens import confirm_token, unsubscribe_token
from tests.alerts.helpers import draft, released, subscriber

pytestmark = pytest.mark.django_db

FORM = {
    "box": "",
    "status": "Actual",
    "occurred_at": "2026-06-10T09:30",
    "place": "Ekimae park",
    "what_happened": "A man followed a pupil.",
    "sex": "male",
    "age_range": "30s",
    "height_cm": "170",
    "build": "medium",
    "clothing": "blue coat",
    "vehicle": "",
    "area_kind": "beat",
    "area_desc": "",
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_drafts_from_the_form_and_the_chief_approves(cast) -> None:  # type: ignore[no-untyped-def]
    officer = _client(cast.officer_a)
    response = officer.post("/alerts/new/suspicious_person/", FORM | {"box": cast.box_a.pk})
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"
    assert alert.info_in("en").headline == "Suspicious person near Ekimae park"
    page = officer.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Approve and send" not in page and "Nothing is sent before the alert is approved." in page
    chief = _client(cast.chief_north)
    assert "Approve and send" in chief.get(f"/alerts/{alert.pk}/").content.decode()
    assert chief.post(f"/alerts/{alert.pk}/approve/").status_code == 302
    alert.refresh_from_db()
    assert alert.state == Alert.State.RELEASED
    progress = chief.get(f"/alerts/{alert.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in progress  # still polling: the fan-out has not run


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"place": ""}, "place", "This field is required."),
        ({"height_cm": "900"}, "height_cm", "less than or equal to 250"),
        (
            {
                "area_kind": "drawn",
                "drawn_area": '{"type": "Polygon", "coordinates": [[[139.7, 35.6], [139.8, 35.7], [139.7, 35.7], [139.8, 35.6], [139.7, 35.6]]]}',
            },
            "area_kind",
            "not a valid polygon",
        ),
        ({"area_kind": "drawn", "drawn_area": "not json"}, "area_kind", "Draw the area on the map."),
        ({"area_kind": "circle", "circle_lat": "35.6"}, "circle_radius_km", "Give the centre and the radius"),
        (
            {"area_kind": "circle", "circle_lat": "35.6", "circle_lon": "139.7", "circle_radius_km": "400"},
            "areas",
            "tick the confirmation",
        ),
        ({"sex": "alien"}, "sex", "Select a valid choice."),
    ],
)
def test_bad_input_in_the_form_names_the_field_and_saves_nothing(cast, changes, field, message) -> None:  # type: ignore[no-untyped-def]
    response = _client(cast.officer_a).post(
        "/alerts/new/suspicious_person/", FORM | {"box": cast.box_a.pk} | changes
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Alert.objects.exists()


def test_a_counsellor_may_not_draft(cast) -> None:  # type: ignore[no-untyped-def]
    assert _client(cast.counsellor_a).get("/alerts/new/suspicious_person/").status_code == 403
    assert _client(cast.officer_a).get("/alerts/new/no_such_form/").status_code == 404


def test_the_public_page_cap_xml_geojson_and_feeds(cast) -> None:  # type: ignore[no-untyped-def]
    alert = released(cast)
    hidden = draft(cast)
    public = Client()
    assert public.get(f"/alerts/public/{hidden.pk}/").status_code == 404
    page = public.get(f"/alerts/public/{alert.pk}/").content.decode()
    assert "Suspicious person near Ekimae 2-chome park" in page
    cap = public.get(f"/alerts/public/{alert.pk}/cap.xml")
    assert cap["Content-Type"].startswith("application/cap+xml") and cap.content.decode() == alert.cap_xml
    collection = json.loads(public.get("/alerts/public/alerts.geojson").content)
    assert [f["id"] for f in collection["features"]] == [alert.pk]
    assert collection["features"][0]["geometry"]["type"] == "MultiPolygon"
    for url in (
        f"/alerts/feeds/agency/{cast.agency.code}.atom",
        f"/alerts/feeds/station/{cast.north.pk}.atom",
        f"/alerts/feeds/box/{cast.box_a.pk}.atom",
    ):
        feed = etree.fromstring(public.get(url).content)
        links = feed.findall(
            "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link[@type='application/cap+xml']"
        )
        assert [link.get("href") for link in links] == [
            f"http://testserver/alerts/public/{alert.pk}/cap.xml"
        ], url
    empty = etree.fromstring(public.get(f"/alerts/feeds/box/{cast.box_c.pk}.atom").content)
    assert empty.find("{http://www.w3.org/2005/Atom}entry") is None
    for url in (
        "/alerts/feeds/agency/NOPE.atom",
        "/alerts/feeds/station/x.atom",
        "/alerts/feeds/planet/1.atom",
    ):
        assert public.get(url).status_code == 404


def test_sign_up_needs_the_confirmation_link_before_anything_is_sent(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    answers = {
        "email": "Hanako@Example.jp",
        "language": "en",
        "boxes": [cast.box_a.pk],
        "categories": ["Security"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/alerts/subscribe/", answers)
    assert "We sent a confirmation link" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.email == "hanako@example.jp" and subscription.confirmed_at is None
    assert not Subscription.objects.active().exists()
    (message,) = mail.outbox
    link = re.search(r"http://127\.0\.0\.1:8000(/alerts/subscribe/confirm/\S+/)", message.body).group(1)
    assert client.get(link[:-3] + "xx/").status_code == 400  # a changed link
    assert "Subscription confirmed" in client.get(link).content.decode()
    assert Subscription.objects.active().get() == subscription


def test_sign_up_refuses_no_area_and_half_quiet_hours(cast) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.post("/alerts/subscribe/", {"email": "a@example.jp", "language": "ja"}).content.decode()
    assert "Choose at least one area" in page
    page = client.post(
        "/alerts/subscribe/",
        {"email": "a@example.jp", "language": "ja", "boxes": [cast.box_a.pk], "quiet_start": "22:00"},
    ).content.decode()
    assert "Give both ends of the quiet hours" in page
    page = client.post(
        "/alerts/subscribe/",
        {"email": "a@example.jp", "language": "ja", "drawn_area": '{"type": "Point", "coordinates": [1, 2]}'},
    ).content.decode()
    assert "not a valid polygon" in page
    assert not Subscription.objects.exists()


def test_a_drawn_area_and_a_municipality_can_be_chosen_together(cast) -> None:  # type: ignore[no-untyped-def]
    from koban.geography.models import AdminArea
    from tests.factories import square

    city = AdminArea.objects.create(
        level="municipality", code="13101", name="Chiyoda", geom=square(139.75, 35.68)
    )
    drawn = {
        "type": "MultiPolygon",
        "coordinates": [[[[139.70, 35.60], [139.705, 35.60], [139.705, 35.605], [139.70, 35.60]]]],
    }
    response = Client().post(
        "/alerts/subscribe/",
        {
            "email": "b@example.jp",
            "language": "ja",
            "municipalities": [city.pk],
            "drawn_area": json.dumps(drawn),
        },
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert sorted(subscription.areas.values_list("kind", flat=True)) == ["drawn", "municipality"]
    assert subscription.geom.num_geom == 2


def test_one_click_unsubscribe_and_tampered_links(cast) -> None:  # type: ignore[no-untyped-def]
    subscription = subscriber("c@example.jp")
    token = unsubscribe_token(subscription.pk)
    client = Client(enforce_csrf_checks=True)
    other = unsubscribe_token(subscription.pk + 1)
    forged = f"{subscription.pk + 1}:{token.split(':', 1)[1]}"
    for bad in (forged, token[:-2] + "AA", confirm_token(subscription.pk), "12"):
        assert (
            client.post(f"/alerts/unsubscribe/{bad}/", {"List-Unsubscribe": "One-Click"}).status_code == 400
        )
        assert client.get(f"/alerts/unsubscribe/{bad}/").status_code == 400
    assert (
        client.post(f"/alerts/unsubscribe/{other}/").status_code == 400
    )  # valid signature, no such subscription
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None
    assert "Unsubscribe" in client.get(f"/alerts/unsubscribe/{token}/").content.decode()
    # RFC 8058: the mail client POSTs without a session or CSRF token.
    response = client.post(
        f"/alerts/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert not Subscription.objects.active().exists()


def test_receiving_an_xxe_sample_on_the_page_lists_the_refusal(cast) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.shared_data import shared_path

    data = shared_path("cap-test-messages", "google-cap-library", "xee.cap").read_bytes()
    client = _client(cast.chief_north)
    response = client.post(
        "/alerts/receive/", {"station": cast.north.pk, "cap": SimpleUploadedFile("xee.cap", data)}
    )
    assert response.status_code == 200 and "DTD or entities" in response.content.decode()
    assert not Alert.objects.exists()
    assert _client(cast.officer_a).get("/alerts/receive/").status_code == 403
