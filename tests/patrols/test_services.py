from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from koban.audit.models import AuditEvent
from koban.patrols import services
from koban.patrols.models import Patrol, PatrolStop
from tests.patrols.helpers import T0, gpx, walk

pytestmark = pytest.mark.django_db
NOW = T0 + datetime.timedelta(days=1)
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.709, 35.6015]]}


def test_a_gpx_patrol_gets_its_times_distance_and_stops_from_the_track(cast):
    patrol = services.record_gpx_patrol(
        cast.officer_a, cast.box_a, gpx(walk()), officers=[cast.officer_a], now=NOW
    )
    assert patrol.started_at == T0 and patrol.source == Patrol.Source.GPX
    assert 500 < patrol.distance_m < 560  # 29 steps of 0.0002° at 35.6°N ≈ 18.1 m
    stop = patrol.stops.get()
    assert stop.detected and stop.dwell_minutes >= 5
    audit = AuditEvent.objects.get(action="patrols.record_patrol")
    assert (
        audit.actor == cast.officer_a
        and audit.after["stops"] == 1
        and audit.after["officers"] == [cast.officer_a.pk]
    )


def test_a_malformed_gpx_writes_nothing(cast):
    with pytest.raises(ValidationError) as caught:
        services.record_gpx_patrol(
            cast.officer_a, cast.box_a, b"<gpx><trk>", officers=[cast.officer_a], now=NOW
        )
    assert "line 1" in caught.value.message_dict["gpx"][0]
    assert not Patrol.objects.exists() and not AuditEvent.objects.exists()


def test_the_gpx_size_limit_comes_from_the_settings(cast, settings):
    settings.KOBAN_GPX_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="limit is 1 KB"):
        services.record_gpx_patrol(
            cast.officer_a, cast.box_a, gpx(walk()), officers=[cast.officer_a], now=NOW
        )


def test_an_impossible_speed_on_foot_is_refused(cast):
    with pytest.raises(ValidationError, match="km/h, impossible"):
        services.record_drawn_patrol(
            cast.officer_a,
            cast.box_a,
            LINE,
            officers=[cast.officer_a],
            started_at=T0,
            ended_at=T0 + datetime.timedelta(minutes=2),
            now=NOW,
        )
    patrol = services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        kind="car",
        started_at=T0,
        ended_at=T0 + datetime.timedelta(minutes=2),
        now=NOW,
    )
    assert patrol.source == Patrol.Source.DRAWN and 700 < patrol.distance_m < 740


@pytest.mark.parametrize(
    ("start", "end", "field", "fragment"),
    [
        (T0, T0 - datetime.timedelta(minutes=5), "ended_at", "end after it starts"),
        (T0 - datetime.timedelta(hours=30), T0, "ended_at", "24 hours"),
        (NOW, NOW + datetime.timedelta(hours=1), "ended_at", "future"),
        (None, T0, "started_at", "start time"),
    ],
)
def test_impossible_times_are_refused(cast, start, end, field, fragment):
    with pytest.raises(ValidationError) as caught:
        services.record_drawn_patrol(
            cast.officer_a,
            cast.box_a,
            LINE,
            officers=[cast.officer_a],
            kind="car",
            started_at=start,
            ended_at=end,
            now=NOW,
        )
    assert fragment in caught.value.message_dict[field][0]
    assert not Patrol.objects.exists()


def test_a_patrol_is_for_one_officer_or_a_pair_of_the_station(cast):
    options = {"started_at": T0, "ended_at": T0 + datetime.timedelta(hours=1), "now": NOW}
    with pytest.raises(ValidationError, match="one officer or a pair"):
        services.record_drawn_patrol(cast.officer_a, cast.box_a, LINE, officers=[], **options)
    with pytest.raises(ValidationError, match="one officer or a pair"):
        services.record_drawn_patrol(
            cast.officer_a,
            cast.box_a,
            LINE,
            officers=[cast.officer_a, cast.officer_b, cast.chief_north],
            **options,
        )
    with pytest.raises(ValidationError, match="not an officer of this box's station"):
        services.record_drawn_patrol(cast.planner, cast.box_a, LINE, officers=[cast.planner], **options)
    pair = services.record_drawn_patrol(
        cast.officer_a, cast.box_a, LINE, officers=[cast.officer_a, cast.officer_b], **options
    )
    assert pair.officers.count() == 2


def test_stops_observations_and_cards_must_fall_inside_the_patrol(cast):
    patrol = services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
        now=NOW,
    )
    inside = T0 + datetime.timedelta(minutes=20)
    card = services.add_card(
        cast.officer_a, patrol, address="港区1-2-3", left_at=inside, lon=139.702, lat=35.6016
    )
    services.add_observation(
        cast.officer_a, patrol, kind="hazard", observed_at=inside, note="街灯が切れている"
    )
    services.add_stop(
        cast.officer_a,
        patrol,
        lon=139.703,
        lat=35.6015,
        arrived_at=inside,
        left_at=inside + datetime.timedelta(minutes=10),
    )
    assert card.point is not None and patrol.stops.get().dwell_minutes == 10.0
    with pytest.raises(ValidationError, match="outside the patrol"):
        services.add_card(cast.officer_a, patrol, address="x", left_at=T0 + datetime.timedelta(hours=3))
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.add_stop(
            cast.officer_a,
            patrol,
            lon=139.7,
            lat=35.6,
            arrived_at=inside,
            left_at=inside - datetime.timedelta(minutes=1),
        )
    with pytest.raises(ValidationError) as caught:
        services.add_observation(
            cast.officer_a, patrol, kind="hazard", observed_at=inside, note="x", lon=1e300, lat=35.6
        )
    assert "longitude" in caught.value.message_dict["point"][0]
    assert PatrolStop.objects.count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"patrols.add_card", "patrols.add_observation", "patrols.add_stop"} <= actions
