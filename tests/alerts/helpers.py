"""Alerts of the test prefecture: a suspicious-person draft over beat A, subscribers around it."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.gis.geos import MultiPolygon

from koban.alerts import services
from koban.alerts.areas import polygon_text
from koban.alerts.models import Alert, Channel, Subscription
from koban.alerts.services import AreaSpec
from tests import clock
from tests.factories import square
from tests.personas import LAT, LON, Cast


def suspicious_person(**changes: Any) -> dict[str, Any]:
    data = {
        "occurred_at": clock.minutes_ago(30).isoformat(),
        "place": "Ekimae 2-chome park",
        "what_happened": "A man spoke to a girl on her way home from school and tried to take her arm.",
        "sex": "male",
        "age_range": "40s",
        "height_cm": 175,
        "build": "slim",
        "clothing": "black cap, grey jacket",
        "vehicle": "white bicycle",
    }
    return data | changes


def area_of(geom: MultiPolygon, desc: str = "Ekimae 2-chome") -> AreaSpec:
    from shapely import from_wkb

    shape = from_wkb(bytes(geom.wkb))
    return AreaSpec(desc, [polygon_text(p) for p in shape.geoms])


def beat_a_area(cast: Cast) -> AreaSpec:
    return area_of(cast.beat_a.geom)


def draft(cast: Cast, **kwargs: Any) -> Alert:
    kwargs.setdefault("kind", Alert.FormKind.SUSPICIOUS_PERSON)
    kwargs.setdefault("data", suspicious_person())
    kwargs.setdefault("areas", [beat_a_area(cast)])
    return services.draft_alert(cast.officer_a, box=cast.box_a, **kwargs)


def released(cast: Cast, **kwargs: Any) -> Alert:
    return services.approve_alert(cast.chief_north, draft(cast, **kwargs))


def subscriber(
    email: str = "resident@example.jp",
    geom: MultiPolygon | None = None,
    *,
    channel: str = Channel.EMAIL,
    confirmed: bool = True,
    **fields: Any,
) -> Subscription:
    """A subscription straight in the table (the sign-up path has its own tests)."""
    now = clock.now()
    return Subscription.objects.create(
        channel=channel,
        email=email if channel == Channel.EMAIL else "",
        geom=geom or square(LON + 0.002, LAT + 0.002, 0.004),
        created_at=now - datetime.timedelta(days=3),
        confirmed_at=now - datetime.timedelta(days=3) if confirmed else None,
        **fields,
    )
