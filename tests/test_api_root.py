"""The API root lists every resource with a URL that answers."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_resource_with_a_working_url(client, cast):  # type: ignore[no-untyped-def]
    assert client.login(username="planner", password=PASSWORD)
    response = client.get("/api/v1/")
    assert response.status_code == 200
    listed = response.json()
    for resource in (
        "stations",
        "boxes",
        "beats",
        "incidents",
        "lost-found/items",
        "lost-found/tasks",
        "patrols",
        "counter-matters",
        "shift-plans",
    ):
        assert listed[resource] == f"http://testserver/api/v1/{resource}/"
    # Details and the extra actions of a list are not resources of their own.
    assert not any("{" in url or "(?P" in url or url.endswith("/swap/") for url in listed.values())
    for name, url in listed.items():
        answer = client.get(url)
        # Endpoints that need parameters answer 400 naming them; actions that only take a POST (sign-on,
        # counter cover) answer 405 naming POST in Allow; none is missing.
        assert answer.status_code in (200, 400, 405), (name, answer.status_code)
        if answer.status_code == 405:
            assert set(answer["Allow"].split(", ")) == {"POST", "OPTIONS"}, name


def test_the_root_needs_a_login(client, cast):  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/").status_code in (401, 403)
