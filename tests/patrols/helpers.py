"""GPX documents and tracks for patrol tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # Monday 10:00 in Tokyo


def gpx(points: Iterable[tuple[float, float, datetime.datetime | None]]) -> bytes:
    rows = []
    for lon, lat, when in points:
        time = f"<time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>" if when else ""
        rows.append(f'<trkpt lat="{lat}" lon="{lon}">{time}</trkpt>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        "<trk><name>patrol</name><trkseg>\n" + "\n".join(rows) + "\n</trkseg></trk></gpx>\n"
    ).encode()


def walk(
    start: tuple[float, float] = (139.701, 35.6015),
    *,
    step_deg: float = 0.0002,
    steps: int = 30,
    seconds_per_step: int = 15,
    pause_at: int | None = 10,
    pause_s: int = 300,
    t0: datetime.datetime = T0,
) -> list[tuple[float, float, datetime.datetime]]:
    """Walk east along a street (~18 m per step, ~1.2 m/s), pausing *pause_s* seconds at step *pause_at*."""
    points = []
    when = t0
    lon, lat = start
    for i in range(steps):
        points.append((round(lon + i * step_deg, 6), lat, when))
        if i == pause_at:
            for _ in range(pause_s // 60):
                when += datetime.timedelta(seconds=60)
                points.append((round(lon + i * step_deg + 0.00001, 6), lat, when))
        when += datetime.timedelta(seconds=seconds_per_step)
    return points
