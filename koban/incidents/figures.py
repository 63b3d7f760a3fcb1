"""Response-time figures: how long from a call being received to the first unit arriving.

Mean, median and 90th percentile per box, beat, station, category or hour of day, computed in
PostgreSQL (``percentile_cont``) so that a year of a prefecture's incidents never comes into Python.
The national benchmark (``KOBAN_RESPONSE_BENCHMARK_SECONDS``, the national mean of 8 min 16 s by
default, see ``koban.incidents.benchmark``) is a mean: ``mean_above_benchmark`` compares the mean with
it; the median is shown beside it for the typical call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Aggregate, Avg, Case, Count, F, FloatField, Func, Value, When
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_lazy as _

from koban.incidents.models import IncidentCategory, IncidentQuerySet


class PercentileCont(Aggregate):
    """PostgreSQL ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`` (interpolated)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be within 0..1")
        super().__init__(expression, fraction=float(fraction), **extra)


def response_seconds() -> Func:
    """Seconds from receipt to the first arrival, as an SQL expression."""
    return Func(
        F("arrived_at") - F("received_at"),
        template="EXTRACT(EPOCH FROM %(expressions)s)",
        output_field=FloatField(),
    )


DIMENSIONS: dict[str, Any] = {
    "box": _("Police box"),
    "beat": _("Beat"),
    "station": _("Police station"),
    "category": _("Category"),
    "hour": _("Hour of day"),
}


@dataclass(frozen=True)
class ResponseFigure:
    """Response times of one group of incidents (one box, one hour of the day …)."""

    key: Any
    label: str
    count: int
    median_s: float | None
    p90_s: float | None
    mean_s: float | None
    within_benchmark: float | None  # share of responses no slower than the benchmark, 0..1

    @property
    def mean_above_benchmark(self) -> bool | None:
        """Whether the mean response is slower than the national mean (None without responses)."""
        if self.mean_s is None:
            return None
        return self.mean_s > benchmark_seconds()

    def as_dict(self) -> dict[str, Any]:
        """The figure for the API (``mean_above_benchmark`` is derived, and dropped by ``from_dict``)."""
        return {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "median_s": self.median_s,
            "p90_s": self.p90_s,
            "mean_s": self.mean_s,
            "within_benchmark": self.within_benchmark,
            "mean_above_benchmark": self.mean_above_benchmark,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResponseFigure:
        return cls(**{k: v for k, v in data.items() if k != "mean_above_benchmark"})


def benchmark_seconds() -> int:
    """The national mean response time the figures are compared with (seconds)."""
    return int(settings.KOBAN_RESPONSE_BENCHMARK_SECONDS)


def _aggregates() -> dict[str, Any]:
    seconds = response_seconds()
    return {
        "n": Count("id"),
        "median_s": PercentileCont(seconds, 0.5),
        "p90_s": PercentileCont(seconds, 0.9),
        "mean_s": Avg(seconds),
        "within": Avg(
            Case(
                When(arrived_at__lte=F("received_at") + Value(_benchmark_interval()), then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        ),
    }


def _benchmark_interval():  # type: ignore[no-untyped-def]
    import datetime

    return datetime.timedelta(seconds=benchmark_seconds())


def _figure(key: Any, label: str, row: dict[str, Any]) -> ResponseFigure:
    return ResponseFigure(
        key=key,
        label=label,
        count=int(row["n"]),
        median_s=row["median_s"],
        p90_s=row["p90_s"],
        mean_s=row["mean_s"],
        within_benchmark=row["within"],
    )


def overall_response(incidents: IncidentQuerySet) -> ResponseFigure:
    """Response times of every incident in *incidents* that has an arrival."""
    row = incidents.with_response().aggregate(**_aggregates())
    return _figure("all", str(_("All incidents")), row)


def response_by(incidents: IncidentQuerySet, dimension: str) -> list[ResponseFigure]:
    """Response times of *incidents* grouped by ``box``, ``beat``, ``station``, ``category`` or ``hour``.

    Groups are ordered by their natural order (hour 0–23, box name …); incidents without a value
    for the dimension (outside every beat) form a group of their own with key None.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    qs = incidents.with_response().order_by()
    if dimension == "hour":
        # Hours of the deployment's local time (Asia/Tokyo by default), not UTC.
        rows = qs.annotate(k=ExtractHour("received_at")).values("k").annotate(**_aggregates()).order_by("k")
        return [_figure(r["k"], f"{r['k']:02d}:00", r) for r in rows]
    if dimension == "category":
        rows = qs.values("category_id").annotate(**_aggregates())
        categories = IncidentCategory.objects.in_bulk([r["category_id"] for r in rows])
        figures = [_figure(r["category_id"], categories[r["category_id"]].label(), r) for r in rows]
        return sorted(figures, key=lambda f: (categories[f.key].sort_order, f.label))
    names = {"box": "box__name", "beat": "beat__code", "station": "station__name"}
    key_field = f"{dimension}_id"
    rows = qs.values(key_field, names[dimension]).annotate(**_aggregates())
    unassigned = str(_("Outside every beat"))
    figures = [_figure(r[key_field], r[names[dimension]] or unassigned, r) for r in rows]
    return sorted(figures, key=lambda f: (f.key is None, f.label))
