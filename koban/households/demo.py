"""Demo household registry and a year of routine visits.

Every town (町丁目) of the demo prefecture gets as many homes as its census count says, at random
places inside it: in the city about half of them live in apartment buildings of 6–40 units (a third
of the buildings behind an auto-lock entrance), in the countryside nearly all in houses; about one
business or office for every twelve homes. The list goes through the real import
(``koban.households.importer``), so the demo is placed in beats and written exactly as an imported
list would be.

Then a year of visits: each box reaches part of its beat each month, more in the countryside than in
the city, and residents refuse more often as the year goes on (the refusals the issue speaks of); the
units of locked buildings are often "could not enter". Visits are bulk-written, then each household's
last contact is set from them in one statement.
"""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import connection

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.geography.models import AdminArea
from koban.households.importer import HouseholdImportOptions, import_households
from koban.households.models import CONTACT_OUTCOMES, Household, Kind, Outcome, Topic, Visit

BUSINESS_PER_HOME = 1 / 12
# Share of homes in apartment buildings, by how dense the town is (residents per km²).
APARTMENT_SHARE_DENSE, APARTMENT_SHARE_SPARSE = 0.5, 0.05
DENSE_PER_KM2 = 4000
LOCKED_BUILDING_SHARE = 0.33
# Of the households a box should reach in a year, the share it reaches in a month.
MONTHLY_REACH = {"city": 0.045, "country": 0.07}
REFUSAL_FIRST, REFUSAL_LAST = 0.05, 0.16  # refusal rate in the first and the last month
ABSENT_SHARE = 0.22
BUSINESS_NAMES = [
    "商店",
    "食堂",
    "理容室",
    "クリーニング",
    "薬局",
    "工務店",
    "書店",
    "喫茶",
    "医院",
    "不動産",
]
REQUESTS = ["", "", "", "", "", "", "", "", "夜道が暗い", "スピードを出す車が多い", "不審な電話があった"]


def populate(context: DemoContext) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-households.csv"
        rows = _write_list(path, context)
        report = import_households(
            path,
            HouseholdImportOptions(agency_code=context.agency.code),
            commit=True,
            actor="demo",
            now=context.now,
        )
    if not report.committed:
        raise RuntimeError(f"demo households were not imported: {report.summary()}")
    context.progress(f"{report.created} addresses imported")
    visits = _visits(context)
    return f"{report.created} households and businesses ({rows} rows), {visits} visits in a year"


def _points_in(rng: np.random.Generator, polygon: shapely.Geometry, n: int) -> np.ndarray:
    """*n* random points inside *polygon* (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = []
    count = 0
    for _attempt in range(50):
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(2 * (n - count), 16), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        count += len(inside)
        if count >= n:
            break
    points = np.concatenate(found) if found else np.zeros((0, 2))
    return points[:n]


def _write_list(path: Path, context: DemoContext) -> int:
    """The demo's address list, town by town; returns the number of rows."""
    rng = np.random.default_rng(context.rng.randrange(2**32))
    towns = AdminArea.objects.filter(
        level=AdminArea.Level.TOWN, households__gt=0, source__startswith="Koban demo"
    )
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["address", "lon", "lat", "kind", "name", "building", "can_enter"])
        for town in towns.select_related("parent").order_by("code"):
            polygon = shapely.from_wkb(bytes(town.geom.wkb))
            written += _write_town(out, rng, town, polygon)
    return written


