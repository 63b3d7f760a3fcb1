"""Drafting and approval: who drafts, who approves, areas that are invalid or far too large."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from koban.accounts.access import (
    access_alert_for_decision,
    boxes_alertable_by,
    can_approve_alert,
    can_follow_up_alert,
)
from koban.alerts import services
from koban.alerts.models import Alert
from koban.alerts.services import AreaSpec
from koban.audit.models import AuditEvent
from tests.alerts.helpers import beat_a_area, draft, suspicious_person
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_box_officers_draft_for_their_box_and_counsellors_do_not(cast) -> None:  # type: ignore[no-untyped-def]
    assert list(boxes_alertable_by(cast.officer_a)) == [cast.box_a]
    assert not boxes_alertable_by(cast.counsellor_a).exists()
    assert set(boxes_alertable_by(cast.chief_north)) == {cast.box_a, cast.box_b}


def test_a_draft_is_released_only_by_the_station_chief_or_hq_and_never_by_its_author(cast) -> None:  # type: ignore[no-untyped-def]
    alert = draft(cast)
    assert alert.state == Alert.State.DRAFT and alert.sent is None and not alert.cap_xml
    assert AuditEvent.objects.filter(action="alert.draft", object_id=str(alert.pk)).exists()
    assert can_approve_alert(cast.chief_north, alert)
    assert can_approve_alert(cast.planner, alert)
    assert not can_approve_alert(cast.officer_a, alert)
    assert not can_approve_alert(cast.officer_b, alert)
    assert not can_approve_alert(cast.outsider, alert)
    with pytest.raises(PermissionDenied):
        access_alert_for_decision(cast.officer_b, alert.pk)
    with pytest.raises(Http404):
        access_alert_for_decision(cast.outsider, alert.pk)
    chief_who_drafted = services.draft_alert(
        cast.chief_north,
        box=cast.box_a,
        kind="suspicious_person",
        data=suspicious_person(),
        areas=[beat_a_area(cast)],
    )
    assert not can_approve_alert(cast.chief_north, chief_who_drafted)


def test_approval_releases_once(cast) -> None:  # type: ignore[no-untyped-def]
    alert = services.approve_alert(cast.chief_north, draft(cast))
    assert alert.state == Alert.State.RELEASED and alert.decided_by == cast.chief_north
    assert alert.identifier.endswith(f".T1.{alert.pk:08d}") and " " not in alert.identifier
    with pytest.raises(ValidationError, match="Only a draft"):
        services.approve_alert(cast.chief_north, alert)
    assert can_follow_up_alert(cast.officer_a, alert) and not can_follow_up_alert(cast.officer_b, alert)


def test_a_rejected_draft_needs_a_reason_and_is_never_sent(cast) -> None:  # type: ignore[no-untyped-def]
    alert = draft(cast)
    with pytest.raises(ValidationError, match="why"):
        services.reject_alert(cast.chief_north, alert, "  ")
    services.reject_alert(cast.chief_north, alert, "Not enough detail")
    alert.refresh_from_db()
    assert alert.state == Alert.State.REJECTED
    with pytest.raises(ValidationError):
        services.approve_alert(cast.chief_north, alert)


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ("35.60,139.70 35.61,139.70 35.60,139.70", "at least 4 points"),
        ("35.60,139.70 35.61,139.70 35.61,139.71 35.60,139.72", "not closed"),
        ("35.60,139.70 35.61,139.71 35.61,139.70 35.60,139.71 35.60,139.70", "crosses itself"),
        ("35.60,139.70 95.00,139.70 35.61,139.71 35.60,139.70", "outside the range"),
        ("35.60;139.70 35.61,139.70 35.61,139.71 35.60,139.70", "not a “latitude,longitude” pair"),
    ],
)
def test_invalid_areas_are_refused_naming_the_polygon(cast, polygon, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        draft(cast, areas=[AreaSpec("Somewhere", [polygon])])
    text = " ".join(refused.value.message_dict["areas"])
    assert "Area 1: Polygon 1" in text and message in text
    assert not Alert.objects.exists()


def test_a_circle_with_a_silly_radius_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="radius"):
        draft(cast, areas=[AreaSpec("Station square", circles=["35.60,139.70 0"])])


def test_an_area_covering_the_country_needs_a_second_confirmation(cast) -> None:  # type: ignore[no-untyped-def]
    japan = AreaSpec("Japan by mistake", ["30.0,129.0 30.0,146.0 45.5,146.0 45.5,129.0 30.0,129.0"])
    with pytest.raises(ValidationError) as refused:
        draft(cast, areas=[japan])
    error = refused.value.error_dict["areas"][0]
    assert error.code == "large_area" and "tick the confirmation" in error.messages[0]
    assert not Alert.objects.exists()
    alert = draft(cast, areas=[japan], large_area_confirmed=True)
    assert alert.large_area_confirmed and alert.area_km2 > 1_000_000


def test_an_area_many_times_the_agency_extent_needs_confirmation(cast, settings) -> None:  # type: ignore[no-untyped-def]
    from koban.organization.jurisdiction import forget_jurisdiction

    cast.agency.extent = cast.beat_a.geom.union(cast.beat_b.geom).union(cast.beat_c.geom)
    cast.agency.save(update_fields=["extent"])
    forget_jurisdiction()
    three_km = AreaSpec("Around the station", circles=["35.605,139.705 3"])  # ~28 km², the extent ~3 km²
    with pytest.raises(ValidationError, match="normally covers"):
        draft(cast, areas=[three_km])
    assert draft(cast, areas=[AreaSpec("Near", circles=["35.605,139.705 0.5"])]).area_km2 < 1


def test_a_partner_or_member_without_a_box_cannot_draft(cast) -> None:  # type: ignore[no-untyped-def]
    nobody = make_user("box_officer", "no_posting", agency=cast.agency)
    assert not boxes_alertable_by(nobody).exists()


def test_partner_staff_draft_for_the_boxes_they_work_with_and_the_chief_approves(cast) -> None:  # type: ignore[no-untyped-def]
    from koban.accounts.models import Role
    from koban.partners.models import Partner, PartnerAccount

    school = Partner.objects.create(name="Ekimae Elementary School", kind="school", agency=cast.agency)
    school.boxes.set([cast.box_a])
    staff = make_user(Role.PARTNER, "school_staff", agency=cast.agency)
    PartnerAccount.objects.create(user=staff, partner=school)
    assert list(boxes_alertable_by(staff)) == [cast.box_a]
    alert = draft(cast)  # for the fixtures' areas; the partner drafts its own below
    mine = services.draft_alert(
        staff, box=cast.box_a, kind="suspicious_person", data=suspicious_person(), areas=[beat_a_area(cast)]
    )
    assert not can_approve_alert(staff, mine) and can_approve_alert(cast.chief_north, mine)
    from koban.accounts.access import alerts_visible_to

    assert list(alerts_visible_to(staff)) == [mine]  # not the officer's draft
    assert alert in alerts_visible_to(cast.chief_north)
    school.active = False
    school.save()
    assert not boxes_alertable_by(staff).exists()
