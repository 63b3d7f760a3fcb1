"""Submitting requests, moving them through their states, and making action items of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.voice import services
from koban.voice.models import Action, ActionKind, Moderation, Request, Source, Status
from koban.voice.public import blur, public_point
from tests.clock import local_today, now
from tests.voice.helpers import IN_A, IN_B, OUTSIDE, category, file_request

pytestmark = pytest.mark.django_db


def test_a_request_goes_to_the_box_whose_beat_holds_the_point(cast):  # type: ignore[no-untyped-def]
    request = file_request(IN_B, reporter=services.Reporter(name="Sato", email="sato@example.jp"))
    assert (request.box, request.beat, request.agency) == (cast.box_b, cast.beat_b, cast.agency)
    assert request.status == Status.RECEIVED and request.moderation == Moderation.PENDING
    event = AuditEvent.objects.get(action="voice.request.submit")
    assert event.object_id == str(request.pk) and event.actor_name == "voice.public"
    assert "reporter_email" not in event.after and "sato" not in str(event.after)


def test_a_point_outside_every_beat_is_refused_naming_the_nearest_box(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        file_request(OUTSIDE)
    message = refused.value.message_dict["point"][0]
    assert "outside the area of every police box" in message and "Minato Koban" in message
    assert (
        not Request.objects.exists() and not AuditEvent.objects.filter(action="voice.request.submit").exists()
    )


def test_every_bad_field_is_named_at_once_and_nothing_is_written(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        file_request(
            description=" ",
            reporter=services.Reporter(email="not-an-address", phone="call me"),
            attributes={"time_of_day": "midnight-ish"},
            media_url="javascript:alert(1)",
        )
    assert set(refused.value.message_dict) == {
        "description",
        "reporter_email",
        "reporter_phone",
        "attribute[time_of_day]",
        "media_url",
    }
    assert not Request.objects.exists()


def test_a_description_longer_than_open311_allows_is_refused(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        file_request(description="x" * 4001)
    assert "4000" in refused.value.message_dict["description"][0]


def test_a_council_opinion_without_a_place_goes_to_the_given_box(cast):  # type: ignore[no-untyped-def]
    request = services.submit_request(
        source=Source.COUNCIL,
        point=None,
        category=category("more_patrols"),
        description="More patrols near the school at dusk",
        actor=cast.chief_north,
        box=cast.box_a,
        reference="Council meeting 2026-06",
    )
    assert request.box == cast.box_a and request.beat is None and request.created_by == cast.chief_north


def test_an_officer_may_not_file_for_another_box(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        file_request(IN_B, source=Source.OFFICER, actor=cast.officer_a)


def test_duplicates_are_same_category_within_50_m_and_30_days(cast, time_machine):  # type: ignore[no-untyped-def]
    old = file_request()
    time_machine.move_to(now() + dt.timedelta(days=31))
    recent = file_request()
    file_request(code="speeding")
    file_request(Point(IN_A.x + 0.001, IN_A.y, srid=4326))  # about 90 m east
    near = Point(IN_A.x + 0.0003, IN_A.y, srid=4326)  # about 27 m east
    found = list(Request.objects.near_duplicates(category(), near, now()))
    assert found == [recent] and old not in found


def test_a_state_change_notifies_the_reporter_after_the_commit(cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    request = file_request(reporter=services.Reporter(email="resident@example.jp", language="ja"))
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(cast.officer_a, request, Status.UNDER_REVIEW, note="担当者が確認します")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["resident@example.jp"] and "担当者が確認します" in sent.body
    assert str(request.token) in sent.body
    assert AuditEvent.objects.filter(action="voice.request.status", object_id=str(request.pk)).exists()


def test_no_mail_is_sent_when_the_reporter_left_no_address(cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    anonymous = file_request()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(cast.officer_a, anonymous, Status.UNDER_REVIEW)
    assert mail.outbox == []


def test_will_not_act_needs_a_reason_and_unknown_moves_are_refused(cast):  # type: ignore[no-untyped-def]
    request = file_request()
    with pytest.raises(ValidationError) as refused:
        services.change_status(cast.officer_a, request, Status.WILL_NOT_ACT)
    assert "reason" in refused.value.message_dict
    done = services.change_status(cast.officer_a, request, Status.DONE, note="Lamp replaced")
    with pytest.raises(ValidationError) as again:
        services.change_status(cast.officer_a, done, Status.ACTION_PLANNED)
    assert "status" in again.value.message_dict
    stopped = services.change_status(
        cast.officer_a, file_request(), Status.WILL_NOT_ACT, reason="Private road"
    )
    assert stopped.will_not_act_reason == "Private road"


@pytest.mark.parametrize("who", ["counsellor_a", "planner", "officer_b"])
def test_counsellors_hq_and_other_boxes_do_not_decide_on_a_request(cast, who):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.change_status(getattr(cast, who), file_request(), Status.UNDER_REVIEW)


def test_an_action_plans_its_requests_and_closing_it_closes_them(cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    first = file_request(reporter=services.Reporter(email="a@example.jp"))
    second = file_request(Point(IN_A.x + 0.0002, IN_A.y, srid=4326))
    street = LineString((IN_A.x, IN_A.y), (IN_A.x + 0.002, IN_A.y), srid=4326)
    with django_capture_on_commit_callbacks(execute=True):
        action = services.create_action(
            cast.officer_a,
            [first, second],
            kind=ActionKind.PATROL_FOCUS,
            title="Evening patrols on the station road",
            due_on=local_today() + dt.timedelta(days=28),
            owner=cast.officer_a,
            geom=street,
            weeks=4,
        )
    assert set(Request.objects.values_list("status", flat=True)) == {Status.ACTION_PLANNED}
    assert action.ends_on == local_today() + dt.timedelta(days=27)
    assert list(Action.objects.patrol_focus_on(local_today() + dt.timedelta(days=10))) == [action]
    assert not Action.objects.patrol_focus_on(local_today() + dt.timedelta(days=28)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_action(
            cast.officer_a, action, result="Four weeks of evening patrols", close_requests=True
        )
    assert set(Request.objects.values_list("status", flat=True)) == {Status.DONE}
    assert len(mail.outbox) == 2  # planned, then done; the second request left no address


def test_an_action_refuses_a_missing_due_date_weeks_and_a_stranger_as_owner(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        services.create_action(
            cast.officer_a,
            [file_request()],
            kind=ActionKind.PATROL_FOCUS,
            title="",
            due_on=None,
            owner=cast.officer_b,
        )
    assert set(refused.value.message_dict) == {"title", "due_on", "weeks", "owner"}
    assert not Action.objects.exists()


def test_sensitive_places_are_blurred_to_a_fixed_grid_cell(cast):  # type: ignore[no-untyped-def]
    seen = file_request(code="suspicious_person")
    shown = public_point(seen)
    assert shown is not None and shown != seen.point
    assert 0 < shown.distance(seen.point) * 111_000 < 150
    # Every point of a cell maps to the same centre.
    assert blur(139.70501, 35.60501, 150) == blur(139.70502, 35.60502, 150)
    plain = file_request()
    assert public_point(plain) == plain.point


def test_the_dashboard_shows_open_requests_and_actions_due(client, cast):  # type: ignore[no-untyped-def]
    from tests.factories import sign_in

    waiting = file_request()
    planned = file_request(Point(IN_A.x + 0.002, IN_A.y, srid=4326), code="speeding")
    services.create_action(
        cast.officer_a,
        [planned],
        kind=ActionKind.PATROL_FOCUS,
        title="Speed checks on the school road",
        due_on=local_today() + dt.timedelta(days=3),
        weeks=2,
    )
    file_request(IN_B)  # another box's request is not counted
    sign_in(client, "officer_a")
    page = client.get(f"/boxes/{cast.box_a.pk}/dashboard/")
    by_key = {s.key: s.context for s in page.context["sections"]}
    assert by_key["open_requests"]["counts"]["received"] == 1
    assert by_key["open_requests"]["counts"]["action_planned"] == 1
    assert [r.pk for r in by_key["open_requests"]["oldest"]] == [waiting.pk, planned.pk]
    assert [a.title for a in by_key["actions_due"]["due"]] == ["Speed checks on the school road"]
    assert [a.title for a in by_key["actions_due"]["focus"]] == ["Speed checks on the school road"]
    assert "Speed checks on the school road" in page.text and "Open requests" in page.text
