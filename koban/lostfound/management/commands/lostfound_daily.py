"""Run the lost-property clocks for a day by hand (the same service the nightly job calls)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from koban.lostfound.models import ItemTask
from koban.lostfound.services import advance_clocks


class Command(BaseCommand):
    help = "Move found items through the statutory states for a day and list each box's tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Day to run for, YYYY-MM-DD (default: today, local time).")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("date")
        try:
            day = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date {raw!r} is not a date in the form YYYY-MM-DD") from exc
        counts = advance_clocks(day)
        moved = ", ".join(f"{state}: {n}" for state, n in sorted(counts.items()) if state != "tasks_listed")
        self.stdout.write(f"{day}: moved {moved or 'nothing'}; {counts['tasks_listed']} task(s) listed")
        # Each box's open list, as officers will see it on the "today" page.
        rows = (
            ItemTask.objects.filter(done_at__isnull=True)
            .values("item__box__code", "item__box__name", "kind")
            .annotate(n=Count("id"))
            .order_by("item__box__code", "kind")
        )
        for row in rows:
            label = ItemTask.Kind(row["kind"]).label
            self.stdout.write(f"  {row['item__box__code']} {row['item__box__name']}: {row['n']} × {label}")
