"""The live dashboard: live cards poll their fragment, each fragment keeps a small query budget, the
follow-up list shows years and totals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from koban.counter.models import Outcome
from koban.lib.dashboard import all_sections
from koban.rosters.handover import write_handover
from tests import clock
from tests.factories import sign_in
from tests.personas import LAT, LON
from tests.web import dashboard_data as data

LIVE = ["open_incidents", "handover", "lost_found", "actions_due"]


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _fragment(client, box_id: int, key: str):  # type: ignore[no-untyped-def]
    return client.get(f"/boxes/{box_id}/dashboard/sections/{key}/", HTTP_ACCEPT_LANGUAGE="en")


def test_the_live_sections_are_the_ones_that_change_during_a_shift() -> None:
    assert sorted(s.key for s in all_sections() if s.live) == sorted(LIVE)


def test_live_cards_poll_at_the_configured_interval(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_DASHBOARD_LIVE_SECONDS = 7
    sign_in(client, "officer_a")
    page = client.get(f"/boxes/{cast.box_a.id}/dashboard/", HTTP_ACCEPT_LANGUAGE="en").text
    triggers = dict(
        re.findall(r'data-section="(\w+)" data-live="1" hx-get="[^"]+" hx-trigger="([^"]+)"', page)
    )
    assert set(triggers) == set(LIVE)
    assert triggers["handover"] == "every 7s, refresh-handover from:body"
    assert 'data-section="unpatrolled" data-live="0"' in page and "every 600s" in page
    assert 'data-section="incident_map" data-live' not in page  # the map card is never swapped


@pytest.mark.parametrize("key", LIVE)
def test_each_live_fragment_keeps_a_query_budget(client, cast, key, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.many_incidents(cast.box_a, now, 300, bounds=(LON, LAT, LON + 0.01, LAT + 0.01), days=2)
    for n in range(20):
        data.found_item_with_task(cast.box_a, cast.officer_a, now, clock.local_today())
        write_handover(cast.chief_north, cast.box_a, f"Instruction {n}", now)
    sign_in(client, "officer_a")
    _fragment(client, cast.box_a.id, key)  # warm the per-process caches (categories, content types)
    # Session and user (2), the box (1), the section's own reads (at most 4), the read audit (1-2).
    with django_assert_max_num_queries(9):
        response = _fragment(client, cast.box_a.id, key)
    assert response.status_code == 200 and f'id="dash-{key}"' in response.text
    assert "<html" not in response.text


def test_a_fragment_is_refused_like_the_page(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    assert _fragment(client, cast.box_a.id, "handover").status_code == 404
    sign_in(client, "counsellor_a")
    # The counsellor opens the box's dashboard but does not keep its handover log: no card.
    answer = _fragment(client, cast.box_a.id, "handover")
    assert answer.status_code == 200 and answer.content == b""


def test_the_follow_up_list_shows_years_and_the_total(client, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    last_year = now.replace(year=now.year - 1, month=12, day=2)
    data.counter_matter(cast.box_a, cast.officer_a, last_year, summary="Noise complaint from last year")
    for n in range(12):
        data.counter_matter(cast.box_a, cast.officer_a, now - dt.timedelta(days=n + 1), summary=f"Open {n}")
    data.counter_matter(cast.box_a, cast.officer_a, now - dt.timedelta(hours=1), summary="Done")
    from koban.counter.models import CounterMatter

    CounterMatter.objects.exclude(summary="Done").update(outcome=Outcome.FOLLOW_UP)
    sign_in(client, "officer_a")
    html = _fragment(client, cast.box_a.id, "counter_today").text
    assert f"{last_year:%Y}-12-02" in html  # the oldest first, with its year
    assert '<span data-testid="follow-up-total">13</span>' in html
    assert "and 3 more" in html and "Done" not in html
