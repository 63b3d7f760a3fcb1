"""The road network as a routing graph, shared by every feature that measures travel along roads
(dispatch suggestions, patrol drawing, visit worklists): the whole network, cached, or the roads
around some places.

The graph of every loaded segment is built once per process and database, and rebuilt when the
segments change (their count or highest id moves).
"""

from __future__ import annotations

import threading

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count, Max

from koban.analytics.algorithms.routing import RoadGraph, build_road_graph
from koban.geography.models import RoadSegment

_graph_lock = threading.Lock()
_graph_cache: dict[str, tuple[tuple[int, int], RoadGraph | None]] = {}


def _roads_version() -> tuple[int, int]:
    stats = RoadSegment.objects.aggregate(n=Count("id"), last=Max("id"))
    return int(stats["n"] or 0), int(stats["last"] or 0)


def road_graph() -> RoadGraph | None:
    """The road graph of every loaded segment, or None when no roads are loaded."""
    version = _roads_version()
    key = connection.settings_dict["NAME"]
    with _graph_lock:
        cached = _graph_cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    graph = None
    if version[0]:
        wkbs = RoadSegment.objects.order_by("id").values_list(AsWKB("geom"), flat=True)
        graph = build_road_graph(shapely.from_wkb([bytes(wkb) for wkb in wkbs]))
    with _graph_lock:
        _graph_cache[key] = (version, graph)
    return graph


#: Roads this far (degrees, about 300 m) outside the places still count: a way may bend outwards.
ROAD_MARGIN = 0.003


def road_graph_around(lons: np.ndarray, lats: np.ndarray) -> RoadGraph | None:
    """The road network around the given places only, or None when no roads are loaded there."""
    if lons.size == 0:
        return None
    extent = Polygon.from_bbox(
        (
            float(lons.min()) - ROAD_MARGIN,
            float(lats.min()) - ROAD_MARGIN,
            float(lons.max()) + ROAD_MARGIN,
            float(lats.max()) + ROAD_MARGIN,
        )
    )
    extent.srid = 4326
    wkbs = list(RoadSegment.objects.filter(geom__bboverlaps=extent).values_list("geom", flat=True))
    if not wkbs:
        return None
    return build_road_graph(shapely.from_wkb([bytes(g.wkb) for g in wkbs]))
