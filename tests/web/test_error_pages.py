"""Error pages: translated, with the site's header and navigation; JSON under /api/; 500 without a database."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from koban.web import errors
from tests.factories import PASSWORD


def test_an_unknown_page_answers_a_translated_404_with_the_navigation(client, cast):  # type: ignore[no-untyped-def]
    assert client.login(username="officer_a", password=PASSWORD)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert 'class="main-nav"' in response.text and "/dashboard/" in response.text


def test_a_forbidden_page_answers_403_in_english(client, cast):  # type: ignore[no-untyped-def]
    # A counsellor may not record patrols (another box's counter log would be a 404, like an unknown one).
    assert client.login(username="counsellor_a", password=PASSWORD)
    response = client.get("/patrols/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Not allowed" in response.text and 'class="main-nav"' in response.text


def test_a_bad_query_string_answers_a_400_page(client, cast):  # type: ignore[no-untyped-def]
    assert client.login(username="planner", password=PASSWORD)
    response = client.get("/incidents/", {"status": "a\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Bad request" in response.text


def test_an_unknown_api_path_answers_json(client, cast):  # type: ignore[no-untyped-def]
    assert client.login(username="planner", password=PASSWORD)
    response = client.get("/api/v1/incidents/not-a-number/")
    assert response.status_code == 404 and "detail" in response.json()


def test_the_500_page_renders_without_touching_the_database():  # type: ignore[no-untyped-def]
    # No db fixture: any query would fail the test ("Database access not allowed").
    response = errors.server_error(RequestFactory().get("/incidents/"))
    assert response.status_code == 500
    assert "Server error" in response.content.decode() and 'class="site-header"' in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/incidents/", "/incidents/"])
def test_an_unhandled_error_answers_500_in_the_page_or_api_form(path):  # type: ignore[no-untyped-def]
    response = errors.server_error(RequestFactory().get(path))
    assert response.status_code == 500
    assert (response["Content-Type"] == "application/json") == path.startswith("/api/")
