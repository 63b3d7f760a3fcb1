"""The shift handover log (引継簿): writing and acknowledging, the dashboard section, the log page, the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from koban.rosters.dashboard import HANDOVER_LIST_LIMIT, build_handover
from koban.rosters.handover import acknowledge_handover, write_handover
from koban.rosters.models import HandoverAcknowledgement, HandoverEntry
from tests import clock
from tests.factories import bearer, make_api_token, make_user, sign_in


@pytest.fixture
def relief(cast):  # type: ignore[no-untyped-def]
    """A second officer of box A: the next shift."""
    return make_user(
        Role.BOX_OFFICER, "officer_a_next", agency=cast.agency, station=cast.north, box=cast.box_a
    )


def _write(cast, text: str = "Bicycle owner calls back at 14:00", **options):  # type: ignore[no-untyped-def]
    return write_handover(cast.officer_a, cast.box_a, text, clock.now(), **options)


def test_an_entry_is_written_and_audited(cast):  # type: ignore[no-untyped-def]
    entry = _write(cast, priority="urgent", links=["/incidents/12/", " "])
    assert (entry.box, entry.written_by, entry.priority, entry.links) == (
        cast.box_a,
        cast.officer_a,
        "urgent",
        ["/incidents/12/"],
    )
    event = AuditEvent.objects.get(action="rosters.handover.write")
    assert event.object_id == str(entry.pk) and event.after["text"] == "Bicycle owner calls back at 14:00"


@pytest.mark.parametrize(
    ("text", "options", "field"),
    [
        ("  ", {}, "text"),
        ("x" * 2001, {}, "text"),
        ("bad \x00 byte", {}, "text"),
        ("ok", {"priority": "someday"}, "priority"),
        ("ok", {"links": ["https://evil.example/"]}, "links"),
        ("ok", {"links": ["//evil.example/"]}, "links"),
        ("ok", {"links": [f"/p/{n}/" for n in range(6)]}, "links"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(cast, text, options, field):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        _write(cast, text, **options)
    assert field in caught.value.message_dict
    assert not HandoverEntry.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="rosters.h"
    )


def test_only_the_box_officers_and_their_chief_write(cast):  # type: ignore[no-untyped-def]
    write_handover(cast.chief_north, cast.box_a, "Watch the station square tonight", clock.now())
    for outsider in (cast.officer_b, cast.counsellor_a, cast.planner):
        with pytest.raises(PermissionDenied):
            write_handover(outsider, cast.box_a, "Not mine to write", clock.now())
    assert HandoverEntry.objects.count() == 1


def test_the_next_officer_acknowledges_once(cast, relief):  # type: ignore[no-untyped-def]
    entry = _write(cast)
    first = acknowledge_handover(relief, entry, clock.now())
    again = acknowledge_handover(relief, entry, clock.now() + dt.timedelta(minutes=5))
    assert first.pk == again.pk and again.acknowledged_at == first.acknowledged_at
    assert AuditEvent.objects.filter(action="rosters.handover.acknowledge").count() == 1
    for not_next in (cast.officer_a, cast.chief_north, cast.officer_b):
        with pytest.raises(PermissionDenied):
            acknowledge_handover(not_next, entry, clock.now())
    assert HandoverAcknowledgement.objects.count() == 1


def test_the_section_shows_what_waits_until_acknowledged(cast, relief):  # type: ignore[no-untyped-def]
    now = clock.now()
    routine = _write(cast, "Routine note")
    urgent = _write(cast, "Urgent note", priority="urgent")
    HandoverEntry.objects.filter(pk=routine.pk).update(written_at=now - dt.timedelta(hours=1))
    old = _write(cast, "Last month's note")
    HandoverEntry.objects.filter(pk=old.pk).update(written_at=now - dt.timedelta(days=30))
    waiting = build_handover(cast.box_a, relief, now)
    assert waiting is not None and [e.pk for e in waiting["entries"]] == [urgent.pk, routine.pk]
    assert all(e.may_acknowledge for e in waiting["entries"])
    assert build_handover(cast.box_a, cast.officer_a, now)["entries"] == []  # type: ignore[index]
    acknowledge_handover(relief, urgent, now)
    assert [e.pk for e in build_handover(cast.box_a, relief, now)["entries"]] == [routine.pk]  # type: ignore[index]
    chief_view = build_handover(cast.box_a, cast.chief_north, now)
    assert [e.pk for e in chief_view["entries"]] == [routine.pk]  # type: ignore[index]
    assert not any(e.may_acknowledge for e in chief_view["entries"])  # type: ignore[index]
    for outsider in (cast.counsellor_a, cast.officer_b, cast.planner):
        assert build_handover(cast.box_a, outsider, now) is None


def test_the_section_counts_beyond_the_list(cast, relief):  # type: ignore[no-untyped-def]
    for n in range(HANDOVER_LIST_LIMIT + 3):
        _write(cast, f"Note {n}")
    waiting = build_handover(cast.box_a, relief, clock.now())
    assert waiting is not None
    assert (len(waiting["entries"]), waiting["total"], waiting["more"]) == (HANDOVER_LIST_LIMIT, 11, 3)


def test_the_dashboard_acknowledge_button_works_with_and_without_htmx(client, cast, relief):  # type: ignore[no-untyped-def]
    first, second = _write(cast, "First"), _write(cast, "Second")
    sign_in(client, "officer_a_next")
    page = client.get(f"/boxes/{cast.box_a.id}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="dash-handover"' in page.text and "First" in page.text and "Second" in page.text
    url = f"/rosters/handover/{first.pk}/acknowledge/"
    answer = client.post(url, HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Trigger"] == "refresh-handover"
    plain = client.post(f"/rosters/handover/{second.pk}/acknowledge/", {"next": "/"})
    assert plain.status_code == 302 and plain["Location"] == "/"
    fragment = client.get(f"/boxes/{cast.box_a.id}/dashboard/sections/handover/", HTTP_ACCEPT_LANGUAGE="en")
    assert "First" not in fragment.text and 'data-testid="handover-none"' in fragment.text


def test_the_log_page_writes_pages_and_shows_who_acknowledged(client, cast, relief):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    url = f"/rosters/boxes/{cast.box_a.id}/handover/"
    bad = client.post(url, {"priority": "routine", "text": "ok", "links": "https://elsewhere.example/"})
    assert bad.status_code == 400 and "Link 1" in bad.content.decode()
    done = client.post(url, {"priority": "important", "text": "Key of the bicycle shed is at the desk"})
    assert done.status_code == 302
    entry = HandoverEntry.objects.get()
    acknowledge_handover(relief, entry, clock.now())
    for n in range(30):
        _write(cast, f"Older note {n}")
    HandoverEntry.objects.exclude(pk=entry.pk).update(written_at=clock.now() - dt.timedelta(days=2))
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Key of the bicycle shed" in first.text and "officer_a_next" in first.text
    assert 'rel="next"' in first.text
    second = client.get(url, {"page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Older note" in second.text and "Key of the bicycle shed" not in second.text


def test_the_api_lists_writes_and_acknowledges(client, cast, relief):  # type: ignore[no-untyped-def]
    writer = bearer(make_api_token(cast.officer_a, "write"))
    reader = bearer(make_api_token(relief, "write"))
    created = client.post(
        "/api/v1/handover-entries/",
        {"text": "Lost dog collected", "priority": "routine", "links": ["/lostfound/items/1/"]},
        content_type="application/json",
        **writer,
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert created.json()["box"] == cast.box_a.pk  # the writer's own box by default
    waiting = client.get("/api/v1/handover-entries/", {"waiting": 1}, **reader).json()
    assert [e["id"] for e in waiting["results"]] == [entry_id]
    acked = client.post(f"/api/v1/handover-entries/{entry_id}/acknowledge/", **reader)
    assert acked.status_code == 200
    assert [a["officer"] for a in acked.json()["acknowledgements"]] == [relief.pk]
    assert client.get("/api/v1/handover-entries/", {"waiting": 1}, **reader).json()["results"] == []
    bad = client.post(
        "/api/v1/handover-entries/",
        {"text": "x", "links": ["javascript:alert(1)"]},
        content_type="application/json",
        **writer,
    )
    assert bad.status_code == 400 and "links" in bad.json()
