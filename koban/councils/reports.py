"""What councils read back: the report on the previous meeting's opinions and the station summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from koban.councils import voice_link
from koban.councils.models import Council, CouncilMember, Meeting, Opinion
from koban.organization.models import PoliceStation


@dataclass(frozen=True)
class OpinionLine:
    opinion: Opinion
    category_label: str
    outcome: voice_link.Outcome | None


def opinion_lines(opinions: list[Opinion]) -> list[OpinionLine]:
    """Opinions with their category label and what became of them (one query for the outcomes)."""
    outcomes = voice_link.outcomes(opinions)
    return [OpinionLine(o, o.category.label(), outcomes.get(o.pk)) for o in opinions]


def report_back(meeting: Meeting) -> tuple[Meeting | None, list[OpinionLine]]:
    """The previous held meeting of the council and its opinions with their current state."""
    previous = meeting.previous()
    if previous is None:
        return None, []
    return previous, opinion_lines(list(previous.opinions.select_related("raised_by", "category")))


@dataclass(frozen=True)
class SummaryRow:
    category: str
    label: str
    total: int
    by_status: dict[str, int]


def station_summary(station: PoliceStation, since: dt.date) -> tuple[list[SummaryRow], list[str]]:
    """Opinions raised at the councils of *station* since *since*, by category and current status.

    Returns the rows (most frequent category first) and the statuses that occur, for the columns.
    """
    opinions = list(
        Opinion.objects.filter(meeting__council__box__station=station, meeting__held_on__gte=since)
        .select_related("category")
        .only("id", "request_id", "category__code", "category__labels")
    )
    outcomes = voice_link.outcomes(opinions)
    counts: dict[str, Counter[str]] = {}
    labels: dict[str, str] = {}
    for opinion in opinions:
        outcome = outcomes.get(opinion.pk)
        status = outcome.status_label if outcome else "—"
        counts.setdefault(opinion.category.code, Counter())[status] += 1
        labels[opinion.category.code] = opinion.category.label()
    statuses = sorted({status for counter in counts.values() for status in counter})
    rows = [
        SummaryRow(code, labels[code], sum(c.values()), dict(c))
        for code, c in sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    ]
    return rows, statuses


def renewal_days() -> int:
    return int(settings.KOBAN_COUNCIL_RENEWAL_DAYS)


def terms_ending(
    councils: QuerySet[Council], today: dt.date, within_days: int | None = None
) -> QuerySet[CouncilMember]:
    """Serving members of *councils* whose term ends within the renewal window and is not renewed yet."""
    days = renewal_days() if within_days is None else within_days
    return (
        CouncilMember.objects.filter(council__in=councils)
        .terms_ending(today, days)
        .filter(renewal__isnull=True)
        .with_council()
        .order_by("term_end", "name")
    )
