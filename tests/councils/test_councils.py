"""Liaison councils: opening, appointing and renewing members, meetings with minutes, opinions, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.councils import services
from koban.councils.models import CouncilMember, Meeting, term_end_for
from koban.councils.reports import terms_ending
from tests import clock
from tests.councils.world import CONTACT_MARK, NAME_MARK, build_council, category
from tests.factories import bearer, make_api_token, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(cast):  # type: ignore[no-untyped-def]
    return build_council(cast)


def test_a_term_lasts_two_years() -> None:
    assert term_end_for(dt.date(2026, 4, 1)) == dt.date(2028, 3, 31)
    assert term_end_for(dt.date(2024, 2, 29)) == dt.date(2026, 2, 27)


def test_one_council_per_box_opened_by_the_chief(cast, cw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.open_council(cast.chief_north, cast.box_a)
    assert "box" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.open_council(cast.officer_b, cast.box_b)
    assert (
        AuditEvent.objects.filter(action="councils.council.open", object_id=str(cw.council.pk)).count() == 1
    )


def test_officers_record_meetings_but_only_the_chief_appoints(cast, cw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.appoint_member(cast.officer_a, cw.council, name="X", term_start=clock.local_today())
    with pytest.raises(PermissionDenied):
        services.record_meeting(cast.counsellor_a, cw.council, held_on=clock.local_today())
    with pytest.raises(PermissionDenied):
        services.record_meeting(cast.officer_b, cw.council, held_on=clock.local_today())


def test_bad_member_input_names_the_fields(cast, cw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.appoint_member(
            cast.chief_north, cw.council, name=" ", kind="shop", term_start=dt.date(1900, 1, 1)
        )
    assert {"name", "organization", "term_start"} <= set(exc.value.message_dict)
    assert not CouncilMember.objects.filter(name=" ").exists()


def test_terms_ending_soon_are_listed_and_renewed(cast, cw) -> None:  # type: ignore[no-untyped-def]
    today = clock.local_today()
    due = list(terms_ending(type(cw.council).objects.all(), today, 60))
    assert due == [cw.chair]
    assert list(terms_ending(type(cw.council).objects.all(), today, 10)) == []
    renewal = services.renew_member(cast.chief_north, cw.chair)
    assert renewal.term_start == cw.chair.term_end + dt.timedelta(days=1)
    assert renewal.term_end == term_end_for(renewal.term_start)
    assert renewal.contact == CONTACT_MARK
    assert list(terms_ending(type(cw.council).objects.all(), today, 60)) == []
    with pytest.raises(ValidationError):
        services.renew_member(cast.chief_north, cw.chair)
    assert AuditEvent.objects.filter(action="councils.member.renew").count() == 1


def test_a_meeting_with_minutes_is_held_and_a_future_one_planned(cast, cw) -> None:  # type: ignore[no-untyped-def]
    assert cw.last_meeting.status == Meeting.Status.HELD
    planned = services.record_meeting(
        cast.officer_a,
        cw.council,
        held_on=clock.local_today() + dt.timedelta(days=30),
        agenda="Summer festival",
    )
    assert planned.status == Meeting.Status.PLANNED
    with pytest.raises(ValidationError) as exc:
        services.update_meeting(cast.officer_a, planned, minutes="We met")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_opinion(cast.officer_a, planned, category=category("noise"), summary="Loud")
    assert "meeting" in exc.value.message_dict


def test_attendance_only_of_members_serving_that_day(cast, cw) -> None:  # type: ignore[no-untyped-def]
    services.end_membership(cast.chief_north, cw.school, left_on=clock.local_today() - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.record_meeting(
            cast.officer_a, cw.council, held_on=clock.local_today(), minutes="Met", attendees=[cw.school]
        )
    assert "attendees" in exc.value.message_dict


def test_opinion_category_must_be_known(cast, cw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.record_opinion(cast.officer_a, cw.last_meeting, category=None, summary="")  # type: ignore[arg-type]
    assert {"category", "summary"} <= set(exc.value.message_dict)


def test_the_council_page_shows_contacts_to_the_box_and_audits_the_read(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/councils/{cw.council.pk}/")
    assert response.status_code == 200
    assert CONTACT_MARK in response.content.decode()
    read = AuditEvent.objects.filter(action="councils.councilmember.read").latest("id")
    assert str(cw.chair.pk) in read.after["ids"] and "contact" in read.after["fields"]


def test_other_boxes_get_404_and_a_denial_row(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_b")
    for url in (f"/councils/{cw.council.pk}/", f"/councils/meetings/{cw.last_meeting.pk}/"):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 2
    assert client.get(f"/councils/{10**9}/").status_code == 404


def test_the_officer_records_a_meeting_on_the_page(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.post(
        f"/councils/{cw.council.pk}/meetings/new/",
        {
            "held_on": clock.local_today().isoformat(),
            "place": "Box A",
            "status": "held",
            "agenda": "Report back",
            "attendees": [cw.chair.pk],
            "other_attendees": 1,
            "minutes": "<script>alert(1)</script> The underpass got new lights.",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.latest("id")
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
    # The report back lists the previous meeting's opinion.
    assert "The underpass is dark at night" in page
    assert meeting.attendees.get() == cw.chair


def test_the_meeting_form_refuses_bad_input_with_field_errors(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.post(
        f"/councils/{cw.council.pk}/meetings/new/",
        {"held_on": "2999-01-01", "status": "held", "other_attendees": 0, "minutes": "x"},
    )
    assert response.status_code == 400
    assert "error-held_on" in response.content.decode() or "error-status" in response.content.decode()


def test_counsellors_read_but_do_not_record(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "counsellor_a")
    assert client.get(f"/councils/meetings/{cw.last_meeting.pk}/").status_code == 200
    assert client.get(f"/councils/{cw.council.pk}/meetings/new/").status_code == 403


def test_renewals_page_lists_the_chair(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "chief_north")
    page = client.get("/councils/renewals/?days=60").content.decode()
    assert NAME_MARK in page
    page = client.get("/councils/renewals/?days=5").content.decode()
    assert NAME_MARK not in page


def test_station_summary_counts_opinions_by_category(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    services.record_opinion(
        cast.officer_a, cw.last_meeting, category=category("dark_street"), summary="Park is dark"
    )
    services.record_opinion(
        cast.officer_a, cw.last_meeting, category=category("speeding"), summary="Cars speed"
    )
    sign_in(client, "chief_north")
    response = client.get(f"/councils/stations/{cast.north.pk}/summary/")
    rows = response.context["rows"]
    assert [(r.category, r.total) for r in rows] == [("dark_street", 2), ("speeding", 1)]
    sign_in(client, "outsider")
    assert client.get(f"/councils/stations/{cast.north.pk}/summary/").status_code == 404


def test_api_members_meetings_and_opinions(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    officer = bearer(make_api_token(cast.officer_a))
    members = client.get(f"/api/v1/council-members/?council={cw.council.pk}", **officer).json()
    assert {m["name"] for m in members["results"]} == {NAME_MARK, "Suzuki Ichiro"}
    response = client.post(
        "/api/v1/council-meetings/",
        {
            "council": cw.council.pk,
            "held_on": clock.local_today().isoformat(),
            "minutes": "Met",
            "attendees": [cw.chair.pk],
        },
        content_type="application/json",
        **officer,
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    assert response.json()["report_back"][0]["summary"] == "The underpass is dark at night"
    response = client.post(
        f"/api/v1/council-meetings/{meeting_id}/opinions/",
        {"category": "speeding", "summary": "Cars speed on the school road", "raised_by": cw.chair.pk},
        content_type="application/json",
        **officer,
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/council-members/",
        {"council": cw.council.pk, "name": "New", "term_start": clock.local_today().isoformat()},
        content_type="application/json",
        **officer,
    )
    assert response.status_code == 403
    other = bearer(make_api_token(cast.officer_b))
    assert client.get(f"/api/v1/council-meetings/{meeting_id}/", **other).status_code == 404
    response = client.post(
        "/api/v1/council-meetings/",
        {"council": cw.council.pk, "held_on": clock.local_today().isoformat()},
        content_type="application/json",
        **other,
    )
    assert response.status_code == 404


def test_opinion_becomes_a_council_request_and_is_reported_back_done(client, cast, cw) -> None:  # type: ignore[no-untyped-def]
    """Opinion → voice request (source council) → action done → the next meeting hears the result."""
    from koban.voice import services as voice
    from koban.voice.models import Source, Status

    request = cw.opinion.request
    assert request.source == Source.COUNCIL and request.box == cast.box_a
    assert request.category.code == "dark_street" and "Liaison council" in request.reference
    action = voice.create_action(
        cast.officer_a,
        [request],
        kind="road_authority",
        title="Ask the city for lights",
        due_on=clock.local_today(),
    )
    sign_in(client, "officer_a")
    response = client.post(
        f"/councils/{cw.council.pk}/meetings/new/",
        {
            "held_on": clock.local_today().isoformat(),
            "status": "held",
            "other_attendees": 0,
            "minutes": "Met.",
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert "Action planned" in page and "Ask the city for lights" in page
    voice.complete_action(
        cast.officer_a, action, result="Two new street lights in the underpass", close_requests=True
    )
    request.refresh_from_db()
    assert request.status == Status.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Two new street lights in the underpass" in page and ">Done<" in page
