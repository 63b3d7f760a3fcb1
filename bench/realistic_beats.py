"""Deterministic, realistic beats and points for benchmarks: a Japan-sized prefecture network.

Real beats are small in city centres (a koban beat in central Tokyo is well under 1 km²) and large in
the countryside (a chuzaisho beat can span tens of km²), and their boundaries follow streets and
rivers, so each has a few hundred vertices. Households, incidents and calls cluster in the same
centres. This module builds such a set without any data download:

- beat seeds: most drawn around weighted city centres, the rest spread uniformly;
- beats: the Voronoi cells of the seeds inside a rectangle of about Japan's land area;
- boundaries: each Voronoi ridge between two beats becomes a wiggly polyline computed once from the
  ridge itself, so both neighbours share it exactly (no gaps, no overlaps); the outer edge stays
  straight;
- points: mostly around the same centres, some uniform, a few outside every beat.

Everything depends only on the seed, so every run and every machine gets the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import Voronoi

# About 9.2° × 4.4° at 35°N: ≈ 840 km × 490 km ≈ 410,000 km², close to Japan's 378,000 km².
EXTENT = (131.0, 33.0, 140.2, 37.4)
# Interior points added to each shared ridge; with ~6 ridges a beat gets a few hundred vertices.
RIDGE_POINTS = 44


@dataclass(frozen=True)
class Centre:
    lon: float
    lat: float
    sigma: float  # degrees: spread of the city
    weight: float  # share of beats and points


def centres(count: int = 14, seed: int = 3) -> list[Centre]:
    """City centres, shared by beats and points: a few metropolises and smaller cities, Zipf-like weights."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = EXTENT
    lons = rng.uniform(x0 + 0.6, x1 - 0.6, count)
    lats = rng.uniform(y0 + 0.5, y1 - 0.5, count)
    weights = 1.0 / np.arange(1, count + 1)
    sigmas = 0.05 + 0.25 * weights  # bigger cities spread wider
    weights = weights / weights.sum()
    return [
        Centre(float(a), float(b), float(s), float(w))
        for a, b, s, w in zip(lons, lats, sigmas, weights, strict=True)
    ]


