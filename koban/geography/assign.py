"""Assigning many points (households, incidents, calls) to beats at once: the one bulk assigner.

Imports (incidents, households), the demo and the re-placement of incidents on new beats all call
:func:`assign_points_to_beats` with whole columns of coordinates. The beats are loaded into a
:class:`~koban.analytics.algorithms.point_in_polygon.PolygonIndex`, which is

- kept in memory for as long as the beats stay the same, so repeated imports do not rebuild it;
- kept on disk beside the beats (``KOBAN_BEAT_INDEX_DIR``, one file per set of beats, named by a
  digest of their ids and boundaries), so a fresh process (a worker, a command) loads it in a
  fraction of a second instead of building it for seconds.

Which beats are meant is the same rule as ``Beat.objects.current().of_agency(…)``: the digest is
computed by that QuerySet, so an edited boundary, an added or removed beat, or another version
going live gives another key, and a stale index is never used.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, Func, TextField, Value
from django.db.models.functions import Cast, Concat
from numpy.typing import ArrayLike, NDArray

from koban.analytics.algorithms.point_in_polygon import PolygonIndex
from koban.geography.models import Beat, BeatQuerySet, BeatVersion
from koban.organization.models import Agency

logger = logging.getLogger(__name__)

# Indexes kept per set of beats; a handful covers the active set plus a draft being checked.
_CACHE_SIZE = 4
# Index files kept on disk; the oldest beyond this many are removed when a new one is written.
_FILES_KEPT = 8
_cache: OrderedDict[str, LoadedBeats] = OrderedDict()
_lock = threading.Lock()
_assign_lock = threading.Lock()


def beats_for(version: BeatVersion | None = None, agency: Agency | None = None) -> BeatQuerySet:
    """The beats points are assigned to: *version*'s, else the current beats (of *agency*)."""
    if version is not None:
        return Beat.objects.filter(version=version)
    beats = Beat.objects.current()
    return beats.of_agency(agency) if agency is not None else beats


@dataclass(frozen=True)
class LoadedBeats:
    """A set of beats ready to take points: the index and the beat id of each of its polygons.

    Holding one lets a caller assign chunk after chunk without a query in between (an import
    streaming rows with ``COPY`` may run none while the copy holds the connection).
    """

    index: PolygonIndex
    beat_ids: NDArray[np.int64]

    def positions(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.int64]:
        """Per point, the position in ``beat_ids`` of the beat containing it, or -1."""
        xs = np.asarray(lons, dtype=np.float64).reshape(-1)
        ys = np.asarray(lats, dtype=np.float64).reshape(-1)
        if xs.shape != ys.shape:
            raise ValueError(f"lons and lats differ in length ({xs.size} and {ys.size})")
        # GEOS completes a prepared polygon's internal index on first use, which is not safe to race
        # from two threads; imports are bulk jobs, so taking turns costs little.
        with _assign_lock:
            return self.index.assign(xs, ys)

    def assign(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.int64]:
        """Per point, the id of the beat containing it, or -1 (see :func:`assign_points_to_beats`)."""
        positions = self.positions(lons, lats)
        out = np.full(positions.size, -1, dtype=np.int64)
        found = positions >= 0
        out[found] = self.beat_ids[positions[found]]
        return out


def load_beats(version: BeatVersion | None = None, agency: Agency | None = None) -> LoadedBeats:
    """The beats of *version*, else the current beats (of *agency*), ready to take points."""
    return index_for(beats_for(version, agency))


def assign_points_to_beats(
    lons: ArrayLike,
    lats: ArrayLike,
    version: BeatVersion | None = None,
    *,
    agency: Agency | None = None,
) -> NDArray[np.int64]:
    """Return, per point, the id of the beat containing it, or -1 where no beat does.

    Parameters
    ----------
    lons, lats : array_like of float
        WGS84 coordinates, one per point. NaN or out-of-range coordinates get -1.
    version : BeatVersion, optional
        The set of beats to use; by default the current beats (of every active version).
    agency : Agency, optional
        Without *version*: only the current beats of this agency.

    A point on an edge shared by two beats goes to the beat with the lower id, every time.
    """
    xs = np.asarray(lons, dtype=np.float64).reshape(-1)
    ys = np.asarray(lats, dtype=np.float64).reshape(-1)
    if xs.shape != ys.shape:
        raise ValueError(f"lons and lats differ in length ({xs.size} and {ys.size})")
    return load_beats(version, agency).assign(xs, ys)


