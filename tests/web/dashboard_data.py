"""Rows the dashboard tests and the browser walk build directly: a box's day of work."""

from __future__ import annotations

import datetime as dt
import importlib
import random

from django.contrib.gis.geos import LineString, MultiLineString, Point

from koban.accounts.models import User
from koban.counter.models import CounterCategory, CounterMatter
from koban.households.models import Household
from koban.incidents.models import Incident, IncidentCategory, Status
from koban.lostfound.models import ItemCategory, ItemTask
from koban.lostfound.services import receive_item
from koban.organization.models import PoliceBox
from koban.patrols.models import Patrol
from koban.rosters.models import EntryKind, RosterEntry
from tests import clock
from tests.personas import Cast

SEED_MIGRATIONS = (
    "koban.incidents.migrations.0002_seed_categories",
    "koban.counter.migrations.0002_seed_categories",
    "koban.lostfound.migrations.0002_seed_categories",
    "koban.rosters.migrations.0002_seed_patterns",
    "koban.voice.migrations.0002_seed_categories",
)


def reseed_categories() -> None:
    """Put back the categories and shift patterns the migrations seed (idempotent).

    A transactional test (browser tests) runs on a database that earlier transactional tests emptied,
    seed rows included.
    """
    from django.apps import apps

    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


def incident(
    box: PoliceBox,
    received_at: dt.datetime,
    *,
    lon: float,
    lat: float,
    code: str = "theft",
    status: str = Status.RECEIVED,
    response_s: float | None = None,
    address: str = "",
) -> Incident:
    category = IncidentCategory.objects.get(code=code) if code else IncidentCategory.objects.first()
    arrived = received_at + dt.timedelta(seconds=response_s) if response_s is not None else None
    return Incident.objects.create(
        agency=box.station.agency,
        category=category,
        priority=category.default_priority,
        status=Status.ON_SCENE if arrived and status == Status.RECEIVED else status,
        location=Point(lon, lat, srid=4326),
        address=address,
        box=box,
        station=box.station,
        received_at=received_at,
        dispatched_at=received_at if arrived else None,
        arrived_at=arrived,
    )


def many_incidents(
    box: PoliceBox,
    now: dt.datetime,
    count: int,
    *,
    bounds: tuple[float, float, float, float],
    days: int = 365,
    seed: int = 7,
) -> None:
    """*count* incidents spread over the last *days* days inside *bounds* (lon0, lat0, lon1, lat1)."""
    rng = random.Random(seed)
    categories = list(IncidentCategory.objects.all())
    lon0, lat0, lon1, lat1 = bounds
    rows = []
    for _ in range(count):
        received = now - dt.timedelta(seconds=rng.uniform(60, days * 86400))
        category = rng.choice(categories)
        # Recent incidents are often still open; a few old ones were never closed either.
        recent = received > now - dt.timedelta(days=3)
        closed = rng.random() < (0.5 if recent else 0.98)
        response = rng.uniform(180, 900)
        rows.append(
            Incident(
                agency=box.station.agency,
                category=category,
                priority=category.default_priority,
                status=Status.CLEARED if closed else Status.RECEIVED,
                location=Point(rng.uniform(lon0, lon1), rng.uniform(lat0, lat1), srid=4326),
                box=box,
                station=box.station,
                received_at=received,
                dispatched_at=received + dt.timedelta(seconds=response / 3) if closed else None,
                arrived_at=received + dt.timedelta(seconds=response) if closed else None,
                cleared_at=received + dt.timedelta(seconds=response + 1800) if closed else None,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=2000)


def duty(box: PoliceBox, officer: User, start: dt.datetime, hours: float = 24) -> RosterEntry:
    return RosterEntry.objects.create(
        box=box, officer=officer, start=start, end=start + dt.timedelta(hours=hours), kind=EntryKind.DUTY
    )


def found_item_with_task(
    box: PoliceBox, actor: User, now: dt.datetime, due_on: dt.date, handed_in_at: dt.datetime | None = None
) -> ItemTask:
    """An item handed in an hour before *now* (or at *handed_in_at*) with a task due on *due_on*."""
    handed_in_at = handed_in_at or now - dt.timedelta(hours=1)
    item = receive_item(
        actor,
        box,
        category=ItemCategory.objects.order_by("sort_order").first(),
        description="黒い財布 black wallet",
        found_at=handed_in_at - dt.timedelta(hours=1),
        found_place="駅前広場",
        handed_in_at=handed_in_at,
        now=now,
    )
    return ItemTask.objects.create(
        item=item, kind=ItemTask.Kind.NOTIFY_FINDER, due_on=due_on, created_on=due_on
    )


def counter_matter(
    box: PoliceBox, officer: User, received_at: dt.datetime, summary: str = "道案内"
) -> CounterMatter:
    return CounterMatter.objects.create(
        box=box,
        received_at=received_at,
        category=CounterCategory.objects.order_by("sort_order").first(),
        summary=summary,
        handled_by=officer,
        recorded_by=officer,
    )


def patrol(
    box: PoliceBox,
    officer: User,
    started_at: dt.datetime,
    points: list[tuple[float, float]],
    minutes: int = 40,
) -> Patrol:
    route = MultiLineString(LineString(points, srid=4326), srid=4326)
    created = Patrol.objects.create(
        box=box,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(minutes=minutes),
        route=route,
        source=Patrol.Source.DRAWN,
        distance_m=1000.0,
    )
    created.officers.add(officer)
    return created


def households(cast: Cast, n: int) -> None:
    """*n* households in box A's beat, every other one reached a week ago (the others are due)."""
    now = clock.now()
    Household.objects.bulk_create(
        Household(
            agency=cast.agency,
            beat=cast.beat_a,
            box=cast.box_a,
            point=Point(139.701 + (i % 30) * 0.0003, 35.601 + (i // 30) * 0.0008, srid=4326),
            address=f"駅前{i}",
            address_key=f"駅前{i}",
            last_contact_at=now - dt.timedelta(days=7) if i % 2 else None,
        )
        for i in range(n)
    )
