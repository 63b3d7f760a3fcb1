"""Loading the demo prefecture: a fictional prefecture of about 200,000 residents, from a seed.

``generate`` saves the plan of ``koban.demo.city`` (areas, roads, stations, boxes), adds the people of
``koban.demo.people``, derives the beats with ``koban.geography.derive`` and activates them, then lets
every app in ``koban.demo.steps.APP_STEPS`` add its own demo records. Everything happens in one
transaction: a failure leaves nothing half-loaded.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from koban.accounts.models import User
from koban.analytics.algorithms.districts import drop_small_holes
from koban.audit.services import record, snapshot
from koban.demo import names
from koban.demo.city import CENTRE_LAT, CENTRE_LON, Plan, make_plan
from koban.demo.context import DemoContext
from koban.demo.people import Login, create_people, logins_path, plan_people, read_logins, write_logins
from koban.demo.reset import delete_demo
from koban.demo.steps import APP_STEPS
from koban.geography.derive import derive_beats
from koban.geography.models import AdminArea, RoadSegment
from koban.geography.services import activate_version, as_multipolygon
from koban.lib.geo import check_geometry_coordinates, metric_transformers
from koban.organization.kinds import get_kind
from koban.organization.models import Agency, PoliceBox, PoliceStation

DEFAULT_SEED = 2026
DEMO_AGENCY_CODE = "DEMO"
DEMO_AGENCY_NAME = "デモ県警察（架空） Demo Prefectural Police (fictional)"
# Marks the areas and roads of the demo (they have no agency): a reset deletes exactly these.
DEMO_SOURCE = "Koban demo prefecture (fictional, generated)"

_GEOD = Geod(ellps="WGS84")


@dataclass
class Summary:
    """What the demo holds, for the closing lines of ``load_demo``."""

    areas: int = 0
    residents: int = 0
    households: int = 0
    road_km: float = 0.0
    stations: int = 0
    koban: int = 0
    chuzaisho: int = 0
    beats: int = 0
    officers: int = 0
    users: int = 0
    steps: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            _("%(prefecture)s (fictional): %(municipalities)s")
            % {
                "prefecture": " ".join(names.PREFECTURE),
                "municipalities": ", ".join(
                    f"{m[0]} {m[1]}" for m in (names.CITY, names.TOWN, names.VILLAGE)
                ),
            },
            _("%(areas)d town areas, %(residents)s residents in %(households)s households")
            % {"areas": self.areas, "residents": f"{self.residents:,}", "households": f"{self.households:,}"},
            _("%(km).0f km of roads") % {"km": self.road_km},
            _(
                "%(stations)d police stations, %(koban)d koban, %(chuzaisho)d chuzaisho, %(beats)d active beats"
            )
            % {
                "stations": self.stations,
                "koban": self.koban,
                "chuzaisho": self.chuzaisho,
                "beats": self.beats,
            },
            _("%(officers)d box officers and counsellors, %(users)d logins in all")
            % {"officers": self.officers, "users": self.users},
        ]
        out.extend(f"{name}: {summary}" for name, summary in self.steps)
        return out


def demo_agency() -> Agency | None:
    return Agency.objects.filter(code=DEMO_AGENCY_CODE).first()


def generate(
    seed: int = DEFAULT_SEED,
    stdout: TextIO | None = None,
    *,
    reset: bool = False,
    steps: list[str] | None = None,
    data_dir: Path | None = None,
) -> tuple[Summary, list[Login]]:
    """Create the demo prefecture (after deleting the old one when *reset*); return it and its logins.

    *steps* are the app modules whose ``demo.populate`` run after the network (default: all of
    ``APP_STEPS``). The logins file is written only once the transaction has committed.
    """
    out = stdout or io.StringIO()
    path = logins_path(data_dir)
    known = {login.username: login.password for login in read_logins(path)}
    for kind in ("koban", "chuzaisho"):
        if get_kind(kind) is None:
            raise ValueError(_("The demo needs the box kind %(kind)s in KOBAN_BOX_KINDS.") % {"kind": kind})
    with transaction.atomic():
        if reset:
            deleted = delete_demo(demo_agency(), DEMO_SOURCE)
            _say(out, _("deleted the old demo (%(rows)d rows)") % {"rows": deleted})
        summary, logins = _build(seed, out, known, APP_STEPS if steps is None else steps)
    write_logins(path, logins)
    return summary, logins


def _build(seed: int, out: TextIO, known: dict[str, str], steps: list[str]) -> tuple[Summary, list[Login]]:
    _say(out, _("planning the prefecture (seed %(seed)d)") % {"seed": seed})
    plan = make_plan(seed)
    project = _Projector()
    agency = Agency.objects.create(code=DEMO_AGENCY_CODE, name=DEMO_AGENCY_NAME)
    summary = Summary()

    _save_areas(plan, project, summary)
    _say(
        out,
        _("%(count)d town areas, %(people)s residents")
        % {"count": summary.areas, "people": f"{summary.residents:,}"},
    )
    summary.road_km = _save_roads(plan, project)
    _say(out, _("%(km).0f km of roads") % {"km": summary.road_km})

    stations, boxes = _save_network(plan, project, agency)
    summary.stations = len(stations)
    summary.koban = sum(1 for b in boxes if b.kind == "koban")
    summary.chuzaisho = sum(1 for b in boxes if b.kind == "chuzaisho")
    _say(out, _("%(stations)d stations, %(boxes)d boxes") % {"stations": len(stations), "boxes": len(boxes)})

    people = plan_people(plan)
    logins = create_people(agency, plan, people, stations, boxes, known)
    summary.users = len(logins)
    summary.officers = sum(1 for p in people if p.box is not None)
    _say(out, _("%(count)d logins") % {"count": len(logins)})

    admin = User.objects.get(username="admin")
    version, report = derive_beats(
        admin,
        agency,
        area_level=AdminArea.Level.TOWN,
        name=_("Demo beats (derived from town areas)"),
        progress=lambda message: _say(out, f"  {message}"),
    )
    if report.check is not None and report.check.problems:
        for problem in report.check.problems:
            _say(out, f"  {problem.describe()}")
    activate_version(admin, version)
    summary.beats = version.beats.count()
    _say(out, _("%(count)d beats derived and activated") % {"count": summary.beats})
    record(admin, "demo.load", agency, after=snapshot(agency), note=f"seed {seed}")

    context = DemoContext(seed=seed, agency=agency, now=_now(), stdout=out)
    summary.steps = run_app_steps(context, steps)
    return summary, logins


def run_app_steps(context: DemoContext, modules: list[str]) -> list[tuple[str, str]]:
    """Call ``<module>.demo.populate`` for each module that has one; return (step, summary) pairs.

    A module without ``demo.py`` is skipped; an error inside one (an ImportError included) is raised.
    """
    done = []
    for module in modules:
        demo_module = f"{module}.demo"
        if importlib.util.find_spec(module) is None or importlib.util.find_spec(demo_module) is None:
            continue
        populate: Callable[[DemoContext], str] | None = getattr(
            importlib.import_module(demo_module), "populate", None
        )
        if populate is None:
            continue
        step = module.rsplit(".", 1)[-1]
        context.stdout.write(f"  [{step}] …\n")
        started = time.monotonic()
        summary = populate(context.for_step(step))
        context.stdout.write(f"  [{step}] {summary} ({time.monotonic() - started:.1f} s)\n")
        done.append((step, str(summary)))
    return done


def _now() -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def _say(out: TextIO, message: str) -> None:
    out.write(f"  [network] {message}\n")
    out.flush()


class _Projector:
    """Plan metres (east and north of the city centre) to WGS84 through the local UTM zone."""

    def __init__(self) -> None:
        forward, self.backward = metric_transformers(CENTRE_LON, CENTRE_LAT)
        self.east, self.north = forward.transform(CENTRE_LON, CENTRE_LAT)

    def xy(self, coords: np.ndarray) -> np.ndarray:
        lon, lat = self.backward.transform(coords[:, 0] + self.east, coords[:, 1] + self.north)
        return np.column_stack([lon, lat])

    def shape(self, geom: BaseGeometry) -> BaseGeometry:
        result = shapely.transform(geom, self.xy)
        check_geometry_coordinates(result)
        return result

    def point(self, xy: tuple[float, float]) -> Point:
        lon, lat = self.xy(np.asarray([xy]))[0]
        return Point(float(lon), float(lat), srid=4326)


def _geos(geom: BaseGeometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)


def _multipolygon(geom: BaseGeometry) -> MultiPolygon:
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return as_multipolygon(_geos(shapely.MultiPolygon(polygons)))


def _save_areas(plan: Plan, project: _Projector, summary: Summary) -> None:
    """Save the prefecture, its municipalities and their town areas."""
    muni_shapes = [project.shape(m.polygon) for m in plan.municipalities]
    prefecture = AdminArea.objects.create(
        level=AdminArea.Level.PREFECTURE,
        code=plan.municipalities[0].code[:2],
        name=names.PREFECTURE[0],
        population=plan.residents,
        households=sum(a.households for a in plan.areas),
        source=DEMO_SOURCE,
        geom=_multipolygon(shapely.union_all(muni_shapes)),
    )
    municipalities = []
    for m, muni in enumerate(plan.municipalities):
        members = [a for a in plan.areas if a.municipality == m]
        municipalities.append(
            AdminArea.objects.create(
                level=AdminArea.Level.MUNICIPALITY,
                code=muni.code,
                name=muni.name,
                parent=prefecture,
                population=sum(a.population for a in members),
                households=sum(a.households for a in members),
                source=DEMO_SOURCE,
                geom=_multipolygon(muni_shapes[m]),
            )
        )
    shapes = [project.shape(a.polygon) for a in plan.areas]
    AdminArea.objects.bulk_create(
        AdminArea(
            level=AdminArea.Level.TOWN,
            code=area.code,
            name=area.name,
            parent=municipalities[area.municipality],
            population=area.population,
            households=area.households,
            source=DEMO_SOURCE,
            geom=_multipolygon(shape),
        )
        for area, shape in zip(plan.areas, shapes, strict=True)
    )
    summary.areas = len(plan.areas)
    summary.residents = plan.residents
    summary.households = sum(a.households for a in plan.areas)


def _save_roads(plan: Plan, project: _Projector) -> float:
    rows = []
    total = 0.0
    for road in plan.network.roads:
        lonlat = project.xy(road.coords)
        length = float(_GEOD.line_length(lonlat[:, 0], lonlat[:, 1]))
        total += length
        line = LineString(lonlat, srid=4326)
        rows.append(
            RoadSegment(name=road.name, kind=road.kind, geom=line, length_m=length, source=DEMO_SOURCE)
        )
    RoadSegment.objects.bulk_create(rows, batch_size=1000)
    return total / 1000


def _save_network(
    plan: Plan, project: _Projector, agency: Agency
) -> tuple[list[PoliceStation], list[PoliceBox]]:
    stations = []
    for s, station in enumerate(plan.stations):
        metric = shapely.union_all([a.polygon for a in plan.areas if a.station == s])
        jurisdiction = shapely.make_valid(project.shape(drop_small_holes(metric, 1.0)))
        stations.append(
            PoliceStation.objects.create(
                agency=agency,
                code=station.code,
                name=station.name,
                address=station.address,
                phone=station.phone,
                location=project.point(station.xy),
                area=_multipolygon(jurisdiction),
            )
        )
    rng = random.Random(f"{plan.seed}:boxes")
    boxes = PoliceBox.objects.bulk_create(
        PoliceBox(
            station=stations[box.station],
            code=box.code,
            name=box.name,
            kind=box.kind,
            address=box.address,
            phone=box.phone,
            location=project.point(box.xy),
            staffing_target=box.staffing_target,
            opened_on=datetime.date(rng.randint(1965, 2015), rng.randint(1, 12), 1),
        )
        for box in plan.boxes
    )
    return stations, boxes
