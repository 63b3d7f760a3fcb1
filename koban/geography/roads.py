"""The road network around some places, as a graph for routing (koban.analytics.algorithms.routing)."""

from __future__ import annotations

import numpy as np
import shapely
from django.contrib.gis.geos import Polygon

from koban.analytics.algorithms.routing import RoadGraph, build_road_graph
from koban.geography.models import RoadSegment

#: Roads this far (degrees, about 300 m) outside the places still count: a way may bend outwards.
ROAD_MARGIN = 0.003


def road_graph_around(lons: np.ndarray, lats: np.ndarray) -> RoadGraph | None:
    """The road network around the given places, or None when no roads are loaded there."""
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