def _write_town(out: Any, rng: np.random.Generator, town: AdminArea, polygon: shapely.Geometry) -> int:
    homes = int(town.households or 0)
    area_km2 = max(float(shapely.area(polygon)) * 111.0 * 91.0, 0.01)  # degrees² to km² near 35°N
    dense = (town.population or 0) / area_km2 >= DENSE_PER_KM2
    in_buildings = int(homes * (APARTMENT_SHARE_DENSE if dense else APARTMENT_SHARE_SPARSE))
    sizes: list[int] = []
    while sum(sizes) < in_buildings:
        sizes.append(int(rng.integers(6, 41)))
    houses = max(homes - sum(sizes), 0)
    businesses = round(homes * BUSINESS_PER_HOME)
    points = _points_in(rng, polygon, houses + len(sizes) + businesses)
    prefix = f"{town.parent.name if town.parent else ''}{town.name}"
    rows = 0
    for i, (lon, lat) in enumerate(points):
        block, lot = i // 20 + 1, i % 20 + 1
        address = f"{prefix}{block}番{lot}号"
        if i < houses:
            out.writerow([address, f"{lon:.6f}", f"{lat:.6f}", Kind.HOUSE, "", "", ""])
            rows += 1
        elif i < houses + len(sizes):
            size = sizes[i - houses]
            locked = rng.random() < LOCKED_BUILDING_SHARE
            building = f"{address} {town.name}ハイツ"
            out.writerow(
                [
                    building,
                    f"{lon:.6f}",
                    f"{lat:.6f}",
                    Kind.APARTMENT_BUILDING,
                    "",
                    "",
                    "no" if locked else "yes",
                ]
            )
            for room in range(size):
                unit = f"{building} {room // 8 + 1}0{room % 8 + 1}号室"
                out.writerow([unit, f"{lon:.6f}", f"{lat:.6f}", Kind.APARTMENT_UNIT, "", building, ""])
            rows += 1 + size
        else:
            name = f"{town.name}{BUSINESS_NAMES[i % len(BUSINESS_NAMES)]}"
            kind = Kind.PUBLIC_OFFICE if i % 29 == 0 else Kind.BUSINESS
            out.writerow([address, f"{lon:.6f}", f"{lat:.6f}", kind, name, "", ""])
            rows += 1
    return rows


def _visits(context: DemoContext) -> int:
    """A year of visits by each box's officers, refusals rising month by month."""
    rng = context.rng
    officers: dict[int, list[int]] = {}
    for user_id, box_id in User.objects.filter(
        role=Role.BOX_OFFICER, box__station__agency=context.agency, is_active=True
    ).values_list("pk", "box_id"):
        officers.setdefault(box_id, []).append(user_id)
    households = list(
        Household.objects.of_agency(context.agency)
        .placed()
        .visitable()
        .values_list("pk", "box_id", "kind", "building__can_enter", "box__kind")
    )
    end = context.now
    batch: list[Visit] = []
    for month in range(12):
        start = end - datetime.timedelta(days=30 * (12 - month))
        refusal = REFUSAL_FIRST + (REFUSAL_LAST - REFUSAL_FIRST) * month / 11
        for pk, box_id, kind, building_open, box_kind in households:
            staff = officers.get(box_id)
            reach = MONTHLY_REACH["country" if box_kind == "chuzaisho" else "city"]
            if not staff or rng.random() >= reach:
                continue
            outcome = _outcome(rng, refusal, locked=kind == Kind.APARTMENT_UNIT and building_open is False)
            batch.append(
                Visit(
                    household_id=pk,
                    box_id=box_id,
                    officer_id=rng.choice(staff),
                    recorded_by_id=None,
                    visited_at=start + datetime.timedelta(seconds=rng.randrange(30 * 86400)),
                    outcome=outcome,
                    topics=rng.sample(Topic.values[:6], 2) if outcome == Outcome.MET else [],
                    requests=rng.choice(REQUESTS) if outcome == Outcome.MET else "",
                )
            )
    Visit.objects.bulk_create([v for v in batch if v.visited_at < end], batch_size=5000)
    _set_last_contact(context)
    return len(batch)


def _outcome(rng: random.Random, refusal: float, *, locked: bool) -> str:
    if locked and rng.random() < 0.6:
        return Outcome.COULD_NOT_ENTER
    draw = rng.random()
    if draw < refusal:
        return Outcome.REFUSED
    if draw < refusal + ABSENT_SHARE:
        return Outcome.ABSENT
    return Outcome.MET


def _set_last_contact(context: DemoContext) -> None:
    """Each household's last contact from its visits, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Household._meta.db_table} h SET last_contact_at = v.last
            FROM (SELECT household_id, max(visited_at) AS last FROM {Visit._meta.db_table}
                  WHERE outcome = ANY(%s) GROUP BY household_id) v
            WHERE v.household_id = h.id AND h.agency_id = %s
            """,
            [list(CONTACT_OUTCOMES), context.agency.pk],
        )
