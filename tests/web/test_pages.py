from __future__ import annotations

from tests.factories import PASSWORD


def test_pages_need_a_login(client, cast):  # type: ignore[no-untyped-def]
    response = client.get("/map/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_box_page_shows_the_box_and_its_beat(client, cast):  # type: ignore[no-untyped-def]
    client.login(username="officer_a", password=PASSWORD)
    response = client.get(f"/boxes/{cast.box_a.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Ekimae Koban" in response.text and "A-1" in response.text


def test_box_page_of_another_station_is_forbidden(client, cast):  # type: ignore[no-untyped-def]
    client.login(username="officer_a", password=PASSWORD)
    assert client.get(f"/boxes/{cast.box_c.id}/").status_code == 404


def test_the_map_page_is_served_in_japanese_by_default(client, cast):  # type: ignore[no-untyped-def]
    client.login(username="officer_a", password=PASSWORD)
    response = client.get("/map/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert 'lang="ja"' in response.text


def test_static_files_are_served_by_the_app_without_debug(client, settings):  # type: ignore[no-untyped-def]
    # make demo runs the development server with DEBUG off: maps need Leaflet and htmx from the app itself.
    assert settings.DEBUG is False
    for path in ("/static/leaflet/leaflet.js", "/static/web/map.js", "/static/web/koban.css"):
        response = client.get(path)
        assert response.status_code == 200, path
