from __future__ import annotations

import datetime
import io
import random

import pytest
from django.contrib.gis.geos import LineString

from koban.demo.context import DemoContext
from koban.geography.models import RoadSegment
from koban.patrols import demo
from koban.patrols.coverage import beat_coverage
from koban.patrols.models import Patrol, PatrolCard
from tests import clock

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def _grid_streets(lon0=139.7005, lat0=35.6005, n=5, step=0.002):
    """A 5 x 5 street grid inside beat A, cut into segments between junctions."""
    for i in range(n):
        for j in range(n - 1):
            a, b = (lon0 + j * step, lat0 + i * step), (lon0 + (j + 1) * step, lat0 + i * step)
            RoadSegment.objects.create(name=f"East {i}", geom=LineString(a, b, srid=4326), length_m=180)
            a, b = (lon0 + i * step, lat0 + j * step), (lon0 + i * step, lat0 + (j + 1) * step)
            RoadSegment.objects.create(name=f"North {i}", geom=LineString(a, b, srid=4326), length_m=220)


def test_the_demo_walks_the_road_graph_and_leaves_some_streets_unpatrolled(cast):
    _grid_streets()
    now, today = clock.now(), clock.local_today()
    context = DemoContext(
        seed=7, agency=cast.agency, now=now, stdout=io.StringIO(), rng=random.Random("7:patrols")
    )
    summary = demo.populate(context)
    patrols = Patrol.objects.filter(box=cast.box_a)
    assert patrols.count() >= 15 and not Patrol.objects.exclude(box=cast.box_a).exists(), summary
    assert all(p.ended_at <= now for p in patrols)
    assert patrols.filter(stops__detected=True).distinct().count() == patrols.count()
    assert PatrolCard.objects.exists()
    week = beat_coverage(cast.beat_a, today - datetime.timedelta(days=7))
    assert week.mode == "segments" and 0 < week.percent < 100
