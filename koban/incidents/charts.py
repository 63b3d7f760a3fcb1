"""An inline SVG bar chart of response times, drawn on the server (no JavaScript, Japanese labels).

Each group gets a bar to its median, a thin line on to its 90th percentile and a tick at its mean; a
dashed vertical line marks the national mean, and a bar is red when the group's mean is slower than it
(the national figure is a mean, so the mean is what is compared). Text uses the page's font stack (Noto Sans CJK JP first).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from koban.incidents.figures import ResponseFigure

ROW_HEIGHT = 22
LABEL_WIDTH = 180
CHART_WIDTH = 520
TOP = 28


def minutes_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def response_chart(figures: Sequence[ResponseFigure], benchmark_s: float) -> SafeString:
    """SVG bars: median (filled), 90th percentile (line) and mean (tick) per group, national mean marked."""
    rows = [f for f in figures if f.median_s is not None]
    if not rows:
        return mark_safe("")
    longest = max(max(max(f.p90_s or 0.0, f.mean_s or 0.0) for f in rows), benchmark_s) * 1.1
    scale = CHART_WIDTH / longest
    height = TOP + ROW_HEIGHT * len(rows) + 10
    width = LABEL_WIDTH + CHART_WIDTH + 60
    parts = [
        f'<svg class="response-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(_("Response times"))}"'
        ' font-family="Noto Sans CJK JP, Noto Sans JP, sans-serif" font-size="12">'
    ]
    x_bench = LABEL_WIDTH + benchmark_s * scale
    legend = _("Median (bar), 90th percentile (line), mean (tick); dashed: national mean %(t)s") % {
        "t": minutes_seconds(benchmark_s)
    }
    parts.append(f'<text x="{LABEL_WIDTH}" y="14" fill="#5d6b7a">{escape(legend)}</text>')
    for i, figure in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        median = (figure.median_s or 0.0) * scale
        p90 = (figure.p90_s or 0.0) * scale
        mean = (figure.mean_s or 0.0) * scale
        colour = "#b3261e" if (figure.mean_s or 0) > benchmark_s else "#1f5fbf"
        label = escape(figure.label[:28])
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{label}</text>')
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{median:.1f}" height="{ROW_HEIGHT - 8}"'
            f' fill="{colour}"><title>{label}: {minutes_seconds(figure.median_s)}</title></rect>'
        )
        parts.append(
            f'<line x1="{LABEL_WIDTH + median:.1f}" x2="{LABEL_WIDTH + p90:.1f}" y1="{y + 11}" y2="{y + 11}"'
            f' stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<line x1="{LABEL_WIDTH + mean:.1f}" x2="{LABEL_WIDTH + mean:.1f}" y1="{y + 2}" y2="{y + ROW_HEIGHT - 2}"'
            f' stroke="#1b2430" stroke-width="2"><title>{minutes_seconds(figure.mean_s)}</title></line>'
        )
        end = max(p90, mean)
        parts.append(
            f'<text x="{LABEL_WIDTH + end + 4:.1f}" y="{y + 15}" fill="#5d6b7a">'
            f"{minutes_seconds(figure.median_s)} / {minutes_seconds(figure.p90_s)}"
            f" ({minutes_seconds(figure.mean_s)})</text>"
        )
    parts.append(
        f'<line x1="{x_bench:.1f}" x2="{x_bench:.1f}" y1="{TOP - 4}" y2="{height - 6}"'
        ' stroke="#1b2430" stroke-dasharray="4 3"/>'
    )
    parts.append("</svg>")
    # Every piece of text above is escaped; numbers are formatted here.
    return mark_safe("".join(parts))  # noqa: S308
