"""The newsletter's pictures: a bar chart of the month's counts and a map of grid cells over the beat.

Drawn with matplotlib's object API (no pyplot: safe in threaded servers), Japanese labels in Noto Sans
CJK JP. Inputs are the plain values of ``Newsletter.content``; outputs are PNG bytes or data URIs.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from koban.lib.mapimage import fit_to_places, rings

FONTS = ["Noto Sans CJK JP", "DejaVu Sans"]
BLUE, GREY, PALE = "#1f5fbf", "#9aa7b5", "#d5dde6"
METRES_PER_DEGREE_LAT = 111_320.0


def _png(figure: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def counts_chart_png(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, dpi: int = 130
) -> bytes:
    """Grouped horizontal bars: one group per category label, one bar per series (this month first)."""
    rows = max(len(labels), 1)
    figure = Figure(figsize=(6.0, 0.3 * rows * max(len(series), 1) / 2 + 0.9), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.8 / max(len(series), 1)
    colours = [BLUE, GREY, PALE]
    for index, (name, values) in enumerate(series):
        ys = [row + index * height for row in range(len(labels))]
        axes.barh(ys, list(values), height=height, color=colours[index % 3], label=name)
    axes.set_yticks([row + height * (len(series) - 1) / 2 for row in range(len(labels))])
    axes.set_yticklabels(list(labels), fontfamily=FONTS, fontsize=9)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(prop={"family": FONTS, "size": 8}, frameon=False, loc="lower right")
    return _png(figure, dpi)


def grid_map_png(
    beats: Sequence[dict[str, Any]],
    cells: Sequence[Sequence[float]],
    cell_m: float,
    box_point: Sequence[float] | None,
    *,
    size_inches: float = 4.2,
    dpi: int = 130,
) -> bytes:
    """The beat outline with the month's incidents as shaded grid cells (darker = more), counts written in."""
    figure = Figure(figsize=(size_inches, size_inches), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.01, 0.01, 0.98, 0.98))
    xs: list[float] = []
    ys: list[float] = []
    for geometry in beats:
        for ring in rings(geometry):
            rx, ry = zip(*ring, strict=True)
            axes.fill(rx, ry, facecolor="#f4f7fb", edgecolor="#1b2430", linewidth=1.2, zorder=1)
            xs.extend(rx)
            ys.extend(ry)
    most = max((c[2] for c in cells), default=1)
    for lon, lat, count in cells:
        half_lat = cell_m / METRES_PER_DEGREE_LAT / 2
        half_lon = cell_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)) / 2
        alpha = 0.25 + 0.65 * count / most
        axes.add_patch(
            Rectangle(
                (lon - half_lon, lat - half_lat),
                2 * half_lon,
                2 * half_lat,
                color="#b3261e",
                alpha=alpha,
                zorder=2,
            )
        )
        axes.text(lon, lat, str(int(count)), ha="center", va="center", fontsize=7, color="white", zorder=3)
        xs.extend([lon - half_lon, lon + half_lon])
        ys.extend([lat - half_lat, lat + half_lat])
    if box_point:
        axes.scatter([box_point[0]], [box_point[1]], marker="s", s=50, c="#10294f", zorder=4)
        xs.append(box_point[0])
        ys.append(box_point[1])
    fit_to_places(axes, xs, ys, min_pad=0.002)
    return _png(figure, dpi)
