"""The demo year of incidents: volume, rhythm, places and realistic response times."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from zoneinfo import ZoneInfo

from koban.demo.context import DemoContext
from koban.incidents import demo
from koban.incidents.figures import overall_response, response_by
from koban.incidents.models import Dispatch, Incident, IncidentEvent, Status

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=TOKYO)


def test_the_demo_year_is_realistic(cast):  # type: ignore[no-untyped-def]
    context = DemoContext(
        seed=7, agency=cast.agency, now=NOW, stdout=io.StringIO(), rng=random.Random("7:incidents")
    )
    summary = demo.populate(context)

    # Volume and rhythm: about 35 a day, an evening peak and a night low, busier Saturdays.
    incidents = list(Incident.objects.values_list("received_at", flat=True))
    assert 10_000 < len(incidents) < 16_000, summary
    assert max(incidents) <= NOW and min(incidents) >= NOW - datetime.timedelta(days=366)
    hours = Counter(at.astimezone(TOKYO).hour for at in incidents)
    assert hours[20] > 3 * hours[4]
    weekdays = Counter(at.astimezone(TOKYO).weekday() for at in incidents)
    assert weekdays[5] > weekdays[1]

    # Open incidents today, cancelled ones, and a history consistent with the dispatches.
    assert Incident.objects.open().exists()
    assert Incident.objects.filter(status=Status.CANCELLED).exists()
    assert IncidentEvent.objects.count() > Incident.objects.count()
    arrived = Incident.objects.filter(arrived_at__isnull=False).count()
    assert Dispatch.objects.filter(arrived_at__isnull=False).count() == arrived

    # Response times around the national figure, slower in the chuzaisho (residential) beat B.
    overall = overall_response(Incident.objects.all())
    assert overall.median_s is not None and 6 * 60 < overall.median_s < 11 * 60
    assert overall.p90_s is not None and overall.p90_s > overall.median_s * 1.3
    by_box = {f.key: f for f in response_by(Incident.objects.all(), "box")}
    assert by_box[cast.box_b.pk].median_s > by_box[cast.box_a.pk].median_s