class BeatPlaces:
    """The agency's current beats with the box and station of each: where points are, in bulk.

    For writers that need more than the beat id (an import's COPY lines, the demo). Everything is
    loaded here: no query runs while points are placed (a COPY may be holding the connection).
    """

    def __init__(self, agency: Agency) -> None:
        self.beats = load_beats(agency=agency)
        ids = self.beats.beat_ids.tolist()
        owner = {
            beat: (box, station)
            for beat, box, station in Beat.objects.filter(pk__in=ids).values_list(
                "id", "box_id", "box__station_id"
            )
        }
        # Per beat (in the index's order): its beat, box and station, as numbers and as COPY columns.
        self.ids = [(beat, *owner[beat]) for beat in ids]
        self.places = [f"{beat}\t{box}\t{station}\tf" for beat, box, station in self.ids]

    def assign(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.int64]:
        """Index into ``places`` per point; -1 outside every beat or without a point (NaN)."""
        return self.beats.positions(lons, lats)


def clear_cache() -> None:
    """Forget every index kept in memory (tests use this; edits are noticed without it)."""
    with _lock:
        _cache.clear()


def index_for(beats: BeatQuerySet) -> LoadedBeats:
    """*beats* ready to take points: the index over them (in id order) and their ids.

    From memory, else from the index file of these very beats, else built (and kept in both).
    """
    key = fingerprint(beats)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    built = _load(key) or _build(beats, key)
    if fingerprint(beats) != key:
        return built  # the beats changed while loading: use them, but do not keep them under the old key
    with _lock:
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def fingerprint(beats: BeatQuerySet) -> str:
    """A digest of the beats' ids and boundaries, computed in the database from the stored geometries."""
    per_beat = Concat(
        Cast("id", TextField()),
        Value(":"),
        Func(AsWKB("geom"), function="md5", output_field=TextField()),
        output_field=TextField(),
    )
    figures = beats.order_by().aggregate(
        count=Count("id"),
        digest=Func(
            StringAgg(per_beat, delimiter=",", order_by="id"), function="md5", output_field=TextField()
        ),
    )
    return f"{figures['count']}-{figures['digest'] or 'none'}"


def _path(key: str) -> Path:
    return Path(settings.KOBAN_BEAT_INDEX_DIR) / f"beats-{key}.npz"


def _load(key: str) -> LoadedBeats | None:
    path = _path(key)
    if not path.is_file():
        return None
    try:
        index = PolygonIndex.load(path)
        beat_ids = np.asarray(np.load(path.with_suffix(".ids.npy"), allow_pickle=False), dtype=np.int64)
    except (OSError, ValueError, KeyError) as exc:
        # A damaged or foreign file is only a lost shortcut: build again and overwrite it.
        logger.warning("beat index %s unreadable (%s); building it again", path, exc)
        return None
    if beat_ids.size != index.polygon_count:
        return None
    return LoadedBeats(index, beat_ids)


def _build(beats: BeatQuerySet, key: str) -> LoadedBeats:
    # Beats are ordered by id, so the index's lowest-position rule is the lowest-id rule.
    rows = list(beats.order_by("id").annotate(wkb=AsWKB("geom")).values_list("id", "wkb"))
    beat_ids = np.array([row[0] for row in rows], dtype=np.int64)
    polygons = shapely.from_wkb([bytes(row[1]) for row in rows]) if rows else []
    index = PolygonIndex.from_polygons(list(polygons))
    _save(key, index, beat_ids)
    return LoadedBeats(index, beat_ids)


def _save(key: str, index: PolygonIndex, beat_ids: NDArray[np.int64]) -> None:
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The ids first: a reader finding the index file finds its ids too.
        ids_path = path.with_suffix(".ids.npy")
        partial = ids_path.with_name(f".{ids_path.name}.{threading.get_ident()}.partial")
        with partial.open("wb") as handle:
            np.save(handle, beat_ids)
        partial.replace(ids_path)
        index.save(path)
        _prune(path.parent)
    except OSError as exc:
        logger.warning("beat index not kept on disk (%s): %s", path, exc)


def _prune(folder: Path) -> None:
    """Remove all but the most recently written index files."""
    files = sorted(folder.glob("beats-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[_FILES_KEPT:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".ids.npy").unlink(missing_ok=True)
