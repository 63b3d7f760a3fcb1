"""Synthetic volunteer groups at national scale (46,000 groups, 2.5 million members) for benchmarks.

Rows are streamed into PostgreSQL with COPY (no model instances, no per-row audit: the caller records
one bulk audit row), in one transaction. Sizes, ages, activity types, founding years and blue-light
certification follow the national survey's proportions (docs: the domain notes, §1.3), drawn from a
seeded generator, so the same seed gives the same data. Members carry no real names.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from koban.organization.models import PoliceStation
from koban.volunteers.models import ActivityType, AgeBand, Composition, MemberRole

# Shares of members by age band (the survey's ageing: about a third 70 and over).
AGE_SHARES = [0.02, 0.02, 0.05, 0.10, 0.14, 0.35, 0.32]
# Share of groups doing each activity type (foot patrol 81.7 %, school-route watch 75.8 %).
ACTIVITY_SHARES = {
    ActivityType.FOOT_PATROL: 0.817,
    ActivityType.SCHOOL_ROUTE: 0.758,
    ActivityType.BICYCLE_PATROL: 0.12,
    ActivityType.DOG_WALK: 0.15,
    ActivityType.STANDING_WATCH: 0.2,
    ActivityType.CAMPAIGN: 0.3,
}
COMPOSITION_SHARES = {
    Composition.NEIGHBOURHOOD: 0.53,
    Composition.PARENTS: 0.15,
    Composition.SENIORS: 0.17,
    Composition.BUSINESSES: 0.1,
    Composition.OTHER: 0.05,
}
# About 44,000 blue-light vehicles for 46,000 groups: a fifth of the groups certified, about five each.
BLUE_LIGHT_SHARE = 0.2
VEHICLES_PER_CERTIFIED = 4.8
PATROLLERS_PER_CERTIFIED = 6
GROUP_COLUMNS = (
    "name",
    "agency_id",
    "station_id",
    "composition",
    "activities",
    "days_per_month",
    "schedule",
    "at_night",
    "founded_on",
)
MEMBER_COLUMNS = ("group_id", "name", "phone", "age_band", "role", "joined_on")


@dataclass
class Generated:
    groups: int
    members: int
    certified: int
    vehicles: int
    patrollers: int


def _copy(table: str, columns: Sequence[str], rows: object) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        for row in rows:  # type: ignore[attr-defined]
            copy.write_row(row)


def _sizes(rng: np.random.Generator, groups: int, members: int) -> np.ndarray:
    """Group sizes with a long tail (lognormal), at least 3, summing to *members*."""
    raw = rng.lognormal(mean=3.4, sigma=0.9, size=groups)
    sizes = np.maximum(3, np.round(raw * members / raw.sum())).astype(np.int64)
    # Spread the rounding difference over the largest groups so the total is exact.
    diff = int(members - sizes.sum())
    order = np.argsort(-sizes)
    step = 1 if diff > 0 else -1
    for i in range(abs(diff)):
        sizes[order[i % groups]] += step
    return sizes


def _group_rows(
    rng: np.random.Generator, stations: list[PoliceStation], n: int, today: datetime.date, tag: str
) -> list[tuple[object, ...]]:
    picks = rng.integers(0, len(stations), size=n)
    compositions = rng.choice(list(COMPOSITION_SHARES), size=n, p=list(COMPOSITION_SHARES.values()))
    days = rng.choice([0, 1, 2, 4, 8, 12, 20], size=n, p=[0.03, 0.07, 0.12, 0.3, 0.23, 0.13, 0.12])
    years = rng.integers(2003, today.year, size=n)
    months = rng.integers(1, 13, size=n)
    night = rng.random(n) < 0.435
    chosen = {str(code): rng.random(n) < share for code, share in ACTIVITY_SHARES.items()}
    rows: list[tuple[object, ...]] = []
    for i in range(n):
        station = stations[int(picks[i])]
        activities = [code for code, mask in chosen.items() if mask[i]] or [str(ActivityType.FOOT_PATROL)]
        rows.append(
            (
                f"{tag} {i + 1}",
                station.agency_id,
                station.pk,
                str(compositions[i]),
                activities,
                int(days[i]),
                "",
                bool(night[i]),
                datetime.date(int(years[i]), int(months[i]), 1),
            )
        )
    return rows


def _members(
    rng: np.random.Generator,
    ids: list[int],
    founded: list[datetime.date],
    sizes: np.ndarray,
    today: datetime.date,
) -> object:
    """Member rows, group by group (a generator: 2.5 million rows are never held at once)."""
    bands = np.array(AgeBand.values)
    for group_id, start, size in zip(ids, founded, sizes.tolist(), strict=True):
        ages = bands[rng.choice(len(bands), size=size, p=AGE_SHARES)]
        span = max((today - start).days, 1)
        offsets = rng.integers(0, span, size=size)
        for k in range(size):
            role = MemberRole.LEADER if k == 0 else MemberRole.DEPUTY if k == 1 else MemberRole.MEMBER
            joined = start if k < 5 else start + datetime.timedelta(days=int(offsets[k]))
            yield (group_id, f"会員 {group_id}-{k + 1}", "", str(ages[k]), str(role), joined)


def _blue_light(rng: np.random.Generator, ids: list[int], today: datetime.date) -> tuple[int, int, int]:
    certified = [g for g, keep in zip(ids, rng.random(len(ids)) < BLUE_LIGHT_SHARE, strict=True) if keep]
    start, end = today - datetime.timedelta(days=700), today + datetime.timedelta(days=400)
    _copy(
        "volunteers_bluelightcertification",
        ("group_id", "number", "certified_on", "expires_on"),
        ((g, f"BL-{g}", start, end) for g in certified),
    )
    counts = rng.poisson(VEHICLES_PER_CERTIFIED - 1, size=len(certified)) + 1
    vehicles = [
        (g, f"V-{g}-{k}", "", start, end)
        for g, n in zip(certified, counts.tolist(), strict=True)
        for k in range(n)
    ]
    _copy(
        "volunteers_patrolvehicle",
        ("group_id", "plate", "description", "registered_on", "expires_on"),
        vehicles,
    )
    with connection.cursor() as cursor:
        # The first members of each certified group took the training.
        cursor.execute(
            """
            INSERT INTO volunteers_certifiedpatroller (member_id, card_number, trained_on, expires_on)
            SELECT id, 'P-' || id, %s, %s FROM (
                SELECT id, row_number() OVER (PARTITION BY group_id ORDER BY id) AS k
                FROM volunteers_volunteermember WHERE group_id = ANY(%s)
            ) AS first_members WHERE k <= %s
            """,
            [start, end, certified, PATROLLERS_PER_CERTIFIED],
        )
        patrollers = cursor.rowcount
    return len(certified), len(vehicles), patrollers


def generate(
    stations: Sequence[PoliceStation],
    *,
    groups: int,
    members: int,
    today: datetime.date,
    seed: int = 1,
    tag: str = "合成防犯ボランティア団体",
    progress: Callable[[str], None] = lambda message: None,
) -> Generated:
    """Create *groups* groups with *members* members in all spread over *stations* (must run in a transaction)."""
    if not stations:
        raise ValueError("no stations to register the groups at")
    if members < 3 * groups:
        raise ValueError("members must be at least three per group")
    rng = np.random.default_rng(seed)
    station_list = list(stations)
    rows = _group_rows(rng, station_list, groups, today, tag)
    _copy("volunteers_volunteergroup", GROUP_COLUMNS, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, founded_on FROM volunteers_volunteergroup WHERE name LIKE %s ORDER BY id DESC LIMIT %s",
            [f"{tag} %", groups],
        )
        found = sorted(cursor.fetchall())
    ids, founded = [row[0] for row in found], [row[1] for row in found]
    progress(f"{len(ids)} groups")
    sizes = _sizes(rng, groups, members)
    _copy("volunteers_volunteermember", MEMBER_COLUMNS, _members(rng, ids, founded, sizes, today))
    progress(f"{int(sizes.sum())} members")
    certified, vehicles, patrollers = _blue_light(rng, ids, today)
    progress(f"{certified} blue-light groups, {vehicles} vehicles, {patrollers} patrollers")
    with connection.cursor() as cursor:
        for table in (
            "volunteergroup",
            "volunteermember",
            "bluelightcertification",
            "patrolvehicle",
            "certifiedpatroller",
        ):
            cursor.execute(f"ANALYZE volunteers_{table}")
    return Generated(len(ids), int(sizes.sum()), certified, vehicles, patrollers)
