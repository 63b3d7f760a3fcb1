"""Charts of the survey report, drawn with matplotlib's object API (no pyplot: safe in a threaded server).

Each chart is returned as PNG bytes (for the PDF) or SVG text (for the page); labels may be Japanese.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

FONTS = ["Noto Sans CJK JP", "DejaVu Sans"]
BLUE = "#1f5fbf"


def _figure(size: tuple[float, float]) -> Figure:
    figure = Figure(figsize=size, dpi=110)
    FigureCanvasAgg(figure)
    return figure


def _render(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, bbox_inches="tight")
    return buffer.getvalue()


def bar_chart(labels: Sequence[str], values: Sequence[int], title: str, *, fmt: str = "svg") -> bytes:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    figure = _figure((6.0, 0.45 * max(len(labels), 2) + 0.8))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.barh(positions, values, color=BLUE)
    axes.set_yticks(positions, labels=list(labels), fontfamily=FONTS)
    axes.invert_yaxis()
    axes.set_title(title, fontfamily=FONTS, fontsize=11, loc="left")
    top = max(values, default=0) or 1
    for y, value in zip(positions, values, strict=True):
        axes.text(value + top * 0.01, y, f"{value:,}", va="center", fontsize=9)
    axes.set_xlim(0, top * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    return _render(figure, fmt)


def trend_chart(
    years: Sequence[int],
    groups: Sequence[int],
    members: Sequence[int],
    labels: tuple[str, str],
    *,
    fmt: str = "svg",
) -> bytes:
    """Groups (bars, left axis) and members (line, right axis) at each year's end."""
    figure = _figure((6.0, 3.0))
    axes = figure.add_subplot()
    axes.bar([str(y) for y in years], groups, color=BLUE, label=labels[0])
    axes.set_ylabel(labels[0], fontfamily=FONTS)
    right = axes.twinx()
    right.plot([str(y) for y in years], members, color="#b3261e", marker="o", label=labels[1])
    right.set_ylabel(labels[1], fontfamily=FONTS)
    axes.spines[["top"]].set_visible(False)
    return _render(figure, fmt)
