"""Services of the volunteer registry: reminders of expiring blue-light papers, bad input, the generator."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from koban.audit.models import AuditEvent
from koban.organization.models import PoliceStation
from koban.volunteers import generator, reminders, services
from koban.volunteers.models import VolunteerGroup, VolunteerMember
from koban.volunteers.statistics import survey_report
from tests import clock
from tests.volunteers.world import DAY, build_survey_world

pytestmark = pytest.mark.django_db


def test_expiring_papers_are_reminded_once_to_the_station_chief(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cast.chief_north.email = "chief@north.example"
    cast.chief_north.save()
    world = build_survey_world(cast)
    # The expired patroller card (2026-05-31) is not due; the certificate and vehicle expire 2027-03-31.
    assert reminders.due_for(VolunteerGroup.objects.all(), DAY) == []
    later = datetime.date(2027, 2, 15)  # within 60 days of 2027-03-31
    due = reminders.due_for(VolunteerGroup.objects.all(), later)
    whats = sorted(r.what for r in due)
    assert whats == [
        "Blue-light certificate BL-1",
        "Patroller card of Yamate Blue 0",
        "Patroller card of Yamate Blue 1",
        "Registration of the vehicle 品川 500 あ 1",
    ]
    assert {r.group_id for r in due} == {world.blue_team.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(later) == 4
    assert len(mail.outbox) == 4 and mail.outbox[0].to == ["chief@north.example"]
    assert "2027-03-31" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(later) == 0  # already sent
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action=reminders.SENT, station_id=cast.north.pk).count() == 4


def test_an_activity_with_impossible_times_names_the_field(cast, community) -> None:  # type: ignore[no-untyped-def]
    member = community.group.members.first()
    now = clock.now()
    with pytest.raises(ValidationError) as error:
        services.record_activity(
            "test",
            community.group,
            kind="foot_patrol",
            started_at=now,
            ended_at=now - datetime.timedelta(hours=1),
            participants=[member],
        )
    assert "ended_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_activity(
            "test",
            community.group,
            kind="foot_patrol",
            started_at=now + datetime.timedelta(hours=1),
            ended_at=now + datetime.timedelta(hours=2),
            participants=[member],
        )
    assert error.value.message_dict["ended_at"] == ["The activity cannot end in the future."]
    stranger = VolunteerMember.objects.exclude(group=community.group).first()
    with pytest.raises(ValidationError) as error:
        services.record_activity(
            "test",
            community.group,
            kind="foot_patrol",
            started_at=now - datetime.timedelta(hours=2),
            ended_at=now - datetime.timedelta(hours=1),
            participants=[stranger],
        )
    assert (
        "Yamate Member is not a member of Ekimae Patrol Team" in error.value.message_dict["participants"][0]
    )


def test_the_generator_makes_the_asked_numbers_and_the_report_counts_them(cast) -> None:  # type: ignore[no-untyped-def]
    stations = list(PoliceStation.objects.filter(agency=cast.agency))
    made = generator.generate(stations, groups=300, members=16_000, today=DAY, seed=5)
    assert (made.groups, made.members) == (300, 16_000)
    assert VolunteerMember.objects.count() == 16_000
    assert made.vehicles >= made.certified > 0 and made.patrollers > 0
    report = survey_report(VolunteerGroup.objects.all(), area="all", day=DAY)
    counted = VolunteerGroup.objects.counted(DAY)
    # The report agrees with the counting rule applied group by group in Python.
    by_hand = [
        g
        for g in VolunteerGroup.objects.all()
        if g.days_per_month >= 1 and g.founded_on <= DAY and g.members.filter(joined_on__lte=DAY).count() >= 5
    ]
    assert report.groups == counted.count() == len(by_hand)
    assert report.members == sum(g.members.filter(joined_on__lte=DAY).count() for g in by_hand)
    assert sum(n for _key, n in report.by_size) == report.groups
    assert sum(n for *_x, n in report.by_age) == report.members
    with pytest.raises(ValueError, match="at least three"):
        generator.generate(stations, groups=10, members=20, today=DAY)
