"""A static map of a beat for the printed briefing: outline, incident points by category, a legend.

No tiles (the briefing must print offline); drawn with matplotlib's object API (no pyplot), so it is
safe in a threaded server. Inputs are plain GeoJSON geometries and coordinates.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

FONTS = ["Noto Sans CJK JP", "DejaVu Sans"]


def rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Outer and inner rings of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return []
    return [[(x, y) for x, y, *_rest in ring] for polygon in polygons for ring in polygon]


def fit_to_places(axes: Any, xs: Sequence[float], ys: Sequence[float], min_pad: float) -> None:
    """Frame *axes* on the drawn places with a 5 % margin (at least *min_pad* degrees), metres equal
    both ways at their latitude, and no axes drawn."""
    if xs:
        pad_x = (max(xs) - min(xs)) * 0.05 or min_pad
        pad_y = (max(ys) - min(ys)) * 0.05 or min_pad
        axes.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        axes.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
        axes.set_aspect(1 / max(math.cos(math.radians(sum(ys) / len(ys))), 0.1))
    axes.set_axis_off()


def beat_map_png(
    beats: Sequence[dict[str, Any]],
    points: Sequence[tuple[float, float, str]],
    legend: Sequence[tuple[str, str]],
    *,
    legend_title: str = "",
    box_point: tuple[float, float] | None = None,
    lines: Sequence[Sequence[tuple[float, float]]] = (),
    size_inches: tuple[float, float] = (5.0, 5.0),
    dpi: int = 150,
) -> bytes:
    """PNG bytes of the beat outlines with points ``(lon, lat, colour)`` and a legend ``(label, colour)``.

    *lines* (a patrol's route, as ``(lon, lat)`` vertices) are drawn over the beat, under the points.
    The axes keep true proportions at the beat's latitude (longitude scaled by cos(latitude)).
    """
    figure = Figure(figsize=size_inches, dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.01, 0.01, 0.98, 0.98))
    xs: list[float] = []
    ys: list[float] = []
    for geometry in beats:
        for ring in rings(geometry):
            rx, ry = zip(*ring, strict=True)
            axes.fill(rx, ry, facecolor="#eef3fb", edgecolor="#1b2430", linewidth=1.4, zorder=1)
            xs.extend(rx)
            ys.extend(ry)
    for line in lines:
        if len(line) >= 2:
            lx, ly = zip(*line, strict=True)
            axes.plot(lx, ly, color="#b3261e", linewidth=1.8, solid_capstyle="round", zorder=2)
            xs.extend(lx)
            ys.extend(ly)
    if points:
        px, py, colours = zip(*points, strict=True)
        axes.scatter(px, py, c=list(colours), s=14, edgecolors="white", linewidths=0.4, zorder=3)
        xs.extend(px)
        ys.extend(py)
    if box_point:
        axes.scatter([box_point[0]], [box_point[1]], marker="s", s=60, c="#10294f", zorder=4)
        xs.append(box_point[0])
        ys.append(box_point[1])
    fit_to_places(axes, xs, ys, min_pad=0.001)
    if legend:
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=colour,
                markeredgecolor="white",
                markersize=7,
            )
            for _label, colour in legend
        ]
        axes.legend(
            handles,
            [label for label, _colour in legend],
            title=legend_title or None,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=min(3, len(legend)),
            frameon=False,
            prop={"family": FONTS, "size": 8},
            title_fontproperties={"family": FONTS, "size": 8.5, "weight": "bold"},
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def beat_map_png_data_uri(*args: Any, **kwargs: Any) -> str:
    """``beat_map_png`` as a ``data:image/png;base64,…`` URI for embedding in HTML."""
    return "data:image/png;base64," + base64.b64encode(beat_map_png(*args, **kwargs)).decode("ascii")
