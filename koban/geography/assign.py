"""Assigning many points (households, incidents, calls) to beats at once.

Imports call :func:`assign_points_to_beats` with whole columns of coordinates. The beats are loaded
once into a :class:`~koban.analytics.algorithms.point_in_polygon.PolygonIndex`, which is kept in
memory for as long as the beats stay the same, so repeated imports do not rebuild it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import shapely
from django.db import connection
from numpy.typing import ArrayLike, NDArray

from koban.analytics.algorithms.point_in_polygon import PolygonIndex
from koban.geography.models import Beat, BeatVersion

# Indexes kept per set of beats; a handful covers the active set plus a draft being checked.
_CACHE_SIZE = 4
_cache: OrderedDict[tuple[object, ...], tuple[PolygonIndex, NDArray[np.int64]]] = OrderedDict()
_lock = threading.Lock()
_assign_lock = threading.Lock()


def assign_points_to_beats(
    lons: ArrayLike, lats: ArrayLike, version: BeatVersion | None = None
) -> NDArray[np.int64]:
    """Return, per point, the id of the beat containing it, or -1 where no beat does.

    Parameters
    ----------
    lons, lats : array_like of float
        WGS84 coordinates, one per point. NaN or out-of-range coordinates get -1.
    version : BeatVersion, optional
        The set of beats to use; by default the beats of every active version.

    A point on an edge shared by two beats goes to the beat with the lower id, every time.
    """
    xs = np.asarray(lons, dtype=np.float64).reshape(-1)
    ys = np.asarray(lats, dtype=np.float64).reshape(-1)
    if xs.shape != ys.shape:
        raise ValueError(f"lons and lats differ in length ({xs.size} and {ys.size})")
    index, beat_ids = _index_for([version.pk] if version is not None else None)
    # GEOS completes a prepared polygon's internal index on first use, which is not safe to race
    # from two threads; imports are bulk jobs, so taking turns costs little.
    with _assign_lock:
        positions = index.assign(xs, ys)
    out = np.full(xs.size, -1, dtype=np.int64)
    found = positions >= 0
    out[found] = beat_ids[positions[found]]
    return out


def clear_cache() -> None:
    """Forget every cached index (tests use this; edits are noticed without it)."""
    with _lock:
        _cache.clear()


def _index_for(version_ids: Sequence[int] | None) -> tuple[PolygonIndex, NDArray[np.int64]]:
    key = _fingerprint(version_ids)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    beats = Beat.objects.all() if version_ids is None else Beat.objects.filter(version_id__in=version_ids)
    if version_ids is None:
        beats = beats.filter(version__status=BeatVersion.Status.ACTIVE)
    rows = list(beats.order_by("id").values_list("id", "geom"))
    # Beats are ordered by id, so the index's lowest-position rule is the lowest-id rule.
    beat_ids = np.array([row[0] for row in rows], dtype=np.int64)
    polygons = [shapely.from_wkb(bytes(row[1].wkb)) for row in rows]
    built = (PolygonIndex.from_polygons(polygons), beat_ids)
    if _fingerprint(version_ids) != key:
        return built  # the beats changed while loading: use them, but do not cache under the old key
    with _lock:
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def _fingerprint(version_ids: Sequence[int] | None) -> tuple[object, ...]:
    """What identifies a set of beats: which versions, and a digest of their ids and geometries.

    The digest is computed in the database from the stored geometries, so an edited boundary, an
    added or a removed beat, or an activated version all give a new key.
    """
    where = "v.status = %s" if version_ids is None else "b.version_id = ANY(%s)"
    param: str | list[int] = BeatVersion.Status.ACTIVE if version_ids is None else list(version_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*), coalesce(md5(string_agg(b.id::text || ':' || md5(ST_AsBinary(b.geom)), ','
                                          ORDER BY b.id)), '')
            FROM {Beat._meta.db_table} b JOIN {BeatVersion._meta.db_table} v ON v.id = b.version_id
            WHERE {where}
            """,
            [param],
        )
        count, digest = cursor.fetchone()
    return (tuple(version_ids) if version_ids is not None else "active", count, digest)