def _clustered(
    rng: np.random.Generator, n: int, cities: list[Centre], uniform_share: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x0, y0, x1, y1 = EXTENT
    n_uniform = round(n * uniform_share)
    n_city = n - n_uniform
    which = rng.choice(len(cities), size=n_city, p=[c.weight for c in cities])
    lon = np.array([c.lon for c in cities])[which]
    lat = np.array([c.lat for c in cities])[which]
    sigma = np.array([c.sigma for c in cities])[which]
    # A heavier tail than a Gaussian (scale mixture): dense cores with suburbs around them.
    spread = sigma * rng.gamma(2.0, 0.5, n_city)
    xs = np.concatenate([lon + rng.normal(0, 1, n_city) * spread, rng.uniform(x0, x1, n_uniform)])
    ys = np.concatenate([lat + rng.normal(0, 1, n_city) * spread * 0.8, rng.uniform(y0, y1, n_uniform)])
    return xs, ys


def _seeds(rng: np.random.Generator, n: int, cities: list[Centre]) -> NDArray[np.float64]:
    x0, y0, x1, y1 = EXTENT
    xs, ys = _clustered(rng, n * 2, cities, uniform_share=0.3)
    inside = (xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)
    seeds = np.column_stack([xs[inside], ys[inside]])
    seeds = np.unique(np.round(seeds, 9), axis=0)
    rng.shuffle(seeds)
    if len(seeds) < n:
        raise RuntimeError("not enough beat seeds inside the extent")
    return seeds[:n]


_T = np.linspace(0.0, 1.0, RIDGE_POINTS + 2)[1:-1]
_HARMONICS = np.arange(1, 7)
_SINES = np.sin(np.pi * _HARMONICS[:, None] * _T[None, :])  # each vanishes at both ends


def _wiggle(a: NDArray[np.float64], b: NDArray[np.float64], key: tuple[int, int]) -> NDArray[np.float64]:
    """Interior points of a wiggly line from *a* to *b*, the same whenever the same ridge is asked for.

    The offset is a sum of sines that vanish at both ends, a few per cent of the ridge length, so the
    line stays near the straight ridge and neighbouring ridges do not cross.
    """
    rng = np.random.default_rng([key[0], key[1], 20240611])
    amplitude = rng.normal(0.0, 0.02, _HARMONICS.size) / _HARMONICS
    offset = amplitude @ _SINES
    direction = b - a
    normal = np.array([-direction[1], direction[0]])
    return a + _T[:, None] * direction + offset[:, None] * normal


def beats(n: int = 6000, seed: int = 7) -> list[shapely.Polygon]:
    """*n* beats tiling the extent exactly: Voronoi cells of clustered seeds with wiggly shared edges."""
    rng = np.random.default_rng(seed)
    cities = centres()
    points = _seeds(rng, n, cities)
    x0, y0, x1, y1 = EXTENT
    # Mirror the seeds across the four edges: the cells of the real seeds then end exactly at the
    # rectangle, and every one of them is finite.
    mirrored = [
        points,
        np.column_stack([2 * x0 - points[:, 0], points[:, 1]]),
        np.column_stack([2 * x1 - points[:, 0], points[:, 1]]),
        np.column_stack([points[:, 0], 2 * y0 - points[:, 1]]),
        np.column_stack([points[:, 0], 2 * y1 - points[:, 1]]),
    ]
    vor = Voronoi(np.concatenate(mirrored))
    ridges: dict[tuple[int, int], bool] = {}
    for (p, q), (va, vb) in zip(vor.ridge_points, vor.ridge_vertices, strict=True):
        if va < 0 or vb < 0:
            continue
        inner = p < n and q < n
        ridges[(min(va, vb), max(va, vb))] = inner
    straight: set[tuple[int, int]] = set()
    lines: dict[tuple[int, int], NDArray[np.float64]] = {}
    polygons = [_cell(vor, i, ridges, straight, lines) for i in range(n)]
    # A wiggle can, rarely, fold a small cell over itself: straighten that cell's ridges, and rebuild
    # it and every neighbour sharing them, until all are valid.
    for _ in range(5):
        invalid = np.flatnonzero(~shapely.is_valid(np.asarray(polygons, dtype=object)))
        if invalid.size == 0:
            break
        changed: set[tuple[int, int]] = set()
        for i in invalid:
            changed.update(_cell_ridges(vor, int(i)))
        straight |= changed
        for i in range(n):
            if changed.intersection(_cell_ridges(vor, i)):
                polygons[i] = _cell(vor, i, ridges, straight, lines)
    if not shapely.is_valid(np.asarray(polygons, dtype=object)).all():
        raise RuntimeError("could not build valid beats")
    return polygons


def _cell_ridges(vor: Voronoi, i: int) -> list[tuple[int, int]]:
    region = vor.regions[vor.point_region[i]]
    return [(min(a, b), max(a, b)) for a, b in zip(region, region[1:] + region[:1], strict=True)]


def _cell(
    vor: Voronoi,
    i: int,
    ridges: dict[tuple[int, int], bool],
    straight: set[tuple[int, int]],
    lines: dict[tuple[int, int], NDArray[np.float64]],
) -> shapely.Polygon:
    region = vor.regions[vor.point_region[i]]
    ring: list[NDArray[np.float64]] = []
    for a, b in zip(region, region[1:] + region[:1], strict=True):
        key = (min(a, b), max(a, b))
        ring.append(vor.vertices[a][None, :])
        if ridges.get(key, False) and key not in straight:
            line = lines.get(key)
            if line is None:
                line = lines[key] = _wiggle(vor.vertices[key[0]], vor.vertices[key[1]], key)
            ring.append(line if a == key[0] else line[::-1])
    return shapely.Polygon(np.concatenate(ring))


def points(n: int, seed: int = 11) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """*n* points where people are: 85 % around the city centres, the rest uniform over the extent.

    A few city points fall outside the rectangle (no beat), as addresses outside a prefecture do.
    """
    cities = centres()
    rng = np.random.default_rng(seed)
    return _clustered(rng, n, cities, uniform_share=0.15)
